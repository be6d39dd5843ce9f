import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { linkSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { OperationError } from '../errors.ts';
import { ourTemporaryPath, writeDurable } from './state.ts';

interface LockOwner {
  /** Unique per lock file written: a takeover names the exact file it replaces by this id. */
  readonly id: string;
  readonly pid: number;
  readonly host: string;
  readonly command: string;
  readonly since: string;
  /** The holder's start time in clock ticks since boot (Linux), so a reused pid is not taken for the holder. */
  readonly start: string | undefined;
}

export interface Lock {
  /** Set when a lock left by a process that no longer runs was taken over. */
  readonly staleOwner: LockOwner | undefined;
  release(): void;
}

/** A lock file as found: its id, its owner when readable, and whether its holder is gone. */
interface Holder {
  readonly id: string;
  readonly owner: LockOwner | undefined;
  readonly stale: boolean;
}

/**
 * A lock file that cannot be read was cut short by a version that created the file before writing
 * it; a writer needs microseconds for that, so one this old has no writer any more.
 */
const UNREADABLE_LOCK_AGE_MS = 2000;

function startTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 22, counted after the command name, which is in parentheses and may hold spaces.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

function alive(owner: LockOwner): boolean {
  try {
    process.kill(owner.pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const now = startTime(owner.pid);
  return owner.start === undefined || now === undefined || now === owner.start;
}

/** Reads a lock (or takeover claim) file; undefined when it has gone in the meantime. */
function readHolder(path: string): Holder | undefined {
  let text: string;
  let info;
  try {
    info = statSync(path);
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  let owner: LockOwner | undefined;
  try {
    const parsed = JSON.parse(text) as LockOwner;
    if (Number.isInteger(parsed.pid) && typeof parsed.host === 'string') owner = parsed;
  } catch {
    owner = undefined;
  }
  // Locks of older versions carry no id; the file's inode and time name that one file as well.
  const id = typeof owner?.id === 'string' && /^[\w-]+$/.test(owner.id) ? owner.id : `i${info.ino}-${Math.round(info.mtimeMs)}`;
  if (!owner) return { id, owner, stale: Date.now() - info.mtimeMs > UNREADABLE_LOCK_AGE_MS };
  return { id, owner, stale: owner.host === hostname() && !alive(owner) };
}

/** True when no process with this pid runs (0: no pid known). */
export function processGone(pid: number): boolean {
  if (pid <= 0) return true;
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== 'EPERM';
  }
}

/** Like link(2): puts `from` at `to` unless something is there already. */
export function linkExclusive(from: string, to: string): boolean {
  try {
    linkSync(from, to);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
}

/** Removes `path` only while it is still the file with `id` (ours). */
function removeIfHeld(path: string, id: string): void {
  if (readHolder(path)?.id === id) rmSync(path, { force: true });
}

function pause(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * Stops two runs from changing the same tree at once.
 *
 * The lock file appears whole: it is written and flushed under a temporary name, then linked to
 * `lock`, which fails when a lock is there. A lock whose holder is gone (a dead pid on this host,
 * or an unreadable file older than a writer could take) is replaced. A takeover first claims the
 * right to replace that one lock file, `lock.takeover-<its id>`, with the same exclusive link; only
 * one run can win it, and a claim whose own holder died is taken over the same way.
 */
export function acquireLock(stateDir: string, command: string): Lock {
  const path = join(stateDir, 'lock');
  const me: LockOwner = { id: randomUUID(), pid: process.pid, host: hostname(), command, since: new Date().toISOString(), start: startTime(process.pid) };
  const mine = ourTemporaryPath(path);
  writeDurable(mine, Buffer.from(JSON.stringify(me) + '\n'), 0o644);
  const held = (staleOwner: LockOwner | undefined): Lock => ({ staleOwner, release: () => removeIfHeld(path, me.id) });

  /** Replaces the file at `target`, which holds `victim`, with ours; false when another run got there first. */
  const supersede = (target: string, victim: Holder, depth: number): boolean => {
    const claim = join(stateDir, `lock.takeover-${victim.id}`);
    if (!linkExclusive(mine, claim)) {
      const claimant = readHolder(claim);
      if (!claimant?.stale || depth > 4 || !supersede(claim, claimant, depth + 1)) return false;
    }
    try {
      if (readHolder(target)?.id !== victim.id) return false;
      rmSync(target, { force: true });
      return linkExclusive(mine, target);
    } finally {
      removeIfHeld(claim, me.id);
    }
  };

  try {
    let lastOwner: LockOwner | undefined;
    for (let attempt = 0; attempt < 50; attempt++) {
      if (linkExclusive(mine, path)) return held(undefined);
      const holder = readHolder(path);
      if (!holder) continue;
      lastOwner = holder.owner;
      if (!holder.stale) {
        throw new OperationError(
          holder.owner
            ? `another instrument run holds the lock on this tree: \`${holder.owner.command}\`, pid ${holder.owner.pid} on ${holder.owner.host}, since ${holder.owner.since}`
            : `another instrument run is taking the lock on this tree (${path})`,
          `Wait for it to finish. If no such run exists any more, delete ${path} and run the command again.`,
        );
      }
      if (supersede(path, holder, 0)) return held(holder.owner ?? { id: holder.id, pid: 0, host: me.host, command: 'unknown (an unreadable lock)', since: 'unknown', start: undefined });
      pause(20);
    }
    throw new OperationError(
      `could not take the lock ${path}${lastOwner ? ` (last held by pid ${lastOwner.pid})` : ''}: other runs kept taking it`,
      `Wait for the other instrument runs on this tree to finish, then try again.`,
    );
  } finally {
    rmSync(mine, { force: true });
  }
}
