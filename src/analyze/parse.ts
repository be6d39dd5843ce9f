/**
 * Reads one EPP log line in any of the forms upstream-facts §6 lists: zap's development console
 * lines (`time\tLEVEL\t[logger\t]caller\tmsg\t{json}`) and JSON lines, RFC3339 or epoch timestamps,
 * `LEVEL(-4)` / `Level(-4)` / `debug` levels. Stack-trace lines that follow an error are
 * continuations, not unreadable lines.
 */

export interface LogRecord {
  readonly line: number;
  readonly time: string | undefined;
  readonly level: string | undefined;
  readonly msg: string;
  /** The key/value fields (WithValues and call fields), as decoded from JSON. */
  readonly fields: Readonly<Record<string, unknown>>;
}

export type ParsedLine =
  | { readonly kind: 'record'; readonly record: LogRecord }
  | { readonly kind: 'continuation' | 'unreadable' | 'blank' };

const CONSOLE_START = /^(?:\d{4}-\d\d-\d\dT[^\t]*|\d{9,}(?:\.\d+)?)\t/;
const CALLER = /\.go:\d+$/;
/** Go stack frames and panic output, as zap prints them under an error line. */
const STACK = /^(?:\t|\s{2,}|goroutine \d+ \[|panic: |\S+\.go:\d+|[\w.\-/]+\.(?:\(\*?[\w.]+\)\.)?[\w.]+(?:\(.*\))?$)/;
/** `kubectl logs --prefix` puts `[pod/name/container] ` first. */
const KUBECTL_PREFIX = /^\[[^\]]*\] /;

const RESERVED = new Set(['level', 'ts', 'time', 'caller', 'msg', 'logger', 'stacktrace', 'M', 'L', 'T', 'C']);

function parseJsonLine(text: string, line: number): ParsedLine {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { kind: 'unreadable' };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { kind: 'unreadable' };
  const object = value as Record<string, unknown>;
  const msg = object.msg ?? object.M;
  if (typeof msg !== 'string') return { kind: 'unreadable' };
  const fields: Record<string, unknown> = {};
  for (const key in object) if (!RESERVED.has(key)) fields[key] = object[key];
  const ts = object.ts ?? object.time ?? object.T;
  const level = object.level ?? object.L;
  return {
    kind: 'record',
    record: { line, time: ts === undefined ? undefined : String(ts), level: typeof level === 'string' ? level : undefined, msg, fields },
  };
}

function parseConsoleLine(text: string, line: number): ParsedLine {
  const parts = text.split('\t');
  // time, level, [logger,] caller, msg, [json]; without a caller: time, level, msg, [json].
  const callerAt = parts.findIndex((p, i) => i >= 2 && CALLER.test(p));
  const msgAt = callerAt === -1 ? 2 : callerAt + 1;
  const msg = parts[msgAt];
  if (msg === undefined) return { kind: 'unreadable' };
  let fields: Record<string, unknown> = {};
  const rest = parts.slice(msgAt + 1).join('\t');
  if (rest !== '') {
    try {
      const decoded = JSON.parse(rest) as unknown;
      if (typeof decoded !== 'object' || decoded === null || Array.isArray(decoded)) return { kind: 'unreadable' };
      fields = decoded as Record<string, unknown>;
    } catch {
      return { kind: 'unreadable' };
    }
  }
  return { kind: 'record', record: { line, time: parts[0], level: parts[1], msg, fields } };
}

/** Classifies and decodes one line. `afterRecord` says whether a record (or its trace) came just before. */
export function parseLine(raw: string, line: number, afterRecord: boolean): ParsedLine {
  const text = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
  if (text.trim() === '') return { kind: 'blank' };
  const body = text.charCodeAt(0) === 0x5b /* [ */ ? text.replace(KUBECTL_PREFIX, '') : text;
  if (body.charCodeAt(0) === 0x7b /* { */) return parseJsonLine(body, line);
  if (CONSOLE_START.test(body)) return parseConsoleLine(body, line);
  return afterRecord && STACK.test(body) ? { kind: 'continuation' } : { kind: 'unreadable' };
}

/**
 * Whether a line can matter to the analysis at all. Everything else is only counted, never
 * decoded: that is what keeps analyze faster than a JSON tool that parses every line.
 */
export const INTERESTING = /instrument: |Calculated score|Request handled|Scored endpoints|EPP received request|rror|ERROR|xhausted|ailed|unavailable|panic/;

/** `ns/name` from the forms an endpoint takes in upstream lines: a string, or `{namespace, name}`. */
export function endpointName(value: unknown): string | undefined {
  if (typeof value === 'string') {
    // G040/G05 log *backend.Pod with its Stringer: "{NamespacedName:ns/name Address:1.2.3.4 Labels:map[]}".
    const stringer = /NamespacedName:(\S+)/.exec(value);
    return stringer ? stringer[1] : value;
  }
  if (typeof value === 'object' && value !== null) {
    const o = value as { namespace?: unknown; name?: unknown; Namespace?: unknown; Name?: unknown };
    const name = o.name ?? o.Name;
    const namespace = o.namespace ?? o.Namespace;
    if (typeof name === 'string') return typeof namespace === 'string' && namespace !== '' ? `${namespace}/${name}` : name;
  }
  return undefined;
}
