import type { Readable } from 'node:stream';
import type { ExitCode } from '../../exit-codes.ts';
import type { Rendered, Style } from '../../reporters/text.ts';

/**
 * Commands as data: each module in this folder declares one command (its flags, help and examples)
 * and a `run` that turns the flags into options for the thin command in src/commands/, loaded
 * lazily, and hands back the rendered outcome. src/program.ts builds commander's program, and
 * src/commands/cli/completion.ts the shell completions, from the list in index.ts.
 */

/** Everything the CLI needs from the process, so the program runs the same in tests. */
export interface CliIo {
  readonly cwd: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** Standard input, for commands that read logs from a pipe. */
  readonly stdin?: Readable | undefined;
  /** Whether stdout is a terminal (colour with `--color auto`). */
  readonly stdoutIsTerminal?: boolean | undefined;
  /** Whether standard input is a terminal (then nobody is piping a log in). */
  readonly stdinIsTerminal?: boolean | undefined;
  /** Whether stderr is a terminal (progress displays rewrite one line there). */
  readonly interactive?: boolean | undefined;
  readonly columns?: number | undefined;
  /**
   * Asks for `stop` to be called on SIGINT or SIGTERM instead of the process dying (for followed
   * logs, which then end their input, flush and summarize); returns the way to undo that.
   */
  readonly onInterrupt?: ((stop: () => void) => () => void) | undefined;
}

/** A command's outcome, rendered, with the exit code it asks for. */
export interface Outcome {
  readonly rendered: Rendered;
  readonly exitCode: ExitCode;
}

/** One flag, as commander takes it. */
export interface OptionSpec {
  /** `--name`, `--name <value>`, `-n, --name <value>`; `<value...>` is not used. */
  readonly flags: string;
  readonly description: string;
  /** The only values allowed (commander checks them; completion offers them). */
  readonly choices?: readonly string[] | undefined;
  /** Turns the text into the value (throw commander's InvalidArgumentError to refuse it). */
  readonly parse?: ((value: string, previous: never) => unknown) | undefined;
  readonly default?: unknown;
  readonly required?: boolean | undefined;
  /** What a shell should complete the value with (default: file names). */
  readonly complete?: 'file' | 'folder' | 'none' | undefined;
}

export interface ArgumentSpec {
  /** `[file]` (optional) or `<name>` (required). */
  readonly name: string;
  readonly description: string;
  readonly choices?: readonly string[] | undefined;
}

export interface Example {
  /** What it does, one line. */
  readonly description: string;
  /** The command line, starting with `instrument`. */
  readonly command: string;
}

export interface RunContext<Flags> {
  readonly io: CliIo;
  /** Colour functions as `--color`, FORCE_COLOR, NO_COLOR and the terminal decide. */
  readonly style: Style;
  readonly flags: Flags;
  /** The positional arguments, in the order declared. */
  readonly args: readonly (string | undefined)[];
  /** Every command of the program (for the completion scripts). */
  readonly commands: readonly CommandSpec<never>[];
}

export interface CommandSpec<Flags = Record<string, unknown>> {
  readonly name: string;
  /** One line, for the list of commands. */
  readonly summary: string;
  /** The paragraph at the top of the command's help (default: the summary). */
  readonly description?: string | undefined;
  readonly arguments?: readonly ArgumentSpec[] | undefined;
  readonly options: readonly OptionSpec[];
  readonly examples: readonly Example[];
  readonly run: (context: RunContext<Flags>) => Promise<Outcome>;
}

/** Declares a command; `Flags` names the parsed flags' types for `run`. */
export function defineCommand<Flags>(spec: CommandSpec<Flags>): CommandSpec<Flags> {
  return spec;
}

/** The JSON document of a result, for --json. */
export function json(result: unknown): Rendered {
  return { stdout: JSON.stringify(result, null, 2) + '\n', stderr: '' };
}

/** An AbortSignal that Ctrl-C or SIGTERM aborts while `run` runs (when the CLI can catch them). */
export async function interruptible<T>(io: CliIo, run: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const release = io.onInterrupt?.(() => controller.abort());
  try {
    return await run(controller.signal);
  } finally {
    release?.();
  }
}

/** The examples as kubectl prints them: a comment line, then the command, indented. */
export function renderExamples(examples: readonly Example[]): string {
  return examples.map((e) => `  # ${e.description}\n  ${e.command}`).join('\n\n');
}
