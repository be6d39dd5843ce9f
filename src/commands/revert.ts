import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { acquireLock } from '../codemod/lock.ts';
import { resolveTree, summarizeTree, type TreeSummary, writablePath, type TreeOptions } from '../codemod/locate.ts';
import { removeRanges, scanMarkers } from '../codemod/markers.ts';
import { decodeSource, sha256 } from '../codemod/source-text.ts';
import { patchedFiles, removeState, removeStateDirIfEmpty, type AppliedFile } from '../codemod/state.ts';
import { recoverInterrupted, runTransaction, type FileWrite, type Recovery } from '../codemod/transaction.ts';
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
  /** An edited block: nothing was changed. */
  | 'refused';

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

/**
 * A file apply created goes only when its bytes are exactly what apply wrote; its original state,
 * absence, is then restored ('restored'). Anything else holds someone's edits, which instrument
 * never deletes, --force or not: revert refuses and names the file.
 */
function revertCreated(file: AppliedFile, path: string): { outcome: RevertFile; write: FileWrite | undefined } {
  const done = (outcome: RevertFileOutcome, problems: string[] = []) => ({ path: file.path, outcome, points: [...file.points], problems });
  if (!existsSync(path)) return { outcome: done('restored'), write: undefined };
  if (sha256(readFileSync(path)) === file.patchedSha256) {
    return { outcome: done('restored'), write: { path, bytes: undefined, pristineSha256: '', patchedSha256: file.patchedSha256, created: true } };
  }
  const problem = `${file.path}: instrument created this file and it was edited since; instrument deletes only the exact file it wrote, even with --force. Delete it yourself (or undo your edits), then run \`instrument revert\` again`;
  return { outcome: done('refused', [problem]), write: undefined };
}

/**
 * Removes our blocks and gives back each file's original bytes, proven by the sha256 recorded at
 * apply. Edits made outside our blocks since apply are kept; an edited block makes revert refuse
 * (nothing changed) unless `force` is set.
 */
export async function revert(options: RevertOptions): Promise<RevertResult> {
  const tree = resolveTree(options);
  const warnings: string[] = [];
  const lock = acquireLock(tree, 'revert');
  try {
    if (lock.staleOwner) warnings.push(`took over a lock left by pid ${lock.staleOwner.pid}, which no longer runs`);
    const recovered = recoverInterrupted(tree);
    const { files, recorded } = patchedFiles(tree);
    const base = { command: 'revert' as const, tree: summarizeTree(tree), warnings, recovered };
    if (files.length === 0) return { ...base, status: 'not-applied', files: [] };
    if (!recorded) warnings.push('there is no record of an apply here; removing the instrument blocks found in the sources without checking their original hashes');

    const outcomes: RevertFile[] = [];
    const writes: FileWrite[] = [];
    for (const file of files) {
      const path = writablePath(tree.root, join(tree.root, file.path));
      if (file.created) {
        const created = revertCreated(file, path);
        outcomes.push(created.outcome);
        if (created.write) writes.push(created.write);
        continue;
      }
      const bytes = readFileSync(path);
      const source = decodeSource(bytes);
      if (!source) throw new InternalError(`${file.path} is no longer valid UTF-8`);
      const scan = scanMarkers(source.text);
      const points = scan.blocks.map((b) => b.pointId);
      const untouched = recorded && sha256(bytes) === file.patchedSha256;
      const problems = [
        ...scan.blocks.filter((b) => !b.intact).map((b) => `${file.path}:${b.beginLine}-${b.endLine}: the ${b.pointId} block was edited`),
        ...scan.problems.map((p) => `${file.path}:${p.line}: ${p.problem}`),
      ];
      let outcome: RevertFileOutcome = !recorded ? 'blocks-removed' : untouched ? 'restored' : 'restored-keeping-edits';
      if (problems.length > 0) outcome = options.force ? 'forced' : 'refused';
      outcomes.push({ path: file.path, outcome, points, problems });
      if (outcome === 'refused' || (scan.blocks.length === 0 && scan.problems.length === 0)) continue;

      const text = removeRanges(source.text, [...scan.blocks, ...scan.problems]);
      const restored = Buffer.from((source.bom ? '\uFEFF' : '') + text, 'utf8');
      if (untouched && sha256(restored) !== file.pristineSha256) {
        throw new InternalError(`removing the blocks from ${file.path} does not give back its original bytes (sha256 mismatch); nothing was changed`);
      }
      writes.push({ path, bytes: restored, pristineSha256: sha256(restored), patchedSha256: sha256(bytes) });
    }
    if (outcomes.some((o) => o.outcome === 'refused')) return { ...base, status: 'refused', files: outcomes };
    runTransaction(tree, 'revert', writes, () => removeState(tree));
    for (const write of writes) {
      const done = write.bytes === undefined ? !existsSync(write.path) : sha256(readFileSync(write.path)) === write.pristineSha256;
      if (!done) throw new InternalError(`${write.path} was not written as planned`);
    }
    return { ...base, status: 'reverted', files: outcomes };
  } finally {
    lock.release();
    removeStateDirIfEmpty(tree);
  }
}
