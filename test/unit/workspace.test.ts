import { cpSync, existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { vendor, versionToRef } from '../../src/commands/vendor.ts';
import { goModDirectives } from '../../src/codemod/workspace.ts';
import { cli } from '../helpers/cli.ts';
import { FIXTURES, REPO, tempDir, treeSnapshot } from '../helpers/fixtures.ts';
import { exampleWorkspace, LLMD } from '../helpers/workspace.ts';


async function git(cwd: string, ...args: string[]) {
  return execa('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.invalid', ...args], { cwd });
}

/** Commits a file `name` upstream, after the tag the example's go.mod requires; returns the commit. */
async function laterCommit(upstream: string, name: string): Promise<string> {
  writeFileSync(join(upstream, name), 'x\n');
  await git(upstream, 'add', name);
  await git(upstream, 'commit', '-qm', `later: ${name}`);
  return (await git(upstream, 'rev-parse', 'HEAD')).stdout.trim();
}

/** Makes llm-d's go.mod require GIE at a pseudo-version of `commit`. */
function requirePseudoVersion(root: string, commit: string): void {
  const goMod = join(root, LLMD, 'go.mod');
  writeFileSync(goMod, readFileSync(goMod, 'utf8').replace(' v1.2.0', ` v1.2.1-0.20260128235548-${commit.slice(0, 12)}`));
}

describe('go module versions as git refs', () => {
  it('takes the commit of a pseudo-version and the tag of a release', () => {
    expect(versionToRef('v0.0.0-20260128235548-fd30cb97714a')).toEqual({ ref: 'fd30cb97714a', kind: 'commit' });
    expect(versionToRef('v1.4.0-rc.1.0.20260128235548-fd30cb97714a')).toEqual({ ref: 'fd30cb97714a', kind: 'commit' });
    expect(versionToRef('v1.2.0')).toEqual({ ref: 'v1.2.0', kind: 'tag' });
  });

  it('reads require and replace directives, single and in blocks', () => {
    const text = 'module m\n\nrequire (\n\ta v1 // c\n\tsigs.k8s.io/gateway-api-inference-extension v1.2.0\n)\nreplace x => ../x\nreplace (\n\ty v2 => ./y\n)\n';
    const { requires, replaces } = goModDirectives(text);
    expect(requires.map((r) => [r.module, r.version])).toEqual([
      ['a', 'v1'],
      ['sigs.k8s.io/gateway-api-inference-extension', 'v1.2.0'],
    ]);
    expect(replaces.map((r) => [r.module, r.target])).toEqual([
      ['x', '../x'],
      ['y', './y'],
    ]);
  });
});

