import { createHash } from 'node:crypto';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { onTestFinished } from 'vitest';

export const REPO = fileURLToPath(new URL('../..', import.meta.url));
export const FIXTURES = join(REPO, 'test', 'go-fixtures');

/** The fixture shapes, oldest first (see test/go-fixtures/README.md). */
export const SHAPES = ['g040', 'g05', 'g12', 'g15', 'lh'] as const;
export type Shape = (typeof SHAPES)[number];

/** The two target files of each shape, relative to the fixture root. */
export const TARGET_FILES: Record<Shape, { profile: string; server: string }> = {
  g040: { profile: 'pkg/epp/scheduling/framework/scheduler_profile.go', server: 'pkg/epp/handlers/server.go' },
  g05: { profile: 'pkg/epp/scheduling/framework/scheduler_profile.go', server: 'pkg/epp/handlers/server.go' },
  g12: { profile: 'pkg/epp/scheduling/framework/scheduler_profile.go', server: 'pkg/epp/handlers/server.go' },
  g15: { profile: 'pkg/epp/scheduling/scheduler_profile.go', server: 'pkg/epp/handlers/server.go' },
  lh: { profile: 'pkg/epp/scheduling/scheduler_profile.go', server: 'pkg/epp/handlers/server.go' },
};

/** A temporary folder removed when the current test ends. */
export function tempDir(prefix = 'instrument-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A copy of a fixture in a temporary folder. */
export function copyFixture(shape: Shape, dest = join(tempDir(), shape)): string {
  cpSync(join(FIXTURES, shape), dest, { recursive: true });
  return dest;
}

/** sha256 and mode of every file under `dir` (skipping .git), by relative path. */
export function treeSnapshot(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const path = join(d, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== '.git') walk(path);
      } else {
        const hash = createHash('sha256').update(readFileSync(path)).digest('hex');
        out.set(relative(dir, path), `${hash} ${(statSync(path).mode & 0o7777).toString(8)}`);
      }
    }
  };
  walk(dir);
  return out;
}
