import { InstrumentError, InternalError, OperationError, systemFailure } from '../errors.ts';
import { acquireLock } from './lock.ts';
import type { SourceTree } from './locate.ts';
import { ensureStateDir, removeStateDirIfEmpty } from './state.ts';
import { cleanUpTemporaryFiles, recoverInterrupted, runTransaction, TransactionFailure, type FileWrite, type Recovery } from './transaction.ts';

/** A tree opened for changing: locked, with whatever an interrupted run left finished first. */
export interface OpenTree {
  readonly tree: SourceTree;
  readonly recovered: Recovery | undefined;
  /** Things the user should know that did not stop the run (a lock taken over). */
  readonly warnings: string[];
  /**
   * Writes the planned files as one transaction (see runTransaction), then `record` (writing or
   * removing the state). On failure every file is put back, and the error says so.
   */
  commit(operation: 'apply' | 'revert', writes: readonly FileWrite[], record: () => void): void;
}

/** An error as the user sees it: file-system failures with what, where and what to do. */
export function asUserError(error: unknown): unknown {
  if (error instanceof InstrumentError) return error;
  return systemFailure(error) ?? error;
}

function transactionError(failure: TransactionFailure): unknown {
  const cause = asUserError(failure.cause);
  if (!(cause instanceof InstrumentError) || cause instanceof InternalError) return cause;
  return new OperationError(cause.message, [failure.message[0]!.toUpperCase() + failure.message.slice(1) + '.', cause.hint].filter(Boolean).join(' '), cause);
}

/**
 * Runs a step of closing that must not hide the run's own outcome. If it fails, what it leaves is
 * harmless: a lock whose holder has gone is taken over, and an empty folder of ours goes next time.
 */
function quietly(step: () => void): void {
  try {
    step();
  } catch {
    // See above.
  }
}

/**
 * The one way apply and revert (and `check`, through them) change a tree. In this order, each
 * rule written once: instrument's folder made (never over a file), the lock taken (atomically; a
 * dead holder's taken over), leftover temporary files of ours removed, an interrupted run finished,
 * then `work` plans and commits; finally the lock goes, and the folder if nothing is left in it.
 * A failure of the file system anywhere comes out as an error the user can act on (exit 1).
 */
export async function withOpenTree<T>(tree: SourceTree, command: 'apply' | 'revert', work: (open: OpenTree) => Promise<T>): Promise<T> {
  try {
    const dir = ensureStateDir(tree);
    try {
      const lock = acquireLock(dir, command);
      try {
        const warnings: string[] = [];
        if (lock.staleOwner) {
          warnings.push(`took over a lock left by pid ${lock.staleOwner.pid} (\`${lock.staleOwner.command}\`, since ${lock.staleOwner.since}), which no longer runs`);
        }
        cleanUpTemporaryFiles(tree, []);
        const recovered = recoverInterrupted(tree);
        return await work({
          tree,
          recovered,
          warnings,
          commit: (operation, writes, record) => {
            try {
              runTransaction(tree, operation, writes, record);
            } catch (error) {
              throw error instanceof TransactionFailure ? transactionError(error) : error;
            }
          },
        });
      } finally {
        quietly(() => lock.release());
      }
    } finally {
      quietly(() => removeStateDirIfEmpty(tree));
    }
  } catch (error) {
    throw asUserError(error);
  }
}
