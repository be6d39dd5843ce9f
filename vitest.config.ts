import { defineConfig } from 'vitest/config';

// Three tiers: `unit` runs the TypeScript sources in-process (no Go, no Docker); `go` compiles and
// runs the Go fixtures; `e2e` spawns the built CLI (`npm run build` first, as `npm test` does).
export default defineConfig({
  test: {
    projects: [
      { test: { name: 'unit', include: ['test/unit/**/*.test.ts'], testTimeout: 30_000 } },
      { test: { name: 'go', include: ['test/go/**/*.test.ts'], testTimeout: 900_000, hookTimeout: 900_000 } },
      { test: { name: 'e2e', include: ['test/e2e/**/*.test.ts'], testTimeout: 900_000, hookTimeout: 900_000 } },
    ],
  },
});
