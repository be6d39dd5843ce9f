import { execa } from 'execa';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { POINT_IDS } from '../../src/codemod/patch.ts';
import { makeBaseImages } from '../helpers/base-images.ts';
import { cli } from '../helpers/cli.ts';
import { treeSnapshot } from '../helpers/fixtures.ts';
import { exampleWorkspace, LLMD } from '../helpers/workspace.ts';

describe('instrument build with a real Docker engine', () => {
  it('builds the instrumented example, whose image logs every point offline, and revert leaves the workspace byte-identical', async () => {
    const env = { PATH: process.env.PATH!, HOME: process.env.HOME ?? '/root', DOCKER_HOST: inject('dockerHost') };
    const { root, upstream } = await exampleWorkspace();
    expect((await cli(['vendor', '--upstream', upstream], { cwd: root })).exitCode).toBe(0);
    const pristine = treeSnapshot(root);
    expect((await cli(['apply'], { cwd: root })).exitCode).toBe(0);
    await makeBaseImages(env, join(root, LLMD));

    const built = await cli(['build', '--json'], { cwd: root, env });
    expect(built.exitCode, built.stderr).toBe(0);
    const result = JSON.parse(built.stdout);
    expect(result).toMatchObject({ status: 'built', image: 'llm-d-inference-scheduler:local', runtime: 'docker', dockerfile: { derived: true } });
    expect(result.imageId).toMatch(/^sha256:[0-9a-f]{64}$/);
    // The engine's output streamed through, as plain lines (stderr is not a terminal here).
    expect(built.stderr).toMatch(/^Step \d+\/\d+ : COPY _deps\/ _deps\/$/m);

    const ran = await execa('docker', ['run', '--rm', '--network', 'none', 'llm-d-inference-scheduler:local', '--selftest', '3'], { env, reject: false });
    expect(ran.exitCode, ran.stderr).toBe(0);
    const ours = ran.stderr.split('\n').filter((l) => l.includes('\tinstrument: '));
    // Per request: one line per point, and profile.scores once per scorer (the example has two).
    expect(ours).toHaveLength(3 * (POINT_IDS.length + 1));
    for (const id of POINT_IDS) {
      for (const request of ['selftest-1', 'selftest-2', 'selftest-3']) {
        expect(ours.some((l) => l.includes(`"x-request-id": "${request}"`) && l.includes(`"point": "${id}"`)), `${id} ${request}`).toBe(true);
      }
    }
    expect(ran.stdout).toMatch(/^selftest request selftest-1 -> 10\.0\.0\.\d:8000$/m);

    expect((await cli(['revert'], { cwd: root })).exitCode).toBe(0);
    expect(treeSnapshot(root)).toEqual(pristine);
  });
});
