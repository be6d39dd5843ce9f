import { ExitCode } from '../../exit-codes.ts';
import { renderRevert } from '../../reporters/text.ts';
import { defineCommand, json } from './define.ts';
import { tree, treeOptions, type TreeFlags } from './options.ts';

export default defineCommand<TreeFlags & { force?: boolean }>({
  name: 'revert',
  summary: 'remove the inserted statements and give back the original bytes',
  description:
    "Remove the inserted statements and check each file against the sha256 recorded before apply. Your edits outside instrument's blocks are kept; a block edited by hand makes revert refuse (exit 1, nothing changed) unless --force.",
  options: [...treeOptions, { flags: '--force', description: 'also remove blocks that were edited by hand (everything outside them is kept)' }],
  examples: [
    { description: 'Take the points out again; every file is byte-identical to before', command: 'instrument revert' },
    { description: 'Also remove blocks you edited by hand', command: 'instrument revert --force' },
  ],
  async run({ io, style, flags }) {
    const { revert } = await import('../revert.ts');
    const result = await revert({ ...tree(io, flags), force: flags.force });
    return { rendered: flags.json ? json(result) : renderRevert(result, style), exitCode: result.status === 'refused' ? ExitCode.failed : ExitCode.ok };
  },
});
