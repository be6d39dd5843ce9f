import { existsSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { InternalError, OperationError } from '../errors.ts';
import { writablePath, type SourceTree } from './locate.ts';
import { removeRanges, scanMarkers } from './markers.ts';
import { decodeSource, sha256 } from './source-text.ts';
import { ensureStateDir, readJson, removeState, replaceWith, stateDir, temporaryPathFor, writeDurable, writeFileAtomic } from './state.ts';

/** One file a transaction rewrites. */
export interface FileWrite {
  /** Absolute, symbolic links resolved. */
  readonly path: string;
  readonly bytes: Buffer;
  /** sha256 of the file without our blocks, and with them. */
  readonly pristineSha256: string;
  readonly patchedSha256: string;
}

interface JournalEntry {
  readonly path: string;
  readonly tmp: string;
  readonly pristineSha256: string;
  readonly patchedSha256: string;
}

interface Journal {
  readonly operation: 'apply' | 'revert';
  readonly startedAt: string;
  readonly pid: number;
  readonly files: readonly JournalEntry[];
}

export interface Recovery {
  readonly operation: 'apply' | 'revert';
  readonly startedAt: string;
  /** Files brought back to their original bytes. */
  readonly restored: readonly string[];
}

function journalPath(tree: SourceTree): string {
  return join(stateDir(tree), 'journal.json');
}

export function hasJournal(tree: SourceTree): boolean {
  return existsSync(journalPath(tree));
}

/**
 * Test hook: `INSTRUMENT_TEST_CRASH=<stage>` kills this process with SIGKILL at that stage of a
 * transaction (`journal`, `tmp:<n>` after the n-th temporary file is written, `rename:<n>` after the
 * n-th file is replaced), so the tests can prove recovery from a real crash.
 */
function crashPoint(stage: string): void {
  if (process.env.INSTRUMENT_TEST_CRASH === stage) process.kill(process.pid, 'SIGKILL');
}

/**
 * Rewrites several files so that a crash at any moment can be recovered: the journal names every
 * file with the hashes of its two possible contents before anything is touched; each file is
 * replaced atomically; `commit` (recording or removing the state) runs last; then the journal goes.
 */
export function runTransaction(tree: SourceTree, operation: Journal['operation'], writes: readonly FileWrite[], commit: () => void): void {
  const dir = ensureStateDir(tree);
  const entries = writes.map((w) => ({
    path: relative(tree.root, w.path),
    tmp: relative(tree.root, temporaryPathFor(w.path)),
    pristineSha256: w.pristineSha256,
    patchedSha256: w.patchedSha256,
  }));
  const journal: Journal = { operation, startedAt: new Date().toISOString(), pid: process.pid, files: entries };
  writeFileAtomic(join(dir, 'journal.json'), Buffer.from(JSON.stringify(journal, null, 2) + '\n'));
  crashPoint('journal');
  writes.forEach((write, i) => {
    const tmp = temporaryPathFor(write.path);
    writeDurable(tmp, write.bytes, statSync(write.path).mode & 0o7777);
    crashPoint(`tmp:${i + 1}`);
    replaceWith(tmp, write.path);
    crashPoint(`rename:${i + 1}`);
  });
  commit();
  rmSync(journalPath(tree), { force: true });
}

/** The bytes of a file with all our blocks removed (what apply started from). */
export function withoutBlocks(bytes: Buffer): Buffer | undefined {
  const source = decodeSource(bytes);
  if (!source) return undefined;
  const scan = scanMarkers(source.text);
  if (scan.problems.length > 0 || scan.blocks.some((b) => !b.intact)) return undefined;
  return Buffer.from((source.bom ? '\uFEFF' : '') + removeRanges(source.text, scan.blocks), 'utf8');
}

/**
 * Finishes what an interrupted apply or revert left: every file it named is brought back to its
 * original bytes (undoing an apply, completing a revert), leftover temporary files are removed, and
 * the state goes, since the files are then as they were before any apply.
 */
export function recoverInterrupted(tree: SourceTree): Recovery | undefined {
  const journal = readJson<Journal>(journalPath(tree), 'journal of an interrupted run');
  if (!journal) return undefined;
  const plan: FileWrite[] = [];
  for (const entry of journal.files) {
    const path = writablePath(tree.root, join(tree.root, entry.path));
    rmSync(join(tree.root, entry.tmp), { force: true });
    if (!existsSync(path)) {
      throw new OperationError(
        `an interrupted instrument ${journal.operation} (started ${journal.startedAt}) left ${entry.path}, which is now missing`,
        `Restore ${entry.path} (for example with git), then run the command again.`,
      );
    }
    const bytes = readFileSync(path);
    const hash = sha256(bytes);
    if (hash === entry.pristineSha256) continue;
    const pristine = hash === entry.patchedSha256 ? withoutBlocks(bytes) : undefined;
    if (!pristine || sha256(pristine) !== entry.pristineSha256) {
      throw new OperationError(
        `an interrupted instrument ${journal.operation} (started ${journal.startedAt}) left ${entry.path}, and it has been changed since`,
        `Remove the instrument blocks from ${entry.path} by hand (or restore it with git), delete ${journalPath(tree)}, and run the command again.`,
      );
    }
    plan.push({ path, bytes: pristine, pristineSha256: entry.pristineSha256, patchedSha256: entry.patchedSha256 });
  }
  for (const write of plan) writeFileAtomic(write.path, write.bytes);
  for (const write of plan) {
    if (sha256(readFileSync(write.path)) !== write.pristineSha256) throw new InternalError(`recovery of ${write.path} did not restore its bytes`);
  }
  removeState(tree);
  rmSync(journalPath(tree), { force: true });
  return { operation: journal.operation, startedAt: journal.startedAt, restored: plan.map((w) => relative(tree.root, w.path)) };
}

