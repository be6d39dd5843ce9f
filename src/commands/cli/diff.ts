import { compileGoWasm } from '../../codemod/go-wasm.ts';
import { ExitCode } from '../../exit-codes.ts';
import { renderDiff } from '../../reporters/text.ts';
import { defineCommand, json } from './define.ts';
import { integer, targetFile, tree, treeOptions, type TreeFlags } from './options.ts';

export default defineCommand<TreeFlags & { verbosity?: number; exitCode?: boolean; targetFile?: string[] }>({
  name: 'diff',
  summary: 'print the change as a unified diff annotated with point ids (applied, or what apply would do)',
  description:
    'Print the change as a unified diff annotated with point ids: the applied change when the points are in, else what apply would do. The first line says which (# APPLIED or # PLANNED); git apply and patch skip it. Writes nothing.',
  options: [
    ...treeOptions,
    targetFile,
    { flags: '--verbosity <n>', description: 'V level, for the diff of a planned apply', parse: integer, complete: 'none' },
    { flags: '--exit-code', description: 'exit 1 when the sources differ from their originals (the points are in) and 0 when they do not, as git diff --exit-code does for a working tree' },
  ],
  examples: [
    { description: 'What the applied points changed, or what apply would change', command: 'instrument diff' },
    { description: 'Fail a script when the sources differ from the originals', command: 'instrument diff --exit-code >/dev/null' },
    { description: 'Keep the change as a patch file', command: 'instrument diff --color never > instrument.patch' },
  ],
  async run({ io, style, flags }) {
    compileGoWasm();
    const { diff } = await import('../diff.ts');
    const result = await diff({ ...tree(io, flags), verbosity: flags.verbosity, targetFiles: flags.targetFile });
    const failed = result.points.some((p) => p.status === 'missing' || p.status === 'ambiguous');
    // A planned diff is a preview of apply, not a difference of the sources: with it, the sources
    // are the originals, so --exit-code says 0 (a script's "is this tree instrumented?").
    const differs = result.source === 'applied' && result.diff !== '';
    const exitCode = failed || (flags.exitCode === true && differs) ? ExitCode.failed : ExitCode.ok;
    return { rendered: flags.json ? json(result) : renderDiff(result, style), exitCode };
  },
});
