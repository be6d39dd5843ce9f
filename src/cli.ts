import { runCli } from './program.ts';

// The command line, run by start/main.ts: the only module that reads argv, looks at the terminal
// and sets the exit code.

// V8's flags and code cache are set up before this module is compiled: start/main.ts.

// `instrument analyze ... | head` closes the pipe early; that is the reader's choice, not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

// Followed logs ask to hear of Ctrl-C and SIGTERM: the first ends their input (they flush and print
// the summary, then exit with the usual code); a second one ends the process at once.
let interrupted = false;
const onInterrupt = (stop: () => void) => {
  const handler = (signal: NodeJS.Signals) => {
    if (interrupted) process.exit(signal === 'SIGINT' ? 130 : 143);
    interrupted = true;
    stop();
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return () => {
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
  };
};

// No top-level await: the bundled command line (dist/cli/) is CommonJS, see rolldown.config.mjs.
void runCli(process.argv.slice(2), {
  cwd: process.cwd(),
  env: process.env,
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  // Colour is decided from these, --color, FORCE_COLOR and NO_COLOR: reporters/colour.ts.
  stdoutIsTerminal: process.stdout.isTTY === true,
  // A getter: touching process.stdin sets up a stream (and loads net and tty) that only
  // `analyze` and `logs` read.
  get stdin() {
    return process.stdin;
  },
  get stdinIsTerminal() {
    return process.stdin.isTTY === true;
  },
  interactive: process.stderr.isTTY === true,
  columns: process.stderr.columns,
  onInterrupt,
}).then((code) => {
  process.exitCode = code;
  // A read left waiting on standard input would keep the process alive.
  if (interrupted) process.exit(code);
});
