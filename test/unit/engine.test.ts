import { existsSync, mkdirSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveTree } from '../../src/codemod/locate.ts';
import { withOpenTree } from '../../src/codemod/session.ts';
import { sha256 } from '../../src/codemod/source-text.ts';
import { readState, writeState } from '../../src/codemod/state.ts';
import { cli } from '../helpers/cli.ts';
import { copyFixture, helperFile, TARGET_FILES, treeSnapshot } from '../helpers/fixtures.ts';

const DEAD_PID = 2 ** 22 + 7;
const HELPER = 'pkg/epp/handlers/instrument_helpers.go';
const HELPER_BYTES = Buffer.from('package handlers\n\n// written by instrument\n');

function age(path: string, seconds: number): void {
  const t = Date.now() / 1000 - seconds;
  utimesSync(path, t, t);
}

describe('the lock', () => {
  it('takes over an empty lock once it is older than any writer could take, with a warning', async () => {
    const dir = copyFixture('g12');
    mkdirSync(join(dir, '.instrument'));
    writeFileSync(join(dir, '.instrument', 'lock'), '');
    age(join(dir, '.instrument', 'lock'), 10);
    const run = await cli(['apply', '--source', dir], { cwd: dir });
    expect(run.exitCode).toBe(0);
    expect(run.stderr).toContain('took over a lock left by pid 0 (`unknown (an unreadable lock)`');
    expect(readdirSync(join(dir, '.instrument'))).toEqual(['state.json']);
  });

  it('takes over a stale lock whose takeover claim was left by a dead run too, and leaves no claim behind', async () => {
    const dir = copyFixture('g12');
    const state = join(dir, '.instrument');
    mkdirSync(state);
    writeFileSync(join(state, 'lock'), JSON.stringify({ id: 'dead-1', pid: DEAD_PID, host: hostname(), command: 'apply', since: 'earlier' }));
    writeFileSync(join(state, 'lock.takeover-dead-1'), JSON.stringify({ id: 'dead-2', pid: DEAD_PID + 1, host: hostname(), command: 'revert', since: 'earlier' }));
    writeFileSync(join(state, `.lock.instrument-${DEAD_PID + 2}.tmp`), 'half');
    const run = await cli(['apply', '--source', dir], { cwd: dir });
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stderr).toContain(`took over a lock left by pid ${DEAD_PID}`);
    expect(readdirSync(state)).toEqual(['state.json']);
  });

  it('takes over a lock whose pid now names another process (another start time)', async () => {
    const dir = copyFixture('g12');
    mkdirSync(join(dir, '.instrument'));
    // Our own pid with another start time: the holder is gone, and its pid was given to this process.
    writeFileSync(join(dir, '.instrument', 'lock'), JSON.stringify({ id: 'old', pid: process.pid, host: hostname(), command: 'apply', since: 'earlier', start: '1' }));
    const run = await cli(['apply', '--source', dir], { cwd: dir });
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stderr).toContain('took over a lock');
  });
});

describe('leftovers of killed runs', () => {
  it('removes every temporary file of ours, in .instrument/ and beside the files a journal names', async () => {
    const dir = copyFixture('g12');
    const pristine = treeSnapshot(dir);
    const profile = join(dir, TARGET_FILES.g12.profile);
    mkdirSync(join(dir, '.instrument'));
    const bytes = readFileSync(profile);
    writeFileSync(join(dir, '.instrument', 'journal.json'), JSON.stringify({ operation: 'revert', startedAt: 'then', pid: DEAD_PID, files: [{ path: TARGET_FILES.g12.profile, pristineSha256: sha256(bytes), patchedSha256: 'c'.repeat(64) }] }));
    writeFileSync(join(dir, '.instrument', `.state.json.instrument-${DEAD_PID}.tmp`), '{');
    writeFileSync(join(dir, '.instrument', `.journal.json.instrument-${DEAD_PID}.tmp`), '{');
    // A recovery killed while writing the target back left its own temporary file, under its own pid.
    writeFileSync(join(dir, TARGET_FILES.g12.profile.replace('scheduler_profile.go', `.scheduler_profile.go.instrument-${DEAD_PID + 3}.tmp`)), 'half');
    const run = await cli(['revert', '--source', dir], { cwd: dir });
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stdout).toContain('recovered an interrupted revert');
    expect(treeSnapshot(dir)).toEqual(pristine);
    expect(existsSync(join(dir, '.instrument'))).toBe(false);
  });
});

