import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { onTestFinished } from 'vitest';

export const REPO = fileURLToPath(new URL('../..', import.meta.url));
export const FIXTURES = join(REPO, 'test', 'go-fixtures');

/** The fixture modules, oldest first (see test/go-fixtures/README.md). */
export const BASE_SHAPES = ['g040', 'g05', 'g12', 'g15', 'lh'] as const;
type BaseShape = (typeof BASE_SHAPES)[number];

/** The other upstream shapes, each a patch on a base (see test/go-fixtures/variants/README.md). */
export const VARIANT_BASES = { g10: 'g12', g11: 'g12', g131: 'g12', gps: 'g15', g14: 'g15' } as const satisfies Record<string, BaseShape>;

/** Every upstream shape in upstream-facts.md, oldest first. */
export const SHAPES = ['g040', 'g05', 'g10', 'g11', 'g12', 'g131', 'gps', 'g14', 'g15', 'lh'] as const;
export type Shape = (typeof SHAPES)[number];

const SCHEDULER = 'pkg/epp/scheduling/scheduler.go';
const SERVER = 'pkg/epp/handlers/server.go';
const FRAMEWORK = { scheduler: SCHEDULER, profile: 'pkg/epp/scheduling/framework/scheduler_profile.go', server: SERVER };
const SCHEDULING = { scheduler: SCHEDULER, profile: 'pkg/epp/scheduling/scheduler_profile.go', server: SERVER };

/** The three target files of each shape, relative to the fixture root. */
export const TARGET_FILES: Record<Shape, { scheduler: string; profile: string; server: string }> = {
  g040: FRAMEWORK,
  g05: FRAMEWORK,
  g10: FRAMEWORK,
  g11: FRAMEWORK,
  g12: FRAMEWORK,
  g131: FRAMEWORK,
  gps: SCHEDULING,
  g14: SCHEDULING,
  g15: SCHEDULING,
  lh: SCHEDULING,
};

/** The Go file apply adds next to the profile file (src/patches/run-record.ts). */
export function helperFile(shape: Shape): string {
  return TARGET_FILES[shape].profile.replace(/[^/]+$/, 'zz_instrument.go');
}

/** A temporary folder removed when the current test ends. */
export function tempDir(prefix = 'instrument-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/**
 * Fixtures that add a setup to a shape rather than reproduce another one, each with the `cmd/pd-run`
 * driver (test/go-fixtures/README.md): `llmd04` is G12 with llm-d v0.4.0's P/D plugins, `routerpd`
 * is LH with llm-d-router HEAD's disagg profile handler and its deciders.
 */
export const SETUP_BASES = { llmd04: 'g12', routerpd: 'lh' } as const satisfies Record<string, BaseShape>;
export type Setup = keyof typeof SETUP_BASES;

/** A copy of a shape in a temporary folder: its module, or its base with its variant patch applied. */
export function copyFixture(shape: Shape | Setup, dest = join(tempDir(), shape)): string {
  const base = ({ ...VARIANT_BASES, ...SETUP_BASES } as Record<string, string>)[shape];
  cpSync(join(FIXTURES, base ?? shape), dest, { recursive: true });
  if (base) execFileSync('git', ['apply', join(FIXTURES, 'variants', `${shape}.patch`)], { cwd: dest });
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
