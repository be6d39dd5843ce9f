import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { resolveTree, summarizeTree, type TreeSummary, type TreeOptions } from '../codemod/locate.ts';
import { failedPoints, parseTargetFiles, planApply, type PointOutcome } from '../codemod/plan.ts';
import { removeRanges, scanMarkers } from '../codemod/markers.ts';
import { patchedFiles } from '../codemod/state.ts';

import { checkVerbosity, planDiff } from './apply.ts';

export interface DiffOptions extends TreeOptions {
  readonly verbosity?: number | undefined;
  /** As apply's (--target-file). */
  readonly targetFiles?: readonly string[] | undefined;
}

export interface DiffResult {
  readonly command: 'diff';
  /** `applied`: the diff between the original and the patched sources on disk; `planned`: what apply would do. */
  readonly source: 'applied' | 'planned';
  readonly tree: TreeSummary;
  readonly diff: string;
  /** For a planned diff, every point's outcome (a failed point means apply would fail). */
  readonly points: readonly PointOutcome[];
}

/** Prints what instrument changes, as a unified diff annotated with point ids. Writes nothing. */
export async function diff(options: DiffOptions): Promise<DiffResult> {
  const tree = resolveTree(options);
  const targetFiles = parseTargetFiles(options.targetFiles);
  const { files: patched } = patchedFiles(tree);
  if (patched.length > 0) {
    const files = patched.map((f) => {
      const path = join(tree.root, f.path);
      // A file apply created is all new (and may have been deleted since).
      if (f.pristineSha256 === null) return { display: f.path, before: '', after: existsSync(path) ? readFileSync(path, 'utf8') : '', created: true };
      const after = readFileSync(path, 'utf8');
      return { display: f.path, before: removeRanges(after, scanMarkers(after).blocks), after };
    });
    const { unifiedDiff } = await import('../codemod/unified-diff.ts');
    return { command: 'diff', source: 'applied', tree: summarizeTree(tree), diff: unifiedDiff(files), points: [] };
  }
  const plan = await planApply(tree, { verbosity: checkVerbosity(options.verbosity), targetFiles });
  const failed = failedPoints(plan).length > 0;
  return { command: 'diff', source: 'planned', tree: summarizeTree(tree), diff: failed ? '' : await planDiff(plan), points: plan.points };
}