describe('revert --force with damaged markers', () => {
  it('removes a block whose end marker was deleted when its lines still hash right, giving back the original bytes', async () => {
    const dir = copyFixture('g12');
    const pristine = treeSnapshot(dir);
    expect((await cli(['apply', '--source', dir], { cwd: dir })).exitCode).toBe(0);
    const server = join(dir, TARGET_FILES.g12.server);
    writeFileSync(server, readFileSync(server, 'utf8').replace(/^[ \t]*\/\/ instrument:end server\.request\n/m, ''));
    const plain = await cli(['revert', '--source', dir], { cwd: dir });
    expect(plain.exitCode).toBe(1);
    const forced = await cli(['revert', '--source', dir, '--force', '--json'], { cwd: dir });
    expect(forced.exitCode, forced.stdout).toBe(0);
    const result = JSON.parse(forced.stdout) as { files: Array<{ path: string; outcome: string }> };
    expect(Object.fromEntries(result.files.map((f) => [f.path, f.outcome]))).toEqual({
      [TARGET_FILES.g12.scheduler]: 'restored',
      [TARGET_FILES.g12.profile]: 'restored',
      [helperFile('g12')]: 'removed',
      [TARGET_FILES.g12.server]: 'forced',
    });
    expect(treeSnapshot(dir)).toEqual(pristine);
    const status = await cli(['status', '--source', dir], { cwd: dir });
    expect(status.stdout).toMatch(/^not-applied/);
  });
});

describe('files the engine creates (no pre-image)', () => {
  /** Applies the g12 patches, then creates one more file through the engine, as a patch that adds a helper would. */
  async function applyWithHelper(dir: string): Promise<void> {
    expect((await cli(['apply', '--source', dir], { cwd: dir })).exitCode).toBe(0);
    const tree = resolveTree({ cwd: dir, source: dir });
    await withOpenTree(tree, 'apply', async (open) => {
      const state = readState(tree)!;
      open.commit('apply', [{ path: join(dir, HELPER), bytes: HELPER_BYTES, before: null, pristineSha256: null, patchedSha256: sha256(HELPER_BYTES) }], () =>
        writeState(tree, { ...state, files: [...state.files, { path: HELPER, pristineSha256: null, patchedSha256: sha256(HELPER_BYTES), points: [] }] }),
      );
    });
  }

  it('are recorded as created and removed by revert while they hold exactly the bytes written', async () => {
    const dir = copyFixture('g12');
    const pristine = treeSnapshot(dir);
    await applyWithHelper(dir);
    expect(readFileSync(join(dir, HELPER))).toEqual(HELPER_BYTES);
    const recorded = JSON.parse(readFileSync(join(dir, '.instrument', 'state.json'), 'utf8')) as { files: Array<{ path: string; pristineSha256: string | null }> };
    expect(recorded.files.find((f) => f.path === HELPER)?.pristineSha256).toBeNull();
    const reverted = await cli(['revert', '--source', dir, '--json'], { cwd: dir });
    expect(reverted.exitCode, reverted.stdout).toBe(0);
    expect((JSON.parse(reverted.stdout) as { files: Array<{ path: string; outcome: string }> }).files.find((f) => f.path === HELPER)?.outcome).toBe('removed');
    expect(treeSnapshot(dir)).toEqual(pristine);
  });

  it('are never created over a file that is there, and never removed once changed, even with --force', async () => {
    const dir = copyFixture('g12');
    writeFileSync(join(dir, HELPER), 'package handlers // mine\n');
    await expect(applyWithHelper(dir)).rejects.toThrow(/appeared while instrument was creating it/);
    expect(readFileSync(join(dir, HELPER), 'utf8')).toBe('package handlers // mine\n');
    // The failed run put everything back: the helper is the user's, the record of the first apply stands.
    expect(readState(resolveTree({ cwd: dir, source: dir }))!.files.map((f) => f.path)).not.toContain(HELPER);
    expect(existsSync(join(dir, '.instrument', 'journal.json'))).toBe(false);
  });

  it('an interrupted apply that created one is undone by removing it, and only if it holds our bytes', async () => {
    const dir = copyFixture('g12');
    const pristine = treeSnapshot(dir);
    mkdirSync(join(dir, '.instrument'));
    writeFileSync(join(dir, HELPER), HELPER_BYTES);
    writeFileSync(join(dir, '.instrument', 'journal.json'), JSON.stringify({ operation: 'apply', startedAt: 'then', pid: DEAD_PID, files: [{ path: HELPER, pristineSha256: null, patchedSha256: sha256(HELPER_BYTES) }] }));
    const run = await cli(['revert', '--source', dir], { cwd: dir });
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stdout).toContain(`removed ${HELPER}, which it had created`);
    expect(treeSnapshot(dir)).toEqual(pristine);
  });
});
