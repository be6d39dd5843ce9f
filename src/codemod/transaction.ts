import { existsSync, lstatSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { InternalError, OperationError } from '../errors.ts';
import { linkExclusive, processGone } from './lock.ts';
import { writablePath, type SourceTree } from './locate.ts';
import { planRemoval, removeRanges } from './markers.ts';
import { decodeSource, sha256 } from './source-text.ts';
import {
  isSha256,
  ourTemporaryPath,
  parseTemporaryName,
  readJson,
  recordedPathProblem,
  removeState,
  replaceWith,
  stateDir,
  syncDir,
  writeDurable,
  writeFileAtomic,
} from './state.ts';

/**
 * One file a transaction writes, creates or removes. `pristineSha256` is the file as it is with
 * none of our changes (`null`: it does not exist then, because we create it), `patchedSha256` with
 * them. Recovery always goes back to the pristine side, whichever direction the run was going.
 */
export interface FileWrite {
  /** Absolute, symbolic links resolved. */
  readonly path: string;
  /** The new bytes; `null` removes the file (only one we created, holding exactly our bytes). */
  readonly bytes: Buffer | null;
  /** The bytes it has now (`null`: it does not exist yet), to put back when the run fails. */
  readonly before: Buffer | null;
  readonly pristineSha256: string | null;
  readonly patchedSha256: string;
}

/** A journal entry: a path relative to the tree root and the file's two possible hashes. */
interface JournalEntry {
  readonly path: string;
  /** `null`: the file is one instrument creates (no pre-image); recovery removes it if it holds our bytes. */
  readonly pristineSha256: string | null;
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
  /** Files instrument had created, removed again (they held exactly the bytes written). */
  readonly removed: readonly string[];
}

export function journalPath(tree: SourceTree): string {
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

/** Puts one file in place: replaced atomically, created only where nothing is, or removed. */
function writeOne(write: FileWrite, index: number): void {
  if (write.bytes === null) {
    rmSync(write.path, { force: true });
    syncDir(dirname(write.path));
    crashPoint(`rename:${index}`);
    return;
  }
  const tmp = ourTemporaryPath(write.path);
  const existing = statSync(write.path, { throwIfNoEntry: false });
  writeDurable(tmp, write.bytes, existing ? existing.mode & 0o7777 : 0o644);
  crashPoint(`tmp:${index}`);
  if (write.pristineSha256 === null) {
    // A file we create: never over one that appeared meanwhile.
    if (!linkExclusive(tmp, write.path)) {
      rmSync(tmp, { force: true });
      throw new OperationError(`${write.path} appeared while instrument was creating it`, 'Move that file away (it is not ours), then run the command again.');
    }
    rmSync(tmp, { force: true });
    syncDir(dirname(write.path));
  } else {
    replaceWith(tmp, write.path);
  }
  crashPoint(`rename:${index}`);
}

/**
 * Rewrites several files so that a crash at any moment can be recovered: the journal names every
 * file with the hashes of its two possible contents before anything is touched; each file is
 * replaced atomically; `commit` (recording or removing the state) runs last; then the journal goes.
 * When a write fails (disk full, I/O error, read-only file system), every file is put back at once
 * by the same recovery a later run would do, and the failure is thrown.
 */
export function runTransaction(tree: SourceTree, operation: Journal['operation'], writes: readonly FileWrite[], commit: () => void): void {
  const journal: Journal = {
    operation,
    startedAt: new Date().toISOString(),
    pid: process.pid,
    files: writes.map((w) => ({ path: relative(tree.root, w.path), pristineSha256: w.pristineSha256, patchedSha256: w.patchedSha256 })),
  };
  writeFileAtomic(journalPath(tree), Buffer.from(JSON.stringify(journal, null, 2) + '\n'));
  crashPoint('journal');
  let done = 0;
  try {
    for (const write of writes) {
      writeOne(write, done + 1);
      done++;
    }
    commit();
  } catch (error) {
    throw rollBack(tree, writes, done, error);
  }
  rmSync(journalPath(tree), { force: true });
  syncDir(stateDir(tree));
}

/** What a failed transaction tells its caller: the failure, and whether the files were put back. */
export class TransactionFailure extends Error {
  readonly recovered: boolean;
  constructor(cause: unknown, recovered: boolean, recoveryError?: unknown) {
    super(
      recovered
        ? 'every file was put back as it was before the run'
        : `putting the files back failed as well (${recoveryError instanceof Error ? recoveryError.message : String(recoveryError)}); the journal stays, and the next apply or revert finishes the job`,
      { cause },
    );
    this.recovered = recovered;
  }
}

/**
 * Puts back the files a failed run had already written, from the bytes they had before it (a
 * revert that fails is undone too: the files stay patched, as they were), then drops the journal.
 * The write that failed (`writes[done]`) may have happened in part: its temporary file goes, and the
 * file itself is put back only if it no longer holds its old bytes (a rename that went through
 * before a later step of it failed). If that fails as well, the journal stays for the next run's
 * recovery.
 */
function rollBack(tree: SourceTree, writes: readonly FileWrite[], done: number, error: unknown): TransactionFailure {
  try {
    const failed = writes[done];
    if (failed) {
      rmSync(ourTemporaryPath(failed.path), { force: true });
      putBack(failed, true);
    }
    for (const write of writes.slice(0, done).reverse()) putBack(write, false);
    rmSync(journalPath(tree), { force: true });
    syncDir(stateDir(tree));
    return new TransactionFailure(error, true);
  } catch (recoveryError) {
    return new TransactionFailure(error, false, recoveryError);
  }
}

function putBack(write: FileWrite, onlyIfChanged: boolean): void {
  const present = existsSync(write.path);
  if (write.before === null) {
    if (present && sha256(readFileSync(write.path)) === write.patchedSha256) rmSync(write.path);
    return;
  }
  if (onlyIfChanged && present && readFileSync(write.path).equals(write.before)) return;
  writeFileAtomic(write.path, write.before);
}

function journalProblem(journal: unknown): string | undefined {
  if (typeof journal !== 'object' || journal === null || Array.isArray(journal)) return 'it is not a JSON object';
  const j = journal as Record<string, unknown>;
  if (j.operation !== 'apply' && j.operation !== 'revert') return `its operation is ${JSON.stringify(j.operation) ?? 'missing'}`;
  if (!Array.isArray(j.files)) return 'its "files" is not a list';
  for (const [i, entry] of (j.files as unknown[]).entries()) {
    const e = (entry ?? {}) as Record<string, unknown>;
    const problem = recordedPathProblem(e.path);
    if (problem) return `files[${i}]: ${problem}`;
    if (!(e.pristineSha256 === null || isSha256(e.pristineSha256)) || !isSha256(e.patchedSha256)) return `files[${i}] (${String(e.path)}): its hashes are not sha256 values`;
  }
  return undefined;
}

/**
 * Removes every temporary file of ours that a killed run left (the one form, `ourTemporaryPath`):
 * in instrument's folder, and beside each file the journal names. It runs under the lock, so no
 * other run is writing these, except lock files being prepared by runs waiting for the lock, which
 * are left while their process lives. Takeover claims whose holder is gone are removed too.
 */
export function cleanUpTemporaryFiles(tree: SourceTree, journaled: readonly string[]): void {
  const dir = stateDir(tree);
  for (const name of readdirSync(dir)) {
    const temporary = parseTemporaryName(name);
    if (temporary && (temporary.target !== 'lock' || processGone(temporary.pid) || olderThan(join(dir, name), 10_000))) rmSync(join(dir, name), { force: true });
    if (name.startsWith('lock.takeover-') && processGone(claimPid(join(dir, name)))) rmSync(join(dir, name), { force: true });
  }
  for (const path of journaled) {
    const folder = dirname(path);
    if (!existsSync(folder)) continue;
    for (const name of readdirSync(folder)) {
      if (parseTemporaryName(name)?.target === basename(path)) rmSync(join(folder, name), { force: true });
    }
  }
}

function olderThan(path: string, ms: number): boolean {
  const info = statSync(path, { throwIfNoEntry: false });
  return info !== undefined && Date.now() - info.mtimeMs > ms;
}

/** The pid a takeover claim names; 0 for one that cannot be read (claims are written whole, so it is not ours). */
function claimPid(path: string): number {
  try {
    const pid = (JSON.parse(readFileSync(path, 'utf8')) as { pid?: unknown }).pid;
    return Number.isInteger(pid) ? (pid as number) : 0;
  } catch {
    return 0;
  }
}

/** The bytes of a file with our changes taken out, when that can be done exactly. */
function withoutOurChanges(bytes: Buffer): Buffer | undefined {
  const source = decodeSource(bytes);
  if (!source) return undefined;
  const removal = planRemoval(source.text, true);
  if (removal.refused.length > 0) return undefined;
  return Buffer.from((source.bom ? '\uFEFF' : '') + removeRanges(source.text, removal.ranges), 'utf8');
}

type RecoveryStep = { kind: 'write'; path: string; display: string; bytes: Buffer; sha: string } | { kind: 'remove'; path: string; display: string };

/**
 * Finishes what an interrupted apply or revert left: every file it named is brought back to its
 * original bytes (undoing an apply, completing a revert), a file it created is removed if it holds
 * exactly the bytes written, leftover temporary files are removed, and the state goes, since the
 * files are then as they were before any apply. The journal is checked whole before anything is
 * done: an entry that names a file instrument never writes stops recovery with nothing changed.
 */
export function recoverInterrupted(tree: SourceTree): Recovery | undefined {
  const where = journalPath(tree);
  const raw = readJson<unknown>(where, 'journal of an interrupted run');
  if (raw === undefined) return undefined;
  const problem = journalProblem(raw);
  if (problem) {
    throw new OperationError(
      `${where} is damaged: ${problem}; nothing was changed`,
      `It is not a journal instrument wrote. Check your sources with \`git status\` and \`git diff\` (our blocks start with "// instrument:begin"), then move ${where} away and run the command again.`,
    );
  }
  const journal = raw as Journal;
  const what = `an interrupted instrument ${journal.operation} (started ${String(journal.startedAt)})`;
  const steps: RecoveryStep[] = [];
  const paths: string[] = [];
  for (const entry of journal.files) {
    const joined = join(tree.root, entry.path);
    const present = lstatSync(joined, { throwIfNoEntry: false });
    if (!present) {
      if (entry.pristineSha256 === null) {
        // Not created yet: nothing to undo, but the temporary file it was being written to may be there.
        paths.push(joined);
        continue;
      }
      throw new OperationError(
        `${what} names ${entry.path}, which does not exist; nothing was changed`,
        `Restore ${entry.path} (for example with \`git checkout -- ${entry.path}\`), then run the command again.`,
      );
    }
    const path = writablePath(tree.root, joined);
    paths.push(path);
    const bytes = readFileSync(path);
    const hash = sha256(bytes);
    if (hash === entry.pristineSha256) continue;
    if (hash === entry.patchedSha256) {
      if (entry.pristineSha256 === null) {
        steps.push({ kind: 'remove', path, display: entry.path });
        continue;
      }
      const pristine = withoutOurChanges(bytes);
      if (pristine && sha256(pristine) === entry.pristineSha256) {
        steps.push({ kind: 'write', path, display: entry.path, bytes: pristine, sha: entry.pristineSha256 });
        continue;
      }
    }
    throw new OperationError(
      `${what} left ${entry.path}, and it has been changed since; nothing was changed`,
      entry.pristineSha256 === null
        ? `instrument created ${entry.path}, but it no longer holds the bytes written, so it is not removed. Delete it yourself if you do not need it, move ${where} away, and run the command again.`
        : `Remove the instrument blocks from ${entry.path} by hand (or restore it with git), move ${where} away, and run the command again.`,
    );
  }
  cleanUpTemporaryFiles(tree, paths);
  for (const step of steps) {
    if (step.kind === 'remove') {
      rmSync(step.path, { force: true });
      syncDir(dirname(step.path));
    } else {
      writeFileAtomic(step.path, step.bytes);
      if (sha256(readFileSync(step.path)) !== step.sha) throw new InternalError(`recovery of ${step.display} did not restore its bytes`);
    }
  }
  removeState(tree);
  rmSync(where, { force: true });
  syncDir(stateDir(tree));
  return {
    operation: journal.operation,
    startedAt: String(journal.startedAt),
    restored: steps.filter((s) => s.kind === 'write').map((s) => s.display),
    removed: steps.filter((s) => s.kind === 'remove').map((s) => s.display),
  };
}
