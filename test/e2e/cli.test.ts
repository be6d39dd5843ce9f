import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { BIN, spawnCli } from '../helpers/cli.ts';
import { copyFixture, REPO, TARGET_FILES, tempDir, treeSnapshot } from '../helpers/fixtures.ts';

const sha = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

describe('the built instrument binary', () => {
  it('prints its version and help, and exits 2 on bad usage', async () => {
    const cwd = tempDir();
    const version = await spawnCli(['--version'], { cwd });
    expect(version.stdout.trim()).toBe(JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')).version);
    const help = await spawnCli(['--help'], { cwd });
    expect(help.exitCode).toBe(0);
    for (const command of ['apply', 'revert', 'status', 'diff', 'vendor', 'build', 'load', 'deploy', 'rollback', 'inspect', 'traffic', 'logs', 'analyze', 'check']) expect(help.stdout).toMatch(new RegExp(`^  ${command}\\b`, 'm'));
    const unknown = await spawnCli(['apply', '--frobnicate'], { cwd });
    expect(unknown.exitCode).toBe(2);
    expect(unknown.stderr).toContain("unknown option '--frobnicate'");
    const noWorkspace = await spawnCli(['status'], { cwd });
    expect(noWorkspace.exitCode).toBe(2);
    expect(noWorkspace.stderr).toContain('no llm-d tree in or above');
  });
});

describe('what apply loads', () => {
  // Each Node module a start loads costs milliseconds of every run (bench/apply-revert.mjs); these
  // are the ones apply has no use for and the bundle keeps out (rolldown.config.mjs, locate.ts).
  it('leaves child_process, the ES module loader and perf_hooks unloaded', async () => {
    const dir = copyFixture('g12');
    const preload = join(tempDir(), 'modules.cjs');
    const list = join(tempDir(), 'modules.txt');
    writeFileSync(preload, `process.on('exit', () => require('node:fs').writeFileSync(${JSON.stringify(list)}, process.moduleLoadList.join('\\n')));`);
    const run = await execa(process.execPath, ['--require', preload, BIN, 'apply', '--source', dir], { reject: false });
    expect(run.exitCode).toBe(0);
    const loaded = readFileSync(list, 'utf8').split('\n');
    expect(loaded).toContain('NativeModule fs');
    for (const unwanted of ['child_process', 'perf_hooks', 'internal/modules/esm/module_job']) expect(loaded).not.toContain(`NativeModule ${unwanted}`);
  });
});

describe('a run killed in the middle of writing', () => {
  const files = Object.values(TARGET_FILES.g12);

  it.each(['journal', 'tmp:1', 'rename:1', 'tmp:2', 'rename:2'])('at %s leaves each file old or new, and the next apply completes it', async (stage) => {
    const dir = copyFixture('g12');
    const pristine = treeSnapshot(dir);
    const reference = copyFixture('g12', join(tempDir(), 'reference'));
    expect((await spawnCli(['apply', '--source', reference], { cwd: reference })).exitCode).toBe(0);

    const killed = await execa(process.execPath, [BIN, 'apply', '--source', dir], { reject: false, env: { INSTRUMENT_TEST_CRASH: stage } });
    expect(killed.signal).toBe('SIGKILL');
    for (const file of files) {
      expect([pristine.get(file)!.split(' ')[0], sha(join(reference, file))]).toContain(sha(join(dir, file)));
    }
    const status = await spawnCli(['status', '--source', dir], { cwd: dir });
    expect(status.stdout).toMatch(/^interrupted/);

    const resumed = await spawnCli(['apply', '--source', dir], { cwd: dir });
    expect(resumed.exitCode).toBe(0);
    expect(resumed.stdout).toContain('recovered an interrupted apply');
    for (const file of files) expect(sha(join(dir, file))).toBe(sha(join(reference, file)));
    expect((await spawnCli(['revert', '--source', dir], { cwd: dir })).exitCode).toBe(0);
    expect(treeSnapshot(dir)).toEqual(pristine);
  });

  it('during apply is undone by the next revert', async () => {
    const dir = copyFixture('g15');
    const pristine = treeSnapshot(dir);
    const killed = await execa(process.execPath, [BIN, 'apply', '--source', dir], { reject: false, env: { INSTRUMENT_TEST_CRASH: 'rename:1' } });
    expect(killed.signal).toBe('SIGKILL');
    const reverted = await spawnCli(['revert', '--source', dir], { cwd: dir });
    expect(reverted.exitCode).toBe(0);
    expect(reverted.stdout).toContain('recovered an interrupted apply');
    expect(treeSnapshot(dir)).toEqual(pristine);
  });

  it('during revert is completed by the next revert', async () => {
    const dir = copyFixture('lh');
    const pristine = treeSnapshot(dir);
    expect((await spawnCli(['apply', '--source', dir], { cwd: dir })).exitCode).toBe(0);
    const killed = await execa(process.execPath, [BIN, 'revert', '--source', dir], { reject: false, env: { INSTRUMENT_TEST_CRASH: 'rename:1' } });
    expect(killed.signal).toBe('SIGKILL');
    const reverted = await spawnCli(['revert', '--source', dir], { cwd: dir });
    expect(reverted.exitCode).toBe(0);
    expect(reverted.stdout).toContain('recovered an interrupted revert');
    expect(treeSnapshot(dir)).toEqual(pristine);
  });
});