describe('the vendored workspace', () => {
  it('vendors the required tag, adds the replace on apply and removes exactly it on revert', async () => {
    const { root, upstream } = await exampleWorkspace();
    const vendored = await cli(['vendor', '--upstream', upstream], { cwd: root });
    expect(vendored.exitCode, vendored.stderr).toBe(0);
    expect(vendored.stdout).toContain('at v1.2.0');
    const before = treeSnapshot(root);
    const applied = await cli(['apply'], { cwd: root });
    expect(applied.exitCode).toBe(0);
    // No warning (the vendored copy is the version go.mod requires): stderr only says what was found.
    expect(applied.stderr).toMatch(/^llm-d tree llm-d-inference-scheduler\/ \(module [^)]+\) found in [^\n]+\n$/);
    expect(readFileSync(join(root, LLMD, 'go.mod'), 'utf8')).toContain(
      'replace sigs.k8s.io/gateway-api-inference-extension => ./_deps/gateway-api-inference-extension',
    );
    expect((await cli(['revert'], { cwd: root })).exitCode).toBe(0);
    expect(treeSnapshot(root)).toEqual(before);
  });

  it('clones only the tagged commit, and shows git\'s progress when asked', async () => {
    const { root, upstream } = await exampleWorkspace();
    // A commit after the tag: a clone of the whole history would hold it.
    const later = await laterCommit(upstream, 'LATER');
    const events: string[] = [];
    const result = await vendor({ cwd: root, upstream, onProgress: (event) => events.push(`${event.method} ${event.stage}`) });
    expect(result).toMatchObject({ status: 'vendored', ref: 'v1.2.0', depth: 'one commit' });
    const copy = join(root, LLMD, '_deps', 'gateway-api-inference-extension');
    expect(existsSync(join(copy, '.git', 'shallow'))).toBe(true);
    expect((await git(copy, 'rev-list', '--count', 'HEAD')).stdout.trim()).toBe('1');
    expect((await git(copy, 'cat-file', '-e', later).catch((error: { exitCode: number }) => error)).exitCode).toBe(1);
    expect((await git(copy, 'tag', '--points-at', 'HEAD')).stdout.trim()).toBe('v1.2.0');
    expect(events).toContain('clone receiving');
    const shown = await cli(['vendor', '--upstream', upstream, '--force'], { cwd: root });
    expect(shown.stdout).toContain('the copy holds that one commit (a shallow clone)');
    // Not a terminal: no progress on stderr, only what was found.
    expect(shown.stderr).toMatch(/^llm-d tree [^\n]+\n$/);
  });

  it('clones the whole history from a remote that cannot send a shallow clone, and says so', async () => {
    const { root, upstream } = await exampleWorkspace();
    // A dumb HTTP remote: the repository's files served as they are, which git reads without its protocol.
    const bare = join(tempDir(), 'gie.git');
    await git(upstream, 'clone', '-q', '--bare', upstream, bare);
    await git(bare, 'update-server-info');
    const server = createServer((request, response) => {
      const path = join(bare, decodeURIComponent(new URL(request.url!, 'http://x').pathname));
      if (!path.startsWith(bare) || !existsSync(path) || statSync(path).isDirectory()) return response.writeHead(404).end();
      response.writeHead(200, { 'content-type': 'application/octet-stream' }).end(readFileSync(path));
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
      const result = await vendor({ cwd: root, upstream: url });
      expect(result).toMatchObject({ status: 'vendored', ref: 'v1.2.0', depth: 'whole history', depthNote: `${url} cannot send a shallow clone (a dumb HTTP server), so its whole history was cloned` });
      expect(existsSync(join(root, LLMD, '_deps', 'gateway-api-inference-extension', 'go.mod'))).toBe(true);
    } finally {
      server.close();
    }
  });

  it('vendors into the llm-d tree found by its module path, whatever its folder is called, from inside it', async () => {
    const { root, upstream } = await exampleWorkspace();
    const renamed = join(root, 'scheduler');
    renameSync(join(root, LLMD), renamed);
    const vendored = await cli(['vendor', '--upstream', upstream], { cwd: join(renamed, 'pkg') });
    expect(vendored.exitCode, vendored.stderr).toBe(0);
    expect(vendored.stderr.split('\n')[0]).toMatch(/^llm-d tree scheduler\/ \(module github\.com\/llm-d\/llm-d-inference-scheduler\) found above /);
    expect(existsSync(join(renamed, '_deps', 'gateway-api-inference-extension', 'go.mod'))).toBe(true);
    expect(existsSync(join(root, LLMD))).toBe(false);
    const applied = await cli(['apply'], { cwd: root });
    expect(applied.exitCode, applied.stderr).toBe(0);
    expect(readFileSync(join(renamed, 'go.mod'), 'utf8')).toContain('replace sigs.k8s.io/gateway-api-inference-extension => ./_deps/gateway-api-inference-extension');
  });

  it('vendors the commit of a pseudo-version', async () => {
    const { root, upstream } = await exampleWorkspace();
    const head = await laterCommit(upstream, 'EXTRA');
    requirePseudoVersion(root, head);
    const vendored = await cli(['vendor', '--upstream', upstream, '--json'], { cwd: root });
    expect(vendored.exitCode).toBe(0);
    const copy = join(root, LLMD, '_deps', 'gateway-api-inference-extension');
    expect(existsSync(join(copy, 'EXTRA'))).toBe(true);
    // A local repository serves no partial clone unless it allows filters: the whole history comes, and vendor says why.
    expect(JSON.parse(vendored.stdout)).toMatchObject({ commit: head, depth: 'whole history', depthNote: expect.stringContaining('does not serve partial clones') });
    const applied = await cli(['apply', '--dry-run'], { cwd: root });
    // No warning (the vendored copy is the version go.mod requires): stderr only says what was found.
    expect(applied.stderr).toMatch(/^llm-d tree llm-d-inference-scheduler\/ \(module [^)]+\) found in [^\n]+\n$/);
  });

  it('clones a pseudo-version\'s history without file contents where the remote serves partial clones', async () => {
    const { root, upstream } = await exampleWorkspace();
    const head = await laterCommit(upstream, 'EXTRA');
    await git(upstream, 'config', 'uploadpack.allowFilter', 'true');
    requirePseudoVersion(root, head);
    const result = await vendor({ cwd: root, upstream });
    expect(result).toMatchObject({ commit: head, depth: 'history without file contents', depthNote: expect.stringContaining('first 12 hex digits') });
    const copy = join(root, LLMD, '_deps', 'gateway-api-inference-extension');
    expect((await git(copy, 'config', '--get', 'remote.origin.partialclonefilter')).stdout.trim()).toBe('blob:none');
    expect(readFileSync(join(copy, 'EXTRA'), 'utf8')).toBe('x\n');
  });

  it('warns when the vendored copy is not the version go.mod requires', async () => {
    const { root, upstream } = await exampleWorkspace();
    await cli(['vendor', '--upstream', upstream], { cwd: root });
    const goMod = join(root, LLMD, 'go.mod');
    writeFileSync(goMod, readFileSync(goMod, 'utf8').replace(' v1.2.0', ' v1.3.1'));
    const run = await cli(['apply', '--dry-run'], { cwd: root });
    expect(run.exitCode).toBe(0);
    expect(run.stderr).toContain('warning: the vendored copy is at v1.2.0 but llm-d-inference-scheduler/go.mod requires sigs.k8s.io/gateway-api-inference-extension v1.3.1');
  });

  it('fails, writing nothing, when go.mod already replaces GIE with something else', async () => {
    const { root, upstream } = await exampleWorkspace();
    await cli(['vendor', '--upstream', upstream], { cwd: root });
    const goMod = join(root, LLMD, 'go.mod');
    writeFileSync(goMod, readFileSync(goMod, 'utf8') + '\nreplace sigs.k8s.io/gateway-api-inference-extension => ../my-fork\n');
    const before = treeSnapshot(root);
    const run = await cli(['apply'], { cwd: root });
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toMatch(/missing\s+workspace\.replace/);
    expect(run.stdout).toContain('../my-fork');
    expect(run.stdout).toContain('what to do: Remove that replace directive from llm-d-inference-scheduler/go.mod, or point it at ./_deps/gateway-api-inference-extension');
    expect(treeSnapshot(root)).toEqual(before);
  });

  it('moves an existing copy aside with vendor --force, never deleting it', async () => {
    const { root, upstream } = await exampleWorkspace();
    await cli(['vendor', '--upstream', upstream], { cwd: root });
    const marker = join(root, LLMD, '_deps', 'gateway-api-inference-extension', 'MY-NOTES');
    writeFileSync(marker, 'mine\n');
    const again = await cli(['vendor', '--upstream', upstream], { cwd: root });
    expect(again.stdout).toContain('already exists');
    const forced = await cli(['vendor', '--upstream', upstream, '--force', '--json'], { cwd: root });
    const moved = JSON.parse(forced.stdout).movedAside as string;
    expect(readFileSync(join(root, moved, 'MY-NOTES'), 'utf8')).toBe('mine\n');
    expect(existsSync(marker)).toBe(false);
  });
});

