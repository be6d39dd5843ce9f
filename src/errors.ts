import { ExitCode } from './exit-codes.ts';

/**
 * An error the user can act on. `message` is the title (what is wrong, and where), `hint` says what
 * to do next. The CLI prints both and exits with `exitCode`; nothing else prints or exits.
 */
export class InstrumentError extends Error {
  readonly exitCode: ExitCode;
  readonly hint: string | undefined;

  constructor(message: string, options: { exitCode: ExitCode; hint?: string; cause?: unknown }) {
    super(message, { cause: options.cause });
    this.name = new.target.name;
    this.exitCode = options.exitCode;
    this.hint = options.hint;
  }
}

/** Bad flags, bad values, a folder that does not exist: exit 2. */
export class UsageError extends InstrumentError {
  constructor(message: string, hint?: string) {
    super(message, { exitCode: ExitCode.usage, hint });
  }
}

/** The command ran and failed in a way the user can fix: exit 1. */
export class OperationError extends InstrumentError {
  constructor(message: string, hint?: string, cause?: unknown) {
    super(message, { exitCode: ExitCode.failed, hint, cause });
  }
}

/** A Go source the parser rejects, with a 1-based `file:line:col`: exit 1, nothing written. */
export class ParseError extends InstrumentError {
  readonly file: string;
  readonly line: number;
  readonly column: number;

  constructor(file: string, line: number, column: number, what: string) {
    super(`${file}:${line}:${column}: ${what}`, {
      exitCode: ExitCode.failed,
      hint: 'Fix the Go syntax there (does `gofmt -l` accept the file?) and run the command again; nothing was changed.',
    });
    this.file = file;
    this.line = line;
    this.column = column;
  }
}

/** Something that should never happen: a bug in instrument. Exit 3 with the stack. */
export class InternalError extends InstrumentError {
  constructor(message: string, cause?: unknown) {
    super(message, { exitCode: ExitCode.internal, cause });
  }
}

/** What each failure of the file system means, and what to do about it. */
const SYSTEM_FAILURES: Readonly<Record<string, readonly [string, string]>> = {
  ENOSPC: ['no space left on the device', 'Free some space on that file system, then run the command again.'],
  EDQUOT: ['the disk quota is used up', 'Free some space within your quota, then run the command again.'],
  EIO: ['an input/output error (the disk or the file system failed)', 'Check the disk and the kernel log (`dmesg`), then run the command again.'],
  EROFS: ['the file system is read-only', 'Run instrument on a writable copy of the tree, or mount the file system read-write.'],
  EACCES: ['permission denied', 'Give yourself read and write access there (`ls -l` shows the owner and mode), or work on a copy you own.'],
  EPERM: ['the operation is not permitted', 'Give yourself access there (`ls -l` shows the owner and mode), or work on a copy you own.'],
  ELOOP: ['a symbolic link loop (or too many links in a row)', 'Remove or fix that symbolic link, then run the command again.'],
  ENOENT: ['no such file or folder', 'Check the path; something may have removed it while instrument ran.'],
  ENOTDIR: ['a part of the path is a file where a folder was expected', 'Move that file away or fix the path, then run the command again.'],
  EISDIR: ['it is a folder where a file was expected', 'Move that folder away or fix the path, then run the command again.'],
  EEXIST: ['something is already there', 'Move it away, then run the command again.'],
  EMFILE: ['too many open files', 'Raise the limit (`ulimit -n`) or close other programs, then run the command again.'],
  ENFILE: ['too many open files on the system', 'Close other programs, then run the command again.'],
  ENAMETOOLONG: ['the path is too long', 'Work in a folder with a shorter path.'],
  EBUSY: ['the file or folder is busy', 'Wait for the program using it to finish, then run the command again.'],
  ETXTBSY: ['the file is busy', 'Wait for the program using it to finish, then run the command again.'],
  EXDEV: ['the paths are on different file systems', 'Keep the files of one tree on one file system.'],
  ENXIO: ['no such device', 'Check the path: it names a device or socket, not a file.'],
};

const VERBS: Readonly<Record<string, string>> = {
  open: 'open',
  read: 'read',
  write: 'write',
  fsync: 'flush',
  rename: 'rename',
  link: 'link',
  unlink: 'remove',
  rmdir: 'remove the folder',
  mkdir: 'create the folder',
  scandir: 'list the folder',
  stat: 'look at',
  lstat: 'look at',
  realpath: 'resolve',
  chmod: 'set the mode of',
  fchmod: 'set the mode of',
  copyfile: 'copy',
};

/**
 * A failure of the file system (an `errno` error from Node) as an error the user can act on: what
 * failed, where, and what to do. Exit 1: the disk, the permissions or the input are at fault, not
 * instrument. Anything else is left as it is (undefined).
 */
export function systemFailure(error: unknown): OperationError | undefined {
  if (!(error instanceof Error)) return undefined;
  const e = error as NodeJS.ErrnoException & { dest?: string };
  const known = e.code !== undefined ? SYSTEM_FAILURES[e.code] : undefined;
  if (!known || e.syscall === undefined) return undefined;
  const verb = VERBS[e.syscall] ?? e.syscall;
  const where = e.path !== undefined ? ` ${e.path}${e.dest !== undefined ? ` → ${e.dest}` : ''}` : '';
  return new OperationError(`cannot ${verb}${where}: ${known[0]} (${e.code})`, known[1], error);
}
