import { UsageError } from '../errors.ts';

/**
 * Durations as Go's time.ParseDuration reads them (what kubectl's --timeout and --since take):
 * a sequence of decimal numbers, each with a unit, e.g. `300ms`, `5m`, `1h30m`, `1.5h`.
 */

const UNIT_MS: Readonly<Record<string, number>> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, 'μs': 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const PART = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/y;

/** The duration in milliseconds, or undefined when `text` is not a Go duration. */
export function parseGoDuration(text: string): number | undefined {
  if (text === '0') return 0;
  if (text === '') return undefined;
  let total = 0;
  PART.lastIndex = 0;
  while (PART.lastIndex < text.length) {
    const at = PART.lastIndex;
    const match = PART.exec(text);
    if (!match || match.index !== at) return undefined;
    total += Number(match[1]) * UNIT_MS[match[2]!]!;
  }
  return total;
}

/** A positive Go duration from a flag or the config file, in whole milliseconds (rounded up). */
export function checkDuration(text: string, flag: string): number {
  const ms = parseGoDuration(text);
  if (ms === undefined || ms <= 0) {
    throw new UsageError(
      `${flag} ${JSON.stringify(text)}: expected a duration above 0 like 300ms, 30s, 5m or 1h30m`,
      'Write it as Go and kubectl do: numbers with units ns, us, ms, s, m, h (e.g. 90s, 1h30m).',
    );
  }
  return Math.ceil(ms);
}

/** Milliseconds as the shortest Go duration kubectl reads back exactly (`5m`, `1h30m`, `1500ms`). */
export function formatDuration(ms: number): string {
  if (ms % 1000 !== 0) return `${ms}ms`;
  let seconds = ms / 1000;
  const hours = Math.floor(seconds / 3600);
  seconds -= hours * 3600;
  const minutes = Math.floor(seconds / 60);
  seconds -= minutes * 60;
  return `${hours ? `${hours}h` : ''}${minutes ? `${minutes}m` : ''}${seconds || (!hours && !minutes) ? `${seconds}s` : ''}`;
}
