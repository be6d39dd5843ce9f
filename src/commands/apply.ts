import { accessSync, constants } from 'node:fs';
import { dirname, relative } from 'node:path';
import { resolveTree, summarizeTree, type TreeSummary, type TreeOptions } from '../codemod/locate.ts';
import { failedPoints, parseTargetFiles, planApply, type PatchPlan, type PointOutcome } from '../codemod/plan.ts';
import { sha256 } from '../codemod/source-text.ts';
import { withOpenTree } from '../codemod/session.ts';
import { readState, writeState, type AppliedState } from '../codemod/state.ts';
import { hasJournal, type Recovery } from '../codemod/transaction.ts';
import { OperationError, UsageError } from '../errors.ts';
import { VERSION } from '../version.ts';

/** The V level of the inserted lines when none is given: the EPP's default `--v`, never sampled. */
export const DEFAULT_VERBOSITY = 2;

export interface ApplyOptions extends TreeOptions {
  /** V level of the inserted log calls. Defaults to 2. */
  readonly verbosity?: number | undefined;
  /** Compute and show the change, write nothing. */
  readonly dryRun?: boolean | undefined;
  /** `<target>=<path>` (--target-file): the file to patch when two declare a target's method. */
  readonly targetFiles?: readonly string[] | undefined;
}

export interface ApplyResult {
  readonly command: 'apply';
  /** `planned`: a dry run that would apply cleanly. */
  readonly status: 'applied' | 'already-applied' | 'planned' | 'failed';
  readonly dryRun: boolean;
  readonly tree: TreeSummary;
  readonly verbosity: number;
  readonly points: readonly PointOutcome[];
  readonly files: ReadonlyArray<{ readonly path: string; readonly points: readonly string[] }>;
  /** The unified diff, for dry runs. */
  readonly diff: string | undefined;
  readonly warnings: readonly string[];
  readonly recovered: Recovery | undefined;
}

export function checkVerbosity(value: number | undefined): number {
  const verbosity = value ?? DEFAULT_VERBOSITY;
  if (!Number.isInteger(verbosity) || verbosity < 0 || verbosity > 10) {
    throw new UsageError(`--verbosity ${String(value)}: expected a whole number from 0 to 10`, 'The EPP prints V(n) lines when started with --v n or higher; the default, 2, is the EPP\'s own default.');
  }
  return verbosity;
}

export async function planDiff(plan: PatchPlan): Promise<string> {
  // Loaded on demand: only previews need the diff library.
  const { unifiedDiff } = await import('../codemod/unified-diff.ts');
  return unifiedDiff(plan.changes.map((c) => ({ display: c.display, before: c.before?.toString('utf8') ?? '', after: c.after.toString('utf8'), created: c.before === null })));
}

/**
 * Inserts the log statements at the five points, all or nothing: when any point cannot be placed,
 * every point is reported and nothing is written.
 */
export async function apply(options: ApplyOptions): Promise<ApplyResult> {
  const tree = resolveTree(options);
  const verbosity = checkVerbosity(options.verbosity);
  const targetFiles = parseTargetFiles(options.targetFiles);
  const dryRun = options.dryRun === true;
  const warnings: string[] = [];
  if (tree.layout === 'vendored') {
    const { vendoredVersionWarning } = await import('./vendor.ts');
    const warning = await vendoredVersionWarning(tree.llmd!);
    if (warning) warnings.push(warning);
  }

  const result = (status: ApplyResult['status'], plan: PatchPlan, recovered?: Recovery, diff?: string): ApplyResult => ({
    command: 'apply',
    status,
    dryRun,
    tree: summarizeTree(tree),
    verbosity,
    points: plan.points,
    files: plan.changes.map((c) => ({ path: c.display, points: c.points })),
    diff,
    warnings,
    recovered,
  });

  if (dryRun) {
    if (hasJournal(tree)) warnings.push('an interrupted apply or revert is pending; the next apply or revert will finish it first');
    const plan = await planApply(tree, { verbosity, targetFiles });
    if (failedPoints(plan).length > 0) return result('failed', plan);
    if (plan.changes.length === 0) return result('already-applied', plan);
    return result('planned', plan, undefined, await planDiff(plan));
  }

  return withOpenTree(tree, 'apply', async (open) => {
    warnings.push(...open.warnings);
    const { recovered } = open;
    const state = readState(tree);
    const plan = await planApply(tree, { verbosity, targetFiles });
    if (failedPoints(plan).length > 0) return result('failed', plan, recovered);
    if (plan.changes.length === 0) {
      if (!state) warnings.push('the instrument blocks are in the sources but there is no record of applying them; `instrument revert` will still remove them');
      if (state && options.verbosity !== undefined && state.verbosity !== verbosity) {
        throw new OperationError(
          `the patches are already applied with --verbosity ${state.verbosity}`,
          `Run \`instrument revert\`, then \`instrument apply --verbosity ${verbosity}\`.`,
        );
      }
      return result('already-applied', plan, recovered);
    }
    checkWritableFolders(plan.changes.map((c) => c.path));
    const applied: AppliedState = {
      schema: 1,
      tool: `instrument ${VERSION}`,
      appliedAt: new Date().toISOString(),
      verbosity,
      layout: tree.layout,
      sources: relative(tree.root, tree.sources) || '.',
      // A file the plan creates has no pre-image (`before` null): recorded as such, removed by revert.
      files: plan.changes.map((c) => ({
        path: relative(tree.root, c.path),
        pristineSha256: c.before === null ? null : sha256(c.before),
        patchedSha256: sha256(c.after),
        points: c.points,
      })),
    };
    open.commit(
      'apply',
      plan.changes.map((c) => ({ path: c.path, bytes: c.after, before: c.before, pristineSha256: c.before === null ? null : sha256(c.before), patchedSha256: sha256(c.after) })),
      () => writeState(tree, applied),
    );
    return result('applied', plan, recovered);
  });
}

/**
 * Refuses, before the journal is written, a change into a folder we may not write: the temporary
 * file beside the target could not be made, and the user should hear which folder, not an errno.
 */
function checkWritableFolders(paths: readonly string[]): void {
  for (const folder of new Set(paths.map((p) => dirname(p)))) {
    try {
      accessSync(folder, constants.W_OK);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw new OperationError(
        `cannot write in ${folder}: ${code === 'EROFS' ? 'the file system is read-only' : 'the folder is not writable'} (${code ?? 'error'}); nothing was changed`,
        'instrument writes each patched file beside it (a temporary file, renamed over the original). Make the folder writable for you (`chmod u+w`), or work on a copy you own.',
      );
    }
  }
}
