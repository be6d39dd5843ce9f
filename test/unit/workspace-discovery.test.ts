import { cpSync, mkdirSync, realpathSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, type CliRun } from '../helpers/cli.ts';
import { copyFixture, tempDir, treeSnapshot } from '../helpers/fixtures.ts';

// Issue 12: the llm-d tree is found by its go.mod module path, whatever its folder is called, from
// the folder that holds it, from inside it at any depth, and with --root; every command that needs
// the sources says once what it found (on stderr: stdout stays the result alone).

const env = { PATH: process.env.PATH! };

/** Today's upstream as users clone it: `<parent>/llm-d-router/`, module github.com/llm-d/llm-d-router. */
function routerClone(name = 'llm-d-router'): { parent: string; clone: string } {
  const parent = realpathSync(tempDir());
  const clone = join(parent, name);
  copyFixture('lh', clone);
  writeFileSync(join(clone, 'Dockerfile.epp'), 'FROM scratch\nCOPY . /src\n');
  return { parent, clone };
}

/** How many times the run's output says what it found; never on stdout. */
function saysFound(run: CliRun): number {
  expect(run.stdout).not.toMatch(/^llm-d tree /m);
  return run.stderr.split('\n').filter((l) => l.startsWith('llm-d tree ')).length;
}

describe('finding the llm-d tree (issue 12)', () => {
  it('by its module path from the parent folder, from inside it at any depth, and with --root, each command saying once what it found', async () => {
    const { parent, clone } = routerClone();
    const before = treeSnapshot(clone);
    const found = `llm-d tree llm-d-router/ (module github.com/llm-d/llm-d-router) found`;

    const apply = await cli(['apply'], { cwd: parent, env });
    expect(apply.exitCode, apply.stderr).toBe(0);
    expect(apply.stderr.split('\n')[0]).toBe(`${found} in ${parent}; workspace ${parent}; EPP sources: llm-d-router/ itself`);
    expect(saysFound(apply)).toBe(1);

    const status = await cli(['status'], { cwd: clone, env });
    expect(status.exitCode).toBe(0);
    expect(status.stderr.split('\n')[0]).toBe(`${found} at ${clone}; workspace ${parent}; EPP sources: llm-d-router/ itself`);
    expect(status.stdout).toMatch(/^applied/m);
    expect(saysFound(status)).toBe(1);

    const deep = join(clone, 'pkg', 'epp', 'scheduling');
    const diff = await cli(['diff'], { cwd: deep, env });
    expect(diff.exitCode).toBe(0);
    expect(diff.stdout).toContain('+++ b/llm-d-router/pkg/epp/scheduling/scheduler_profile.go');
    expect(diff.stderr.split('\n')[0]).toBe(`${found} above ${deep}; workspace ${parent}; EPP sources: llm-d-router/ itself`);
    expect(saysFound(diff)).toBe(1);

    const build = await cli(['build', '--dry-run', '--root', deep], { cwd: tempDir(), env });
    expect(build.exitCode, build.stderr).toBe(0);
    expect(saysFound(build)).toBe(1);
    expect(build.stdout).toContain('Dockerfile: llm-d-router/Dockerfile.epp');
    expect(build.stdout).toMatch(new RegExp(`command: docker build -t llm-d-inference-scheduler:local -f ${join(clone, 'Dockerfile.epp')} ${clone}$`, 'm'));

    const load = await cli(['load', '--dry-run', '--cluster', 'kind', '--root', clone], { cwd: tempDir(), env });
    expect(load.exitCode, load.stderr).toBe(0);
    expect(load.stderr.split('\n')[0]).toBe(`${found} at ${clone}; workspace ${parent}; EPP sources: llm-d-router/ itself`);

    const logFile = join(tempDir(), 'epp.log');
    writeFileSync(logFile, '');
    const logs = await cli(['logs', '--file', logFile, '--root', deep], { cwd: tempDir(), env });
    expect(logs.exitCode, logs.stderr).toBe(0);
    expect(logs.stderr.split('\n')[0]).toBe(`${found} above ${deep}; workspace ${parent}; EPP sources: llm-d-router/ itself`);
    expect(saysFound(logs)).toBe(1);

    const revert = await cli(['revert', '--root', parent], { cwd: tempDir(), env });
    expect(revert.exitCode, revert.stderr).toBe(0);
    expect(saysFound(revert)).toBe(1);
    expect(treeSnapshot(clone)).toEqual(before);
  });

  it('with --source, for the commands that read the sources and for build', async () => {
    const { clone } = routerClone('checkout');
    const apply = await cli(['apply', '--source', clone], { cwd: tempDir(), env });
    expect(apply.exitCode, apply.stderr).toBe(0);
    expect(apply.stderr.split('\n')[0]).toBe(`EPP sources: ${clone} (--source)`);
    const build = await cli(['build', '--dry-run', '--source', clone], { cwd: tempDir(), env });
    expect(build.exitCode, build.stderr).toBe(0);
    expect(build.stdout).toMatch(new RegExp(`-f ${join(clone, 'Dockerfile.epp')} ${clone}$`, 'm'));
    expect((await cli(['revert', '--source', clone], { cwd: tempDir(), env })).exitCode).toBe(0);
  });

  it('recognises the older module path under any folder name, and vendor finds its _deps there', async () => {
    const parent = realpathSync(tempDir());
    const llmd = join(parent, 'scheduler');
    mkdirSync(join(llmd, '_deps'), { recursive: true });
    writeFileSync(join(llmd, 'go.mod'), 'module github.com/llm-d/llm-d-inference-scheduler\n\ngo 1.24.0\n\nrequire sigs.k8s.io/gateway-api-inference-extension v1.2.0\n');
    cpSync(copyFixture('g12'), join(llmd, '_deps', 'gateway-api-inference-extension'), { recursive: true });
    const vendor = await cli(['vendor'], { cwd: llmd, env });
    expect(vendor.exitCode, vendor.stderr).toBe(0);
    expect(vendor.stderr.split('\n')[0]).toBe(
      `llm-d tree scheduler/ (module github.com/llm-d/llm-d-inference-scheduler) found at ${llmd}; workspace ${parent}; EPP sources: the vendored GIE copy scheduler/_deps/gateway-api-inference-extension/`,
    );
    expect(vendor.stdout).toContain('scheduler/_deps/gateway-api-inference-extension already exists');
    const status = await cli(['status', '--json'], { cwd: join(llmd, '_deps', 'gateway-api-inference-extension', 'pkg'), env });
    expect(JSON.parse(status.stdout).tree).toMatchObject({ root: parent, layout: 'vendored', sources: 'scheduler/_deps/gateway-api-inference-extension' });
  });

  it('keeps the seed layout, and refuses two llm-d trees in one workspace or none at all (exit 2)', async () => {
    const parent = realpathSync(tempDir());
    copyFixture('lh', join(parent, 'llm-d-inference-scheduler'));
    const seed = await cli(['status'], { cwd: parent, env });
    expect(seed.exitCode).toBe(0);
    expect(seed.stderr.split('\n')[0]).toBe(`llm-d tree llm-d-inference-scheduler/ (module github.com/llm-d/llm-d-router) found in ${parent}; workspace ${parent}; EPP sources: llm-d-inference-scheduler/ itself`);

    copyFixture('lh', join(parent, 'llm-d-router'));
    for (const cwd of [parent, join(parent, 'llm-d-router')]) {
      const two = await cli(['apply'], { cwd, env });
      expect(two.exitCode).toBe(2);
      expect(two.stderr).toContain('holds 2 llm-d trees (llm-d-inference-scheduler/, llm-d-router/)');
    }
    const nothing = await cli(['apply'], { cwd: realpathSync(tempDir()), env });
    expect(nothing.exitCode).toBe(2);
    expect(nothing.stderr).toMatch(/^error: no llm-d tree in or above \S+: no folder there holds a go\.mod declaring github\.com\/llm-d\/llm-d-inference-scheduler or github\.com\/llm-d\/llm-d-router/m);
  });
});
