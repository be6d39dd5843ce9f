import { compileGoWasm } from '../../codemod/go-wasm.ts';
import { ExitCode } from '../../exit-codes.ts';
import { renderApply } from '../../reporters/text.ts';
import { defineCommand, json } from './define.ts';
import { dryRun, integer, targetFile, tree, treeOptions, type TreeFlags } from './options.ts';

export default defineCommand<TreeFlags & { verbosity?: number; dryRun?: boolean; targetFile?: string[] }>({
  name: 'apply',
  summary: 'insert the log statements at the decision points (all or nothing)',
  description:
    'Insert the log statements at the decision points of the EPP sources, all or nothing: when any point cannot be placed, every point is reported and nothing is written. A second apply says "already applied" and changes nothing.',
  options: [
    ...treeOptions,
    targetFile,
    { flags: '--verbosity <n>', description: 'V level of the inserted lines, 0 to 10 (default 2: shown at the EPP default --v, never sampled)', parse: integer, complete: 'none' },
    dryRun('print the unified diff and write nothing'),
  ],
  examples: [
    { description: 'See what apply would change (a unified diff annotated with point ids), and write nothing', command: 'instrument apply --dry-run' },
    { description: 'Insert the points in the llm-d tree found from the current folder', command: 'instrument apply' },
    { description: 'Insert them in a GIE checkout, at V level 0 (GIE v1.3.1 ignores -v)', command: 'instrument apply --source ../gie --verbosity 0' },
  ],
  async run({ io, style, flags }) {
    compileGoWasm(); // first, so that it compiles while the rest loads
    const { apply } = await import('../apply.ts');
    const result = await apply({ ...tree(io, flags), verbosity: flags.verbosity, dryRun: flags.dryRun, targetFiles: flags.targetFile });
    return { rendered: flags.json ? json(result) : renderApply(result, style), exitCode: result.status === 'failed' ? ExitCode.failed : ExitCode.ok };
  },
});
