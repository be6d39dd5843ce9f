import { createReadStream, existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { Analyzer } from '../analyze/analyzer.ts';
import { untilAborted } from '../analyze/interrupt.ts';
import { readLineBlocks, type LineBlock } from '../analyze/lines.ts';
import type { RequestRecord, Summary } from '../analyze/model.ts';
import { UsageError } from '../errors.ts';

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
