import { hostname } from 'node:os';
import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { OperationError } from '../errors.ts';
import type { SourceTree } from './locate.ts';
import { ensureStateDir } from './state.ts';

interface LockOwner {
  readonly pid: number;
  readonly host: string;
  readonly command: string;
  readonly since: string;
}

export interface Lock {
  /** Set when a lock left by a process that no longer runs was taken over. */
  readonly staleOwner: LockOwner | undefined;
  release(): void;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Stops two runs from changing the same tree at once. The lock is a file created exclusively; one
 * left behind by a process that has died (on this host) is taken over and reported.
 */
export function acquireLock(tree: SourceTree, command: string): Lock {
  const path = join(ensureStateDir(tree), 'lock');
  const me: LockOwner = { pid: process.pid, host: hostname(), command, since: new Date().toISOString() };
  let staleOwner: LockOwner | undefined;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, 'wx');
      writeSync(fd, JSON.stringify(me) + '\n');
      closeSync(fd);
      return { staleOwner, release: () => rmSync(path, { force: true }) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    let owner: LockOwner | undefined;
    try {
      owner = JSON.parse(readFileSync(path, 'utf8')) as LockOwner;
    } catch {
      owner = undefined;
    }
    if (owner && owner.host === me.host && !alive(owner.pid)) {
      staleOwner = owner;
      rmSync(path, { force: true });
      continue;
    }
    throw new OperationError(
      owner
        ? `another instrument run holds the lock on this tree: \`${owner.command}\`, pid ${owner.pid} on ${owner.host}, since ${owner.since}`
        : `another instrument run holds the lock on this tree (${path})`,
      `Wait for it to finish. If no such run exists any more, delete ${path} and run the command again.`,
    );
  }
  throw new OperationError(`could not take the lock ${path}`, `Delete ${path} if no instrument run is active, then try again.`);
}
