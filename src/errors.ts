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
