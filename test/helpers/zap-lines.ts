/** One log line as a flat record, from either zap encoder. */
export type LogRecord = Record<string, unknown> & { msg: string };

/**
 * Reads zap's JSON lines and development-console lines (`time\tLEVEL\tcaller\tmsg\t{json}`). This
 * test-only reader is independent of `analyze`, so the Go tests check the lines without trusting the
 * parser they are meant to feed.
 */
export function parseZapLine(line: string): LogRecord | undefined {
  if (line.startsWith('{')) return JSON.parse(line) as LogRecord;
  const parts = line.split('\t');
  if (parts.length < 4) return undefined;
  const context = parts.length >= 5 ? (JSON.parse(parts.slice(4).join('\t')) as Record<string, unknown>) : {};
  return { ...context, level: parts[1], caller: parts[2], msg: parts[3]! };
}
