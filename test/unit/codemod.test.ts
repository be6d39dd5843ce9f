import { chmodSync, cpSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { POINT_IDS } from '../../src/codemod/patch.ts';
import { cli } from '../helpers/cli.ts';
import { copyFixture, REPO, SHAPES, TARGET_FILES, tempDir, treeSnapshot } from '../helpers/fixtures.ts';
import { writeLightweightEppTree } from '../helpers/upstream-repo.ts';

interface JsonPoint {
  id: string;
  status: string;
  file?: string;
  line?: number;
  detail?: string;
  searchedFor: string;
}

async function applyJson(dir: string, ...args: string[]) {
  const run = await cli(['apply', '--source', dir, '--json', ...args], { cwd: dir });
  return { ...run, result: JSON.parse(run.stdout) as { status: string; points: JsonPoint[]; diff?: string; warnings: string[] } };
}

describe.each(SHAPES)('the %s shape', (shape) => {
  it('places all five points, matches the golden files, and reverts to the original bytes', async () => {
    const dir = copyFixture(shape);
    const before = treeSnapshot(dir);

    const applied = await applyJson(dir);
    expect(applied.exitCode).toBe(0);
    expect(applied.result.status).toBe('applied');
    expect(applied.result.points.map((p) => [p.id, p.status])).toEqual(POINT_IDS.map((id) => [id, 'placed']));
    for (const point of applied.result.points) {
      const file = point.id.startsWith('profile.') ? TARGET_FILES[shape].profile : TARGET_FILES[shape].server;
      expect(point.file).toBe(file);
      expect(readFileSync(join(dir, file), 'utf8').split('\n')[point.line! - 1]).toContain(`// instrument:begin ${point.id} `);
    }
    for (const file of Object.values(TARGET_FILES[shape])) {
      await expect(readFileSync(join(dir, file), 'utf8')).toMatchFileSnapshot(join(REPO, 'test', 'golden', shape, `${file.split('/').at(-1)}.golden`));
    }
    const changed = [...treeSnapshot(dir)].filter(([path, hash]) => before.get(path) !== hash).map(([path]) => path);
    expect(changed.sort()).toEqual(['.instrument/state.json', ...Object.values(TARGET_FILES[shape])].sort());

    const again = await applyJson(dir);
    expect(again.exitCode).toBe(0);
    expect(again.result.status).toBe('already-applied');
    expect(again.result.points.every((p) => p.status === 'applied')).toBe(true);

    const reverted = await cli(['revert', '--source', dir], { cwd: dir });
    expect(reverted.exitCode).toBe(0);
    expect(reverted.stdout).toContain('original bytes restored (sha256 checked)');
    expect(treeSnapshot(dir)).toEqual(before);
    expect(existsSync(join(dir, '.instrument'))).toBe(false);
  });

  it('previews with --dry-run and diff, writing nothing', async () => {
    const dir = copyFixture(shape);
    const before = treeSnapshot(dir);
    const dry = await cli(['apply', '--source', dir, '--dry-run'], { cwd: dir });
    expect(dry.exitCode).toBe(0);
    for (const id of POINT_IDS) expect(dry.stdout).toMatch(new RegExp(`^@@ -\\d+,\\d+ \\+\\d+,\\d+ @@ .*${id.replace('.', '\\.')}`, 'm'));
    const planned = await cli(['diff', '--source', dir], { cwd: dir });
    expect(planned.stdout).toBe(dry.stdout.slice(0, planned.stdout.length));
    expect(treeSnapshot(dir)).toEqual(before);

    await cli(['apply', '--source', dir], { cwd: dir });
    const appliedDiff = await cli(['diff', '--source', dir], { cwd: dir });
    expect(appliedDiff.stdout).toBe(planned.stdout);
  });
});

describe('revert after edits', () => {
  it('keeps edits made outside our blocks', async () => {
    const dir = copyFixture('g12');
    const server = join(dir, TARGET_FILES.g12.server);
    const original = readFileSync(server, 'utf8');
    await cli(['apply', '--source', dir], { cwd: dir });
    writeFileSync(server, readFileSync(server, 'utf8').replace('package handlers', '// edited by hand\npackage handlers'));

    const status = JSON.parse((await cli(['status', '--source', dir, '--json'], { cwd: dir })).stdout);
    expect(status.points.find((p: { id: string }) => p.id === 'server.request')).toMatchObject({ applied: true, intact: true, fileChangedSinceApply: true });

    const reverted = await cli(['revert', '--source', dir, '--json'], { cwd: dir });
    expect(reverted.exitCode).toBe(0);
    const result = JSON.parse(reverted.stdout);
    expect(result.files.find((f: { path: string }) => f.path === TARGET_FILES.g12.server).outcome).toBe('restored-keeping-edits');
    expect(readFileSync(server, 'utf8')).toBe(original.replace('package handlers', '// edited by hand\npackage handlers'));
  });

  it('refuses when one of our blocks was edited, naming file and lines; --force removes the blocks and keeps the rest', async () => {
    const dir = copyFixture('g15');
    const profile = join(dir, TARGET_FILES.g15.profile);
    const original = readFileSync(profile, 'utf8');
    await cli(['apply', '--source', dir], { cwd: dir });
    const patched = readFileSync(profile, 'utf8');
    const edited = patched.replace('"point", "profile.picked"', '"point", "profile.picked", "mine", 1').replace('package scheduling', 'package scheduling // hand edit');
    writeFileSync(profile, edited);
    const before = treeSnapshot(dir);

    const refused = await cli(['revert', '--source', dir], { cwd: dir });
    expect(refused.exitCode).toBe(1);
    const line = edited.split('\n').findIndex((l) => l.includes('instrument:begin profile.picked')) + 1;
    expect(refused.stdout).toContain(`${TARGET_FILES.g15.profile}:${line}-`);
    expect(refused.stdout).toContain('the profile.picked block was edited');
    expect(refused.stdout).toContain('--force');
    expect(treeSnapshot(dir)).toEqual(before);

    const forced = await cli(['revert', '--source', dir, '--force'], { cwd: dir });
    expect(forced.exitCode).toBe(0);
    expect(readFileSync(profile, 'utf8')).toBe(original.replace('package scheduling', 'package scheduling // hand edit'));
    expect(existsSync(join(dir, '.instrument'))).toBe(false);
  });

  it('removes blocks whose record was deleted, with a warning', async () => {
    const dir = copyFixture('lh');
    const before = treeSnapshot(dir);
    await cli(['apply', '--source', dir], { cwd: dir });
    rmSync(join(dir, '.instrument'), { recursive: true });
    const reverted = await cli(['revert', '--source', dir], { cwd: dir });
    expect(reverted.exitCode).toBe(0);
    expect(reverted.stderr).toContain('no record of an apply');
    expect(treeSnapshot(dir)).toEqual(before);
  });
});

describe('apply fails loudly and writes nothing', () => {
  it('when an anchor is missing, reporting every point', async () => {
    const dir = copyFixture('g12');
    const profile = join(dir, TARGET_FILES.g12.profile);
    writeFileSync(profile, readFileSync(profile, 'utf8').replaceAll('runPickerPlugin', 'pickWinner'));
    const before = treeSnapshot(dir);
    const run = await applyJson(dir);
    expect(run.exitCode).toBe(1);
    expect(run.result.status).toBe('failed');
    const byId = Object.fromEntries(run.result.points.map((p) => [p.id, p]));
    expect(Object.keys(byId)).toEqual([...POINT_IDS]);
    expect(byId['profile.picked']).toMatchObject({ status: 'missing', file: TARGET_FILES.g12.profile });
    expect(byId['profile.picked']!.searchedFor).toContain('runPickerPlugin');
    for (const id of POINT_IDS.filter((i) => i !== 'profile.picked')) expect(byId[id]!.status).toBe('placed');
    expect(treeSnapshot(dir)).toEqual(before);

    const text = await cli(['apply', '--source', dir], { cwd: dir });
    expect(text.exitCode).toBe(1);
    expect(text.stdout).toMatch(/missing\s+profile\.picked/);
    expect(text.stdout).toContain('searched for:');
  });

  it('when the anchor is ambiguous', async () => {
    const dir = copyFixture('g12');
    const extra = join(dir, 'pkg/epp/scheduling/framework/copy/scheduler_profile.go');
    mkdirSync(dirname(extra), { recursive: true });
    cpSync(join(dir, TARGET_FILES.g12.profile), extra);
    const before = treeSnapshot(dir);
    const run = await applyJson(dir);
    expect(run.exitCode).toBe(1);
    const profilePoints = run.result.points.filter((p) => p.id.startsWith('profile.'));
    expect(profilePoints.map((p) => p.status)).toEqual(['ambiguous', 'ambiguous', 'ambiguous']);
    expect(profilePoints[0]!.detail).toContain('declared in 2 files');
    expect(treeSnapshot(dir)).toEqual(before);
  });

  it('on malformed Go, naming file:line:col', async () => {
    const dir = copyFixture('g05');
    const server = join(dir, TARGET_FILES.g05.server);
    const lines = readFileSync(server, 'utf8').split('\n');
    const at = lines.findIndex((l) => l.startsWith('func (s *StreamingServer) Process('));
    lines.splice(at + 2, 0, '\tif x := ; {');
    writeFileSync(server, lines.join('\n'));
    const before = treeSnapshot(dir);
    const run = await cli(['apply', '--source', dir], { cwd: dir });
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toMatch(new RegExp(`^error: ${TARGET_FILES.g05.server}:${at + 3}:\\d+: `, 'm'));
    expect(treeSnapshot(dir)).toEqual(before);
  });

  it('on a tree with no EPP, saying what it is', async () => {
    // GIE v1.6.0: pkg/lwepp/handlers/server.go declares StreamingServer.Process, but it is not the EPP.
    const dir = tempDir();
    writeLightweightEppTree(dir);
    const run = await cli(['apply', '--source', dir], { cwd: dir });
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toContain('no EPP sources');
    expect(run.stderr).toContain('GIE v1.6.0 or later');
    expect(run.stderr).not.toContain('missing');
    expect(existsSync(join(dir, '.instrument'))).toBe(false);
  });

  it('when a target is a symbolic link leading out of the tree', async () => {
    const dir = copyFixture('g12');
    const outside = join(tempDir(), 'server.go');
    renameSync(join(dir, TARGET_FILES.g12.server), outside);
    symlinkSync(outside, join(dir, TARGET_FILES.g12.server));
    const outsideBefore = readFileSync(outside);
    const run = await cli(['apply', '--source', dir], { cwd: dir });
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toContain('outside');
    expect(readFileSync(outside).equals(outsideBefore)).toBe(true);
  });

  it('while another run holds the lock, and takes over a stale one', async () => {
    const dir = copyFixture('g12');
    mkdirSync(join(dir, '.instrument'));
    const lock = join(dir, '.instrument', 'lock');
    const { hostname } = await import('node:os');
    writeFileSync(lock, JSON.stringify({ pid: process.pid, host: hostname(), command: 'apply', since: 'earlier' }));
    const held = await cli(['apply', '--source', dir], { cwd: dir });
    expect(held.exitCode).toBe(1);
    expect(held.stderr).toContain(`pid ${process.pid}`);
    expect(readFileSync(join(dir, TARGET_FILES.g12.server), 'utf8')).not.toContain('instrument:begin');

    writeFileSync(lock, JSON.stringify({ pid: 2 ** 22 + 1, host: hostname(), command: 'apply', since: 'earlier' }));
    const stale = await cli(['apply', '--source', dir], { cwd: dir });
    expect(stale.exitCode).toBe(0);
    expect(stale.stderr).toContain('took over a lock');
    expect(existsSync(lock)).toBe(false);
  });
});

describe('what apply preserves and adapts to', () => {
  it('keeps CRLF line endings, the byte-order mark, a missing final newline and the file mode', async () => {
    const dir = copyFixture('g12');
    const server = join(dir, TARGET_FILES.g12.server);
    writeFileSync(server, '\uFEFF' + readFileSync(server, 'utf8').replace(/\n$/, '').replaceAll('\n', '\r\n'));
    chmodSync(server, 0o755);
    const before = treeSnapshot(dir);
    expect((await cli(['apply', '--source', dir], { cwd: dir })).exitCode).toBe(0);
    const patched = readFileSync(server);
    expect(patched.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    expect(patched.toString('utf8')).toContain('// instrument:begin server.request');
    expect(patched.toString('utf8').replaceAll('\r\n', '')).not.toContain('\n');
    expect(treeSnapshot(dir).get(TARGET_FILES.g12.server)).toMatch(/ 755$/);
    expect((await cli(['revert', '--source', dir], { cwd: dir })).exitCode).toBe(0);
    expect(treeSnapshot(dir)).toEqual(before);
  });

  it('finds the target files by what they declare, wherever they are', async () => {
    const dir = copyFixture('g15');
    const moved = join(dir, 'pkg/epp/scheduling/profile_impl.go');
    renameSync(join(dir, TARGET_FILES.g15.profile), moved);
    const run = await applyJson(dir);
    expect(run.exitCode).toBe(0);
    expect(run.result.points.find((p) => p.id === 'profile.scores')!.file).toBe('pkg/epp/scheduling/profile_impl.go');
  });

  it('uses the V level given by --verbosity and rejects a bad one', async () => {
    const dir = copyFixture('g040');
    expect((await cli(['apply', '--source', dir, '--verbosity', '4'], { cwd: dir })).exitCode).toBe(0);
    const profile = readFileSync(join(dir, TARGET_FILES.g040.profile), 'utf8');
    expect(profile.match(/\.V\(4\); instrLog\.Enabled\(\)/g)).toHaveLength(3);
    const state = JSON.parse(readFileSync(join(dir, '.instrument/state.json'), 'utf8'));
    expect(state.verbosity).toBe(4);
    const conflicting = await cli(['apply', '--source', dir, '--verbosity', '2'], { cwd: dir });
    expect(conflicting.exitCode).toBe(1);
    expect(conflicting.stderr).toContain('already applied with --verbosity 4');
    for (const bad of ['-1', '11', 'two']) {
      expect((await cli(['apply', '--source', dir, '--verbosity', bad], { cwd: dir })).exitCode).toBe(2);
    }
  });
});

describe('file modes', () => {
  it('are kept exactly, whatever the umask strips from new files', async () => {
    const dir = copyFixture('g12');
    const server = join(dir, TARGET_FILES.g12.server);
    chmodSync(server, 0o664);
    const previous = process.umask(0o022);
    try {
      await cli(['apply', '--source', dir], { cwd: dir });
      expect(treeSnapshot(dir).get(TARGET_FILES.g12.server)).toMatch(/ 664$/);
      await cli(['revert', '--source', dir], { cwd: dir });
      expect(treeSnapshot(dir).get(TARGET_FILES.g12.server)).toMatch(/ 664$/);
    } finally {
      process.umask(previous);
    }
  });
});
