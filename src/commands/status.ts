import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { resolveTree, summarizeTree, type TreeSummary, type TreeOptions } from '../codemod/locate.ts';
import { scanMarkers } from '../codemod/markers.ts';
import { POINT_IDS } from '../codemod/patch.ts';
import { sha256 } from '../codemod/source-text.ts';
import { patchedFiles, readState } from '../codemod/state.ts';
import { hasJournal } from '../codemod/transaction.ts';
import { REPLACE_POINT } from '../codemod/workspace.ts';

export interface PointStatusLine {
  readonly id: string;
  readonly applied: boolean;
  readonly file: string | undefined;
  readonly line: number | undefined;
  /** False when the block's content no longer matches its hash (edited by hand). */
  readonly intact: boolean | undefined;
  /** True when the file's bytes differ from what apply wrote. */
  readonly fileChangedSinceApply: boolean | undefined;
}

export interface StatusResult {
  readonly command: 'status';
  /** `partly-applied`: some points are in, some not; `interrupted`: an apply or revert was cut short. */
  readonly status: 'applied' | 'not-applied' | 'partly-applied' | 'interrupted';
  readonly tree: TreeSummary;
  readonly recorded: boolean;
  readonly appliedAt: string | undefined;
  readonly verbosity: number | undefined;
  readonly points: readonly PointStatusLine[];
  /** The files apply created (the helper Go file): whether each is there, and changed since apply. */
  readonly created: ReadonlyArray<{ readonly path: string; readonly present: boolean; readonly changedSinceApply: boolean | undefined }>;
}

/** Says, per point, whether it is applied, where, and whether the file changed since apply. Writes nothing. */
export async function status(options: TreeOptions): Promise<StatusResult> {
  const tree = resolveTree(options);
  const state = readState(tree);
  const recordedFiles = patchedFiles(tree).files;
  const files = recordedFiles.filter((f) => f.pristineSha256 !== null).map((f) => ({ path: join(tree.root, f.path), patchedSha256: state ? f.patchedSha256 : undefined }));
  const created = recordedFiles
    .filter((f) => f.pristineSha256 === null)
    .map((f) => {
      const path = join(tree.root, f.path);
      const present = existsSync(path);
      return { path: f.path, present, changedSinceApply: present ? sha256(readFileSync(path)) !== f.patchedSha256 : undefined };
    });

  const ids: string[] = [...POINT_IDS, ...(tree.layout === 'vendored' ? [REPLACE_POINT] : [])];
  const found = new Map<string, PointStatusLine>();
  for (const file of files) {
    if (!existsSync(file.path)) continue;
    const bytes = readFileSync(file.path);
    const changed = file.patchedSha256 === undefined ? undefined : sha256(bytes) !== file.patchedSha256;
    for (const block of scanMarkers(bytes.toString('utf8')).blocks) {
      found.set(block.pointId, {
        id: block.pointId,
        applied: true,
        file: relative(tree.root, file.path),
        line: block.beginLine,
        intact: block.intact,
        fileChangedSinceApply: changed,
      });
    }
  }
  const points = ids.map(
    (id) => found.get(id) ?? { id, applied: false, file: undefined, line: undefined, intact: undefined, fileChangedSinceApply: undefined },
  );
  const appliedCount = points.filter((p) => p.applied).length;
  const overall = hasJournal(tree)
    ? 'interrupted'
    : appliedCount === 0
      ? 'not-applied'
      : appliedCount === points.length && created.every((f) => f.present)
        ? 'applied'
        : 'partly-applied';
  return {
    command: 'status',
    status: overall,
    tree: summarizeTree(tree),
    recorded: state !== undefined,
    appliedAt: state?.appliedAt,
    verbosity: state?.verbosity,
    points,
    created,
  };
}
