import { execa } from 'execa';
import { join } from 'node:path';
import { cli } from './cli.ts';
import { REPO, tempDir } from './fixtures.ts';

export const LLMD = 'llm-d-inference-scheduler';

/** The example workspace and a local GIE upstream (scripts/make-example-workspace.sh). */
export async function exampleWorkspace(dest = tempDir()): Promise<{ root: string; upstream: string }> {
  await execa('bash', [join(REPO, 'scripts', 'make-example-workspace.sh'), dest]);
  return { root: join(dest, 'workspace'), upstream: join(dest, 'upstream-gie') };
}

/** The example workspace with GIE vendored and the patches applied: ready to build. */
export async function appliedWorkspace(): Promise<string> {
  const { root, upstream } = await exampleWorkspace();
  for (const args of [['vendor', '--upstream', upstream], ['apply']]) {
    const run = await cli(args, { cwd: root });
    if (run.exitCode !== 0) throw new Error(`instrument ${args[0]} failed: ${run.stderr}`);
  }
  return root;
}
