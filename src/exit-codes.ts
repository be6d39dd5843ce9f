/**
 * The exit codes of every command, as documented in the README.
 * - `ok`: the command did what was asked (including "already applied").
 * - `failed`: the command ran but its outcome is a failure: a point could not be placed, revert
 *   refused, another run holds the lock, a damaged journal or state, the file system failed (disk
 *   full, I/O error, read-only, permissions), an external command failed, `analyze` or `check`
 *   found problems.
 * - `usage`: the invocation or configuration is wrong (unknown flag, bad value, missing folder).
 * - `internal`: a bug in instrument, and nothing else; the message says so and prints the stack.
 */
export const ExitCode = {
  ok: 0,
  failed: 1,
  usage: 2,
  internal: 3,
} as const;

export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];