describe('the in-tree workspace (llm-d-router)', () => {
  it('has nothing to vendor, although its go.mod requires GIE (for the API types)', async () => {
    const root = tempDir();
    mkdirSync(join(root, LLMD));
    cpSync(join(FIXTURES, 'lh'), join(root, LLMD), { recursive: true });
    writeFileSync(join(root, LLMD, 'go.mod'), readFileSync(join(root, LLMD, 'go.mod'), 'utf8') + '\nrequire sigs.k8s.io/gateway-api-inference-extension v1.5.0\n');
    const before = treeSnapshot(root);
    const run = await cli(['vendor', '--upstream', join(root, 'unused')], { cwd: root });
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toContain('go.mod declares github.com/llm-d/llm-d-router, whose EPP is in its own tree (pkg/epp)');
    expect(treeSnapshot(root)).toEqual(before);
  });

  it('patches llm-d-inference-scheduler/pkg/epp directly, with no go.mod change', async () => {
    const root = tempDir();
    mkdirSync(join(root, LLMD));
    cpSync(join(FIXTURES, 'lh'), join(root, LLMD), { recursive: true });
    const before = treeSnapshot(root);
    const run = await cli(['apply', '--json'], { cwd: root });
    expect(run.exitCode).toBe(0);
    const result = JSON.parse(run.stdout);
    expect(result.tree).toMatchObject({ layout: 'in-tree', sources: LLMD });
    expect(result.points.map((p: { id: string }) => p.id)).not.toContain('workspace.replace');
    expect((await cli(['revert', '--root', root], { cwd: REPO })).exitCode).toBe(0);
    expect(treeSnapshot(root)).toEqual(before);
  });
});
