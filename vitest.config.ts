import { defineConfig } from 'vitest/config';

// Five tiers: `unit` runs the TypeScript sources in-process (no Go, no Docker); `go` compiles and
// runs the Go fixtures; `e2e` spawns the built CLI (`npm run build` first, as `npm test` does);
// `docker` builds images with a real Docker engine, which its global setup starts; `cluster` runs
// the cluster commands against a real Kubernetes control plane on loopback, which its global setup
// starts (binaries from scripts/setup-cluster-tools.sh), one file at a time (they share its node).
export default defineConfig({
  test: {
    projects: [
      { test: { name: 'unit', include: ['test/unit/**/*.test.ts'], testTimeout: 30_000 } },
      { test: { name: 'go', include: ['test/go/**/*.test.ts'], testTimeout: 900_000, hookTimeout: 900_000 } },
      { test: { name: 'e2e', include: ['test/e2e/**/*.test.ts'], testTimeout: 900_000, hookTimeout: 900_000 } },
      {
        test: {
          name: 'docker',
          include: ['test/docker/**/*.test.ts'],
          globalSetup: ['test/helpers/docker-engine.ts'],
          testTimeout: 1_800_000,
          hookTimeout: 300_000,
        },
      },
      {
        test: {
          name: 'cluster',
          include: ['test/cluster/**/*.test.ts'],
          globalSetup: ['test/cluster/global-setup.ts'],
          fileParallelism: false,
          testTimeout: 180_000,
          hookTimeout: 180_000,
        },
      },
    ],
  },
});
