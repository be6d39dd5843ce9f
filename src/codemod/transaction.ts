import { existsSync, readFileSync, rmSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { InternalError, OperationError } from '../errors.ts';
import { writablePath, type SourceTree } from './locate.ts';
import { removeRanges, scanMarkers } from './markers.ts';
import { decodeSource, sha256 } from './source-text.ts';
import { ensureStateDir, readJson, removeState, replaceWith, stateDir, syncDir, temporaryPathFor, writeDurable, writeFileAtomic } from './state.ts';

/** The permission bits of a file apply creates, as a Go checkout's files have. */
const NEW_FILE_MODE = 0o644;

/** One file a transaction rewrites, creates or removes. */
export interface FileWrite {
  /** Absolute, symbolic links resolved. */
  readonly path: string;
  /** The new content; undefined removes the file. */
  readonly bytes: Buffer | undefined;
  /** sha256 of the file without our blocks, and with them. `''` as pristine for a file apply created. */
  readonly pristineSha256: string;
  readonly patchedSha256: string;
  /** The file is one apply creates: before apply (and after revert) it does not exist. */
  readonly created?: boolean | undefined;
}

interface JournalEntry {
  readonly path: string;
  readonly tmp: string;
  readonly pristineSha256: string;
  readonly patchedSha256: string;
  /** Its original state is "no such file" (a file apply creates). */
  readonly created?: true;
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
  for (const write of writes) {
    if (write.created && write.bytes !== undefined && existsSync(write.path)) {
      throw new OperationError(
        `${relative(tree.root, write.path)} appeared while apply ran; it would have created that file`,
        'Nothing was written. Remove or rename the file, then apply again.',
      );
    }
  }
  const dir = ensureStateDir(tree);
  const entries = writes.map((w) => ({
    path: relative(tree.root, w.path),
    tmp: relative(tree.root, temporaryPathFor(w.path)),
    pristineSha256: w.pristineSha256,
    patchedSha256: w.patchedSha256,
    ...(w.created ? { created: true as const } : {}),
  }));
  const journal: Journal = { operation, startedAt: new Date().toISOString(), pid: process.pid, files: entries };
  writeFileAtomic(join(dir, 'journal.json'), Buffer.from(JSON.stringify(journal, null, 2) + '\n'));
  crashPoint('journal');
  writes.forEach((write, i) => {
    if (write.bytes === undefined) {
      rmSync(write.path);
      syncDir(dirname(write.path));
      crashPoint(`rename:${i + 1}`);
      return;
    }
    const tmp = temporaryPathFor(write.path);
    writeDurable(tmp, write.bytes, write.created ? NEW_FILE_MODE : statSync(write.path).mode & 0o7777);
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
    if (entry.created) {
      // Its original state is absence: remove it if it is what we wrote, refuse if it is not.
      if (!existsSync(path)) continue;
      if (sha256(readFileSync(path)) !== entry.patchedSha256) {
        throw new OperationError(
          `an interrupted instrument ${journal.operation} (started ${journal.startedAt}) created ${entry.path}, and it has been changed since`,
          `instrument removes only the exact file it wrote. Remove ${entry.path} yourself if you do not need it, delete ${journalPath(tree)}, and run the command again.`,
        );
      }
      plan.push({ path, bytes: undefined, pristineSha256: '', patchedSha256: entry.patchedSha256, created: true });
      continue;
    }
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
  for (const write of plan) {
    if (write.bytes === undefined) {
      rmSync(write.path, { force: true });
      syncDir(dirname(write.path));
    } else {
      writeFileAtomic(write.path, write.bytes);
    }
  }
  for (const write of plan) {
    const restored = write.bytes === undefined ? !existsSync(write.path) : sha256(readFileSync(write.path)) === write.pristineSha256;
    if (!restored) throw new InternalError(`recovery of ${write.path} did not restore its original state`);
  }
  removeState(tree);
  rmSync(journalPath(tree), { force: true });
  return { operation: journal.operation, startedAt: journal.startedAt, restored: plan.map((w) => relative(tree.root, w.path)) };
}

