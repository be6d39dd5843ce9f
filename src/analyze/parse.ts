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
 * Upstream messages about scheduling, by what they say (upstream-facts §3, §8, §10; the texts are
 * upstream's, typos included). Versions differ only in keys, which the analyzer reads leniently.
 */
export const UPSTREAM = {
  profileStart: 'Running scheduler profile',
  /** "Completed running scheduler profile succuessfully" (G10+), "After running scheduler profile succuessfully" (G05). */
  profileDone: /^(?:Completed|After) running scheduler profile/,
  profileFailed: 'failed to run scheduler profile',
  filtersBefore: 'Before running filter plugins',
  /** G10+; G040/G05 say "Filter plugin result". */
  filterDone: /^(?:Completed running filter plugin successfully|Filter plugin result)$/,
  score: 'Calculated score',
  /** llm-d's active-request scorer (v0.6 on): `scores` = {"ns/name": score}. */
  llmdScores: 'Scored endpoints',
  candidatesForPicking: 'Candidate pods for picking',
  /** G10+; G040/G05 say "After running picker plugin". */
  pickerDone: /^(?:Completed running picker plugin successfully|After running picker plugin)$/,
  requestHandled: 'Request handled',
  received: 'EPP received request',
  /** V2 at start-up and when a pod is added or removed: the endpoint object with its address. */
  refresherStart: 'Starting refresher',
  refresherStop: 'Stopping refresher',
} as const;

/**
 * Whether a line can matter to the analysis at all. Everything else is only counted, never
 * decoded: that is what keeps analyze faster than a JSON tool that parses every line.
 */
export const INTERESTING =
  /instrument: |unning scheduler profile|unning filter plugin|Filter plugin result|Calculated score|unning picker plugin|Candidate pods|Request handled|Scored endpoints|EPP received request|refresher|rror|ERROR|xhausted|ailed|unavailable|panic/;

/**
 * What is read once the log has our lines: ours, failures, the V2 endpoint objects (addresses),
 * and, while only format 1 has been seen, upstream's V3 profile boundaries (they name the
 * profile format 1 does not). "unning scheduler profile" finds Running / Completed running /
 * After running, "ailed" the failed run: a bare "scheduler profile" makes V8 scan the log twice
 * as slowly (bench/analyze-vs-jq.mjs).
 */
export const AFTER_FORMAT_1 = /instrument: |unning scheduler profile|refresher|rror|ERROR|xhausted|ailed|unavailable|panic/;
export const AFTER_FORMAT_2 = /instrument: |refresher|rror|ERROR|xhausted|ailed|unavailable|panic/;

/** `ns/name` from the forms an endpoint takes in upstream lines: a string, or `{namespace, name}`. */
export function endpointName(value: unknown): string | undefined {
  if (typeof value === 'string') {
    // G040/G05 log *backend.Pod with its Stringer: "{NamespacedName:ns/name Address:1.2.3.4 Labels:map[]}".
    const stringer = /NamespacedName:([^\s}]+)/.exec(value);
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

/** An endpoint as upstream's objects describe it: its name, and its address when they carry one. */
export interface EndpointRef {
  readonly name: string;
  /** `ip:port`, or the bare ip where the object has no port (GIE ≤ v1.0). */
  readonly address: string | undefined;
}

/**
 * Reads an endpoint object as upstream logs it: the Stringer text of `*backend.Pod` /
 * `*EndpointMetadata` (`{NamespacedName:ns/name PodName:p Address:10.0.0.1 Port:8000 ...}`), or the
 * JSON of a pod or endpoint (`{"NamespacedName": {...}, "Address": ..., "Port": ...}`, possibly
 * nested under `Pod`, `Endpoint`, `EndpointMetadata` or `Metadata`).
 */
export function endpointRef(value: unknown): EndpointRef | undefined {
  if (typeof value === 'string') {
    const name = /NamespacedName:([^\s}]+)/.exec(value)?.[1];
    if (name === undefined) return undefined;
    const ip = /Address:([^\s}]+)/.exec(value)?.[1];
    const port = /Port:([^\s}]+)/.exec(value)?.[1];
    return { name, address: ip === undefined ? undefined : port ? `${ip}:${port}` : ip };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const o = value as Record<string, unknown>;
  for (const key of ['Pod', 'Endpoint', 'EndpointMetadata', 'Metadata', 'pod', 'endpoint']) {
    const inner = o[key];
    if (typeof inner === 'object' && inner !== null && !Array.isArray(inner)) {
      const ref = endpointRef(inner);
      if (ref) return ref;
    }
  }
  const name = endpointName(o.NamespacedName ?? o.namespacedName);
  if (name === undefined) return undefined;
  const ip = typeof o.Address === 'string' && o.Address !== '' ? o.Address : undefined;
  const port = typeof o.Port === 'string' || typeof o.Port === 'number' ? String(o.Port) : '';
  return { name, address: ip === undefined ? undefined : port !== '' ? `${ip}:${port}` : ip };
}
