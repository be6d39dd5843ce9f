import { ExitCode } from '../../exit-codes.ts';
import { renderStatus } from '../../reporters/text.ts';
import { defineCommand, json } from './define.ts';
import { tree, treeOptions, type TreeFlags } from './options.ts';

export default defineCommand<TreeFlags>({
  name: 'status',
  summary: 'say, per point, whether it is applied, where, and whether the file changed since',
  options: treeOptions,
  examples: [
    { description: 'Which points are in, where, and whether a file changed since apply', command: 'instrument status' },
    { description: 'The same as JSON (its "status" is applied, not-applied, partly-applied or interrupted)', command: 'instrument status --json' },
  ],
  async run({ io, style, flags }) {
    const { status } = await import('../status.ts');
    const result = await status(tree(io, flags));
    return { rendered: flags.json ? json(result) : renderStatus(result, style), exitCode: ExitCode.ok };
  },
});
