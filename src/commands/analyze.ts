import { createReadStream, existsSync, statSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { Analyzer } from '../analyze/analyzer.ts';
import { untilAborted } from '../analyze/interrupt.ts';
import { readLineBlocks, type LineBlock } from '../analyze/lines.ts';
import type { RequestRecord, Summary } from '../analyze/model.ts';
import { OperationError, UsageError } from '../errors.ts';
import { ExitCode } from '../exit-codes.ts';
import type { Rendered, Style } from '../reporters/text.ts';

export interface AnalyzeOptions {
  readonly cwd: string;
  /** A log file, or `-` (or nothing) for standard input. */
  readonly input?: string | undefined;
  readonly stdin: Readable;
  /** Ends the reading early (Ctrl-C on followed input); what was read is still analyzed. */
  readonly signal?: AbortSignal | undefined;
  /** Live input: complete answered requests after this long without news (ms). */
  readonly followSettleMs?: number | undefined;
  readonly onRequest: (record: RequestRecord) => void;
  /** Called about once a second with the summary so far (for live displays). */
  readonly onTick?: ((summary: Summary) => void) | undefined;
}

/** Whether a summary holds something that should fail a CI job. */
export function hasProblems(summary: Summary): boolean {
  return Object.keys(summary.problemsByKind).length > 0 || Object.keys(summary.failuresByKind).length > 0;
}

/** The stream to analyze: a file, or standard input. */
export function openInput(options: { cwd: string; input?: string | undefined; stdin: Readable }): Readable {
  if (options.input === undefined || options.input === '-') return options.stdin;
  const path = resolve(options.cwd, options.input);
  const hint = 'Pass a log file, or - to read standard input (e.g. kubectl logs ... | instrument analyze -).';
  if (!existsSync(path)) throw new UsageError(`${options.input}: no such file`, hint);
  // Pipes and devices are fine (`instrument analyze <(kubectl logs ...)`); a folder is not.
  if (statSync(path).isDirectory()) throw new UsageError(`${options.input} is a folder, not a log file`, hint);
  // Just under 1 MB: larger Latin-1 strings become external strings that V8 frees late, and memory
  // grows with the log instead of staying flat.
  return createReadStream(path, { highWaterMark: 1000 << 10 });
}

type RunOptions = Omit<AnalyzeOptions, 'cwd' | 'input' | 'stdin' | 'signal'>;

/** Analyzes lines as they come, handing each request to `onRequest` once complete. */
export function analyzeLines(lines: AsyncIterable<string>, options: RunOptions): Promise<Summary> {
  return run(options, async (analyzer) => {
    for await (const line of lines) analyzer.push(line);
  });
}

/** The same, fed blocks of Latin-1 lines (the fast path for files and pipes, see readLineBlocks). */
export function analyzeBlocks(blocks: AsyncIterable<LineBlock>, options: RunOptions): Promise<Summary> {
  return run(options, async (analyzer) => {
    for await (const block of blocks) analyzer.pushBlock(block);
  });
}

async function run(options: RunOptions, feed: (analyzer: Analyzer) => Promise<void>): Promise<Summary> {
  const analyzer = new Analyzer({ onRequest: options.onRequest });
  const timer =
    options.followSettleMs !== undefined || options.onTick
      ? setInterval(() => {
          if (options.followSettleMs !== undefined) analyzer.sweepTime(options.followSettleMs);
          options.onTick?.(analyzer.summary());
        }, 1000)
      : undefined;
  try {
    await feed(analyzer);
  } finally {
    if (timer) clearInterval(timer);
  }
  return analyzer.finish();
}

/** `instrument analyze [FILE|-]`. */
export async function analyze(options: AnalyzeOptions): Promise<Summary> {
  return analyzeBlocks(untilAborted(readLineBlocks(openInput(options)), options.signal), options);
}

/** Every request record of a log, and its summary (the what-if and the comparison need the whole log). */
export async function readRecords(options: Pick<AnalyzeOptions, 'cwd' | 'input' | 'stdin'>): Promise<{ records: RequestRecord[]; summary: Summary }> {
  const records: RequestRecord[] = [];
  const summary = await analyze({ ...options, onRequest: (record) => records.push(record) });
  if (summary.input !== undefined) {
    const { renderNoScheduling } = await import('../reporters/analysis.ts');
    const source = options.input === undefined || options.input === '-' ? 'standard input' : options.input;
    throw new OperationError(`${source}: no scheduling lines, nothing to recompute or compare`, renderNoScheduling(summary, source).trimEnd());
  }
  return { records, summary };
}

export interface WhatIfOptions extends Pick<AnalyzeOptions, 'cwd' | 'input' | 'stdin'> {
  /** `--weights` values: `scorer=W[,scorer=W]`, repeatable. */
  readonly weights?: readonly string[] | undefined;
  /** `--compare A`: the baseline run; `input` is the other one. */
  readonly compare?: string | undefined;
  readonly json?: boolean | undefined;
  readonly html?: string | undefined;
  readonly style: Style;
}

/** `instrument analyze --weights ...` and `instrument analyze --compare A B`: one report, in text, JSON or HTML. */
export async function whatIfOrCompare(options: WhatIfOptions): Promise<{ rendered: Rendered; exitCode: ExitCode }> {
  if (options.weights !== undefined && options.compare !== undefined) throw new UsageError('--weights and --compare go separately', 'Run the what-if on one log, or compare two logs.');
  const html = options.html === undefined ? undefined : resolve(options.cwd, options.html);
  if (html !== undefined && !statSync(dirname(html), { throwIfNoEntry: false })?.isDirectory()) throw new UsageError(`--html ${options.html}: the folder ${dirname(html)} does not exist`, 'Create the folder first, or name a file in a folder that exists.');
  const reporters = await import('../reporters/whatif.ts');
  const pages = await import('../reporters/whatif-html.ts');
  let stdout: string;
  let page: string;
  if (options.weights !== undefined) {
    const { parseWeights, whatIf } = await import('../analyze/whatif.ts');
    const settings = parseWeights(options.weights);
    const report = whatIf((await readRecords(options)).records, settings);
    stdout = options.json ? JSON.stringify(report) + '\n' : reporters.renderWhatIf(report, options.style);
    page = pages.renderSectionsPage('instrument analyze: what if', [pages.renderWhatIfSection(report)]);
  } else {
    if (options.input === undefined) throw new UsageError('--compare A.log B.log: the second log is missing', 'Name both runs: instrument analyze --compare before.log after.log (- reads the second from standard input).');
    const { compare } = await import('../analyze/compare.ts');
    const a = await readRecords({ ...options, input: options.compare });
    const b = await readRecords(options);
    const report = compare({ label: options.compare!, ...a }, { label: options.input === '-' ? 'standard input' : options.input, ...b });
    stdout = options.json ? JSON.stringify(report) + '\n' : reporters.renderCompare(report, options.style);
    page = pages.renderSectionsPage('instrument analyze: compare', [pages.renderCompareSection(report)]);
  }
  if (html !== undefined) writeFileSync(html, page);
  return { rendered: { stdout, stderr: '' }, exitCode: ExitCode.ok };
}
