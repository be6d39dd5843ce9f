import { defineConfig } from 'vitest/config';

// Four tiers: `unit` runs the TypeScript sources in-process (no Go, no Docker); `go` compiles and
// runs the Go fixtures; `e2e` spawns the built CLI (`npm run build` first, as `npm test` does);
// `docker` builds images with a real Docker engine, which its global setup starts.
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
    ],
  },
});
