import { statSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { ANALYSIS_VERSION, type RequestRecord, type Summary } from '../../analyze/model.ts';
import { UsageError } from '../../errors.ts';
import type { Style } from '../../reporters/text.ts';
import type { CliIo } from './define.ts';

// The analysis as analyze and logs --analyze print it.

/** The explanation for input without a single scheduling line (then analyze exits 1), or nothing. */
export async function noSchedulingNote(summary: Summary, source: string): Promise<string> {
  if (summary.input === undefined) return '';
  const { renderNoScheduling } = await import('../../reporters/analysis.ts');
  return renderNoScheduling(summary, source);
}

type AnalysisRun = (options: { onRequest: (record: RequestRecord) => void; onTick?: (summary: Summary) => void; followSettleMs?: number }) => Promise<Summary>;

/**
 * Prints an analysis as it streams: each request as soon as it is complete (a table row, or an
 * element of the JSON document), the summary last; the HTML page is written at the end.
 */
export async function analyzeTo(io: CliIo, style: Style, flags: { json?: boolean; follow?: boolean; html?: string }, run: AnalysisRun): Promise<Summary> {
  if (flags.html !== undefined) {
    // Checked before the analysis runs, so the table is not printed for a page that cannot be written.
    const folder = dirname(resolve(io.cwd, flags.html));
    if (!statSync(folder, { throwIfNoEntry: false })?.isDirectory()) {
      throw new UsageError(`--html ${flags.html}: the folder ${folder} does not exist`, 'Create the folder first, or name a file in a folder that exists.');
    }
  }
  const { renderRequest, renderSummary } = await import('../../reporters/analysis.ts');
  const page = flags.html === undefined ? undefined : new (await import('../../reporters/html.ts')).PageCollector();
  let first = true;
  // Output is gathered and written in pieces of about 64 KB: one write per request is a system
  // call per request on a large log. Followed input is written as each request completes,
  // whatever stdout is (a terminal, a file, a pipe to another program, a CI log).
  const immediate = flags.follow === true;
  let pending = '';
  const write = (text: string) => {
    pending += text;
    if (immediate || pending.length > 65_536) {
      io.stdout(pending);
      pending = '';
    }
  };
  const flush = () => {
    if (pending) io.stdout(pending);
    pending = '';
  };
  if (flags.json) write(`{"version":${ANALYSIS_VERSION},"requests":[`);
  const live = flags.follow && io.interactive && !flags.json;
  const summary = await run({
    onRequest: (record) => {
      page?.add(record);
      if (flags.json) {
        write((first ? '\n' : ',\n') + JSON.stringify(record));
        first = false;
      } else if (live) {
        // Live: each request shows at once.
        io.stderr('\r\x1b[K');
        io.stdout(renderRequest(record, style));
      } else {
        write(renderRequest(record, style));
      }
    },
    onTick: live
      ? (s) => io.stderr(`\r\x1b[K${s.requests} requests, ${s.picked} picked, ${Object.values(s.problemsByKind).reduce((n, k) => n + k.count, 0)} problems, ${s.lines} lines`)
      : undefined,
    followSettleMs: flags.follow ? 2000 : undefined,
  });
  if (live) io.stderr('\r\x1b[K');
  if (flags.json) write(`\n],"summary":${JSON.stringify(summary)}}\n`);
  else write(renderSummary(summary, style));
  flush();
  if (page && flags.html !== undefined) {
    writeFileSync(resolve(io.cwd, flags.html), page.render(summary));
  }
  return summary;
}

/**
 * Says so when the log is to come from standard input and that is a terminal: nobody is piping a
 * log in, and a silent wait looks like a hang.
 */
export function noteTerminalInput(io: CliIo, input: string | undefined): void {
  if ((input === undefined || input === '-') && io.stdinIsTerminal === true) {
    io.stderr(
      'waiting for an EPP log on standard input, which is this terminal: paste one and end it with Ctrl-D, ' +
        'or pipe one in (kubectl logs ... | instrument analyze), or name a file (instrument analyze epp.log)\n',
    );
  }
}
