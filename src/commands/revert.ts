import { lstatSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { resolveTree, summarizeTree, type TreeSummary, writablePath, type TreeOptions } from '../codemod/locate.ts';
import { planRemoval, removeRanges } from '../codemod/markers.ts';
import { withOpenTree } from '../codemod/session.ts';
import { decodeSource, sha256 } from '../codemod/source-text.ts';
import { patchedFiles, removeState, type AppliedFile } from '../codemod/state.ts';
import type { FileWrite, Recovery } from '../codemod/transaction.ts';
import { InternalError } from '../errors.ts';

export interface RevertOptions extends TreeOptions {
  /** Remove our blocks even where they were edited, keeping everything else. */
  readonly force?: boolean | undefined;
}

export type RevertFileOutcome =
  /** Back to the recorded original bytes (sha256 checked). */
  | 'restored'
  /** The file was edited outside our blocks: the blocks are gone, the edits kept. */
  | 'restored-keeping-edits'
  /** No record of the apply: the blocks were removed, with no recorded hash to check against. */
  | 'blocks-removed'
  /** --force removed blocks that had been edited. */
  | 'forced'
  /** A file apply created, removed again: it held exactly the bytes apply wrote. */
  | 'removed'
  /** This file could not be reverted (an edited block, damaged markers, gone, not UTF-8): nothing was changed. */
  | 'refused'
  /** This file could have been reverted, but another one was refused, so nothing was changed. */
  | 'unchanged';

export interface RevertFile {
  readonly path: string;
  readonly outcome: RevertFileOutcome;
  readonly points: readonly string[];
  /** What stopped revert, with lines: edited blocks, damaged markers. */
  readonly problems: readonly string[];
}

export interface RevertResult {
  readonly command: 'revert';
  readonly status: 'reverted' | 'not-applied' | 'refused';
  readonly tree: TreeSummary;
  readonly files: readonly RevertFile[];
  readonly warnings: readonly string[];
  readonly recovered: Recovery | undefined;
}

interface PlannedFile {
  readonly outcome: RevertFile;
  readonly write: FileWrite | undefined;
}

/** What revert would do to one file, deciding from its bytes alone. */
function planFile(root: string, file: AppliedFile, recorded: boolean, force: boolean): PlannedFile {
  const refuse = (problem: string, points: readonly string[] = file.points): PlannedFile => ({
    outcome: { path: file.path, outcome: 'refused', points, problems: [`${file.path}: ${problem}`] },
    write: undefined,
  });
  const joined = join(root, file.path);
  if (!lstatSync(joined, { throwIfNoEntry: false })) {
    if (file.pristineSha256 === null) return { outcome: { path: file.path, outcome: 'removed', points: file.points, problems: [] }, write: undefined };
    return refuse('apply patched this file, and it no longer exists; restore it (for example with `git checkout --`), then revert again');
  }
  const path = writablePath(root, joined);
  const bytes = readFileSync(path);
  if (file.pristineSha256 === null) {
    // Ours only while it holds exactly what apply wrote: anything else is kept, whatever --force says.
    if (sha256(bytes) !== file.patchedSha256) return refuse('instrument created this file, but it was changed since, so it is not removed; delete it yourself if you do not need it');
    return { outcome: { path: file.path, outcome: 'removed', points: file.points, problems: [] }, write: { path, bytes: null, before: bytes, pristineSha256: null, patchedSha256: file.patchedSha256 } };
  }
  const source = decodeSource(bytes);
  if (!source) return refuse('the file is no longer valid UTF-8, so our blocks cannot be taken out without changing other bytes; restore its encoding, then revert again');
  const removal = planRemoval(source.text, force);
  const points = [...new Set(file.points)];
  if (removal.refused.length > 0) {
    return {
      outcome: { path: file.path, outcome: 'refused', points, problems: removal.refused.map((r) => `${file.path}:${r.lines}: ${r.problem}`) },
      write: undefined,
    };
  }
  if (removal.ranges.length === 0) return { outcome: { path: file.path, outcome: recorded ? 'restored-keeping-edits' : 'blocks-removed', points, problems: [] }, write: undefined };
  const untouched = recorded && sha256(bytes) === file.patchedSha256;
  const restored = Buffer.from((source.bom ? '\uFEFF' : '') + removeRanges(source.text, removal.ranges), 'utf8');
  if (untouched && sha256(restored) !== file.pristineSha256) {
    throw new InternalError(`removing the blocks from ${file.path} does not give back its original bytes (sha256 mismatch); nothing was changed`);
  }
  const outcome: RevertFileOutcome = removal.forced > 0 ? 'forced' : !recorded ? 'blocks-removed' : untouched ? 'restored' : 'restored-keeping-edits';
  return {
    outcome: { path: file.path, outcome, points, problems: [] },
    write: { path, bytes: restored, before: bytes, pristineSha256: sha256(restored), patchedSha256: sha256(bytes) },
  };
}

/**
 * Removes our blocks and gives back each file's original bytes, proven by the sha256 recorded at
 * apply. Edits made outside our blocks since apply are kept; an edited block makes revert refuse
 * (nothing changed) unless `force` is set. Each file's outcome says what happened to it.
 */
export async function revert(options: RevertOptions): Promise<RevertResult> {
  const tree = resolveTree(options);
  return withOpenTree(tree, 'revert', async (open) => {
    const { warnings, recovered } = open;
    const { files, recorded } = patchedFiles(tree);
    const base = { command: 'revert' as const, tree: summarizeTree(tree), warnings, recovered };
    if (files.length === 0) return { ...base, status: 'not-applied', files: [] };
    if (!recorded) warnings.push('there is no record of an apply here; removing the instrument blocks found in the sources without checking their original hashes');

    const planned = files.map((file) => planFile(tree.root, file, recorded, options.force === true));
    if (planned.some((p) => p.outcome.outcome === 'refused')) {
      const outcomes = planned.map((p) => (p.outcome.outcome === 'refused' ? p.outcome : { ...p.outcome, outcome: 'unchanged' as const }));
      return { ...base, status: 'refused', files: outcomes };
    }
    const writes = planned.flatMap((p) => (p.write ? [p.write] : []));
    open.commit('revert', writes, () => removeState(tree));
    for (const write of writes) {
      if (write.bytes !== null && sha256(readFileSync(write.path)) !== write.pristineSha256) throw new InternalError(`${write.path} was not written as planned`);
    }
    return { ...base, status: 'reverted', files: planned.map((p) => p.outcome) };
  });
}
