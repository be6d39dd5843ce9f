import { runCli } from './program.ts';
import { plainStyle, type Style } from './reporters/text.ts';

// The command line, run by start/main.ts: the only module that reads argv, looks at the terminal
// and sets the exit code.

// V8's flags and code cache are set up before this module is compiled: start/main.ts.

// `instrument analyze ... | head` closes the pipe early; that is the reader's choice, not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});
const colour = process.stdout.isTTY === true && process.env.NO_COLOR === undefined && process.env.TERM !== 'dumb';
const sgr = (code: number) => (s: string) => `\x1b[${code}m${s}\x1b[0m`;
const style: Style = colour ? { ok: sgr(32), bad: sgr(31), warn: sgr(33), dim: sgr(2), bold: sgr(1) } : plainStyle;

// No top-level await: the bundled command line (dist/cli/) is CommonJS, see rolldown.config.mjs.
void runCli(process.argv.slice(2), {
  cwd: process.cwd(),
  env: process.env,
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  style,
  // A getter: touching process.stdin sets up a stream (and loads net and tty) that only
  // `analyze` and `logs` read.
  get stdin() {
    return process.stdin;
  },
  interactive: process.stderr.isTTY === true,
  columns: process.stderr.columns,
}).then((code) => {
  process.exitCode = code;
});
