import { Argument, Command, CommanderError, Option } from 'commander';
import { COMMANDS } from './commands/cli/index.ts';
import { renderExamples, type CliIo, type CommandSpec, type Example, type OptionSpec, type Outcome } from './commands/cli/define.ts';
import { globalOptions } from './commands/cli/options.ts';
import { InstrumentError, systemFailure } from './errors.ts';
import { ExitCode } from './exit-codes.ts';
import { colourStyle, colourWanted, type ColourWhen } from './reporters/colour.ts';
import type { Style } from './reporters/text.ts';
import { VERSION } from './version.ts';

export type { CliIo } from './commands/cli/define.ts';

const PROGRAM_EXAMPLES: readonly Example[] = [
  { description: 'The session, in the workspace that holds the llm-d clone', command: 'instrument vendor && instrument apply && instrument build && instrument load && instrument deploy' },
  { description: 'See what apply would change, and write nothing', command: 'instrument apply --dry-run' },
  { description: 'Send traffic, then read the logs back into a table and a page', command: 'instrument traffic && instrument logs --since 10m --analyze --html scores.html' },
  { description: 'Put everything back', command: 'instrument rollback && instrument revert' },
  { description: 'Complete commands and flags in bash', command: 'source <(instrument completion bash)' },
];

function option(spec: OptionSpec): Option {
  const made = new Option(spec.flags, spec.description);
  if (spec.choices) made.choices(spec.choices);
  if (spec.parse) made.argParser(spec.parse as (value: string, previous: unknown) => unknown);
  if (spec.default !== undefined) made.default(spec.default);
  if (spec.required) made.makeOptionMandatory();
  return made;
}

/** The value of --color on the command line (commander checks it; a wrong one is refused there). */
function colourFlag(argv: readonly string[]): ColourWhen {
  let when = 'auto';
  argv.forEach((arg, i) => {
    if (arg === '--color' && argv[i + 1] !== undefined) when = argv[i + 1]!;
    else if (arg.startsWith('--color=')) when = arg.slice('--color='.length);
  });
  return when === 'always' || when === 'never' ? when : 'auto';
}

/** Whether DEBUG asks for stacks: set to anything but empty or 0. */
function debugFromEnv(env: CliIo['env']): boolean {
  return env.DEBUG !== undefined && env.DEBUG !== '' && env.DEBUG !== '0';
}

/**
 * Builds the command tree from the list of commands (src/commands/cli/index.ts). Each action hands
 * its flags to the command's `run`, which loads its command lazily (so `instrument status` never
 * loads the parser), and passes back the rendered outcome.
 */
export function createProgram(io: CliIo, style: Style, done: (outcome: Outcome) => void): Command {
  const program = new Command('instrument')
    .description(
      "Instrument llm-d's endpoint picker (EPP) with concise per-request scoring logs, build and deploy it, read the logs back, and undo it byte for byte.",
    )
    .version(VERSION, '-V, --version')
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .configureHelp({ showGlobalOptions: true, sortSubcommands: false })
    .exitOverride();
  for (const spec of globalOptions) program.addOption(option(spec));
  program.addHelpText(
    'after',
    `\nExamples:\n${renderExamples(PROGRAM_EXAMPLES)}\n\nRun \`instrument <command> --help\` for a command's flags and examples. Exit codes: 0 done, 1 failed, 2 usage, 3 a bug in instrument.\n`,
  );

  for (const spec of COMMANDS as readonly CommandSpec<Record<string, unknown>>[]) {
    const command = program.command(spec.name).summary(spec.summary).description(spec.description ?? spec.summary);
    for (const a of spec.arguments ?? []) {
      const argument = new Argument(a.name, a.description);
      if (a.choices) argument.choices(a.choices);
      command.addArgument(argument);
    }
    for (const o of spec.options) command.addOption(option(o));
    if (spec.examples.length > 0) command.addHelpText('after', `\nExamples:\n${renderExamples(spec.examples)}\n`);
    command.action(async (...received: unknown[]) => {
      const self = received.at(-1) as Command;
      done(await spec.run({ io, style, flags: self.opts(), args: received.slice(0, -2) as (string | undefined)[], commands: COMMANDS }));
    });
  }
  return program;
}

/** The command line without the program's own flags: empty when no command was named. */
function withoutGlobalFlags(argv: readonly string[]): string[] {
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--debug' || argv[i]!.startsWith('--color=')) continue;
    if (argv[i] === '--color') {
      i++;
      continue;
    }
    rest.push(argv[i]!);
  }
  return rest;
}

/**
 * Runs the CLI on `argv` (without node and script) and returns the exit code. This is the one place
 * that turns errors into messages and exit codes.
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<ExitCode> {
  let outcome: Outcome | undefined;
  const style = colourStyle(colourWanted(colourFlag(argv), io.env, io.stdoutIsTerminal === true));
  const program = createProgram(io, style, (o) => (outcome = o));
  const debug = argv.includes('--debug') || debugFromEnv(io.env);
  // A bare `instrument` asks what there is: the help, on stdout, as `instrument --help`.
  if (withoutGlobalFlags(argv).length === 0) {
    program.outputHelp();
    return ExitCode.ok;
  }
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (error) {
    return reportError(error, io, style, debug, argv.includes('--json'));
  }
  if (!outcome) return ExitCode.ok;
  if (outcome.rendered.stdout) io.stdout(outcome.rendered.stdout);
  if (outcome.rendered.stderr) io.stderr(outcome.rendered.stderr);
  return outcome.exitCode;
}

function reportError(thrown: unknown, io: CliIo, style: Style, debug: boolean, json: boolean): ExitCode {
  // With --json, stdout always holds one document, errors included, so scripts can read why.
  const jsonError = (code: ExitCode, message: string, hint?: string) => {
    if (json) io.stdout(JSON.stringify({ error: { exitCode: code, message, hint } }, null, 2) + '\n');
  };
  if (thrown instanceof CommanderError) {
    // commander has already printed its message; help and version are successes.
    if (thrown.code === 'commander.helpDisplayed' || thrown.code === 'commander.version' || thrown.code === 'commander.help') return ExitCode.ok;
    jsonError(ExitCode.usage, thrown.message.replace(/^error: /, ''));
    return ExitCode.usage;
  }
  // A failure of the file system anywhere (disk full, permissions, a link loop) is not a bug.
  const error = thrown instanceof InstrumentError ? thrown : (systemFailure(thrown) ?? thrown);
  if (error instanceof InstrumentError && error.exitCode !== ExitCode.internal) {
    io.stderr(`${style.bad('error:')} ${error.message}\n`);
    if (error.hint) io.stderr(`${error.hint}\n`);
    if (debug && error.stack) io.stderr(`${error.stack}\n`);
    jsonError(error.exitCode, error.message, error.hint);
    return error.exitCode;
  }
  jsonError(ExitCode.internal, error instanceof Error ? error.message : String(error), 'This is a bug in instrument; the stack is on stderr.');
  const stack = error instanceof Error ? (error.stack ?? error.message) : String(error);
  io.stderr(
    `${style.bad('internal error:')} ${error instanceof Error ? error.message : String(error)}\n` +
      `This is a bug in instrument ${VERSION} (node ${process.version}); please report it with the output below.\n${stack}\n` +
      (error instanceof Error && error.cause instanceof Error ? `caused by: ${error.cause.stack ?? error.cause.message}\n` : ''),
  );
  return ExitCode.internal;
}
