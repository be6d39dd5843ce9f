import { POINT_IDS } from '../codemod/patch.ts';
import type { Failure, Problem, RequestRecord, ScorerScores, Spread, Summary } from './model.ts';
import type { LineBlock } from './lines.ts';
import { endpointName, INTERESTING, parseLine, type LogRecord } from './parse.ts';

export interface AnalyzerOptions {
  /** Called once per request when its record is complete (streamed: records are not kept). */
  readonly onRequest?: ((record: RequestRecord) => void) | undefined;
  /** At most this many requests are held open; the oldest is completed when more arrive. */
  readonly maxOpen?: number | undefined;
  /** A request answered to Envoy is complete once this many lines passed without news of it. */
  readonly settleLines?: number | undefined;
  /** Any request is complete once this many lines passed without news of it. */
  readonly idleLines?: number | undefined;
}

interface OpenRequest {
  readonly requestId: string;
  readonly firstLine: number;
  lastLine: number;
  lastSeenMs: number;
  time: string | undefined;
  path: string | undefined;
  incomingModel: string | undefined;
  targetModel: string | undefined;
  candidates: string[] | undefined;
  scorers: Map<string, ScorerScores>;
  picker: string | undefined;
  picked: string[] | undefined;
  totals: Record<string, number> | undefined;
  envoyEndpoint: string | undefined;
  envoyEndpointName: string | undefined;
  failures: Failure[];
  sources: Set<'instrument' | 'upstream'>;
  answered: boolean;
}

const OUR_POINTS = new Set<string>(POINT_IDS);
/** Lines read even when the log has our lines: ours, and failures. */
const OURS_OR_FAILURE = /instrument: |rror|ERROR|xhausted|ailed|unavailable|panic/;
const INTERESTING_G = new RegExp(INTERESTING.source, 'g');
const OURS_OR_FAILURE_G = new RegExp(OURS_OR_FAILURE.source, 'g');
/** zap's console layout at a position (sticky): a timestamp, then a tab. */
const CONSOLE_START_AT = /(?:\d{4}-\d\d-\d\dT[^\t\n]*|\d{9,}(?:\.\d+)?)\t/y;
const ERROR_LEVELS = /^(error|dpanic|panic|fatal|ERROR|DPANIC|PANIC|FATAL)$/;
const FAILURE_KINDS: ReadonlyArray<[RegExp, string]> = [
  [/InferencePoolResourceExhausted/, 'InferencePoolResourceExhausted'],
  [/failed to run scheduler profile/i, 'scheduler-profile-failed'],
  [/no (pods|endpoints) available/i, 'no-endpoints-available'],
  [/ServiceUnavailable/, 'ServiceUnavailable'],
  [/BadConfiguration/, 'BadConfiguration'],
  [/ModelServerError/, 'ModelServerError'],
  [/BadRequest/, 'BadRequest'],
];
/** How many request ids a summary keeps per failure or problem kind (the count is exact). */
const IDS_KEPT = 50;
const RESERVOIR = 10_000;

/** Exact count, min and max, and a bounded sample for the median and p95: memory stays flat. */
class SpreadAccumulator {
  count = 0;
  min = Infinity;
  max = -Infinity;
  private readonly sample: number[] = [];
  private readonly histogram = new Map<number, number>();
  private seed = 1;

  add(value: number): void {
    this.count++;
    this.min = Math.min(this.min, value);
    this.max = Math.max(this.max, value);
    if (this.sample.length < RESERVOIR) this.sample.push(value);
    else {
      // Reservoir sampling with a small deterministic generator: the same log gives the same report.
      this.seed = (this.seed * 1103515245 + 12345) % 2 ** 31;
      const slot = this.seed % this.count;
      if (slot < RESERVOIR) this.sample[slot] = value;
    }
    const key = Math.round(value * 1000) / 1000;
    if (this.histogram.has(key) || this.histogram.size < 50) this.histogram.set(key, (this.histogram.get(key) ?? 0) + 1);
  }

  result(): Spread {
    const sorted = [...this.sample].sort((a, b) => a - b);
    const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
    return { count: this.count, min: this.min, median: at(0.5), p95: at(0.95), max: this.max, histogram: [...this.histogram].sort((a, b) => a[0] - b[0]) };
  }
}

class KindCounter {
  private readonly kinds = new Map<string, { count: number; requestIds: string[] }>();

  add(kind: string, requestId: string | undefined): void {
    const entry = this.kinds.get(kind) ?? { count: 0, requestIds: [] };
    entry.count++;
    if (requestId !== undefined && entry.requestIds.length < IDS_KEPT && !entry.requestIds.includes(requestId)) entry.requestIds.push(requestId);
    this.kinds.set(kind, entry);
  }

  result(): Record<string, { count: number; requestIds: string[] }> {
    return Object.fromEntries(this.kinds);
  }
}

function numberRecord(value: unknown): Record<string, number> | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const out: Record<string, number> = {};
  for (const [key, v] of Object.entries(value)) if (typeof v === 'number') out[key] = v;
  return out;
}

function stringList(value: unknown): string[] | undefined {
  return Array.isArray(value) ? value.map((v) => endpointName(v) ?? String(v)) : undefined;
}

const str = (value: unknown) => (typeof value === 'string' ? value : undefined);

/**
 * Groups EPP log lines by request id into per-request records, streaming: only requests still open
 * are held (bounded by `maxOpen`), and each is handed to `onRequest` once complete.
 */
export class Analyzer {
  private readonly open = new Map<string, OpenRequest>();
  /** Ids completed recently, so a late line does not start a second, partial record. */
  private readonly done = new Set<string>();
  private lineNo = 0;
  private unreadable = 0;
  private late = 0;
  private afterRecord = false;
  /** Whether any of our lines has been seen (then upstream's duplicates of them are skipped). */
  private seenOurs = false;
  private requests = 0;
  private pickedCount = 0;
  private ties = 0;
  private readonly picks = new Map<string, number>();
  private readonly spreads = new Map<string, SpreadAccumulator>();
  private readonly failures = new KindCounter();
  private readonly problems = new KindCounter();
  private readonly options: Required<Omit<AnalyzerOptions, 'onRequest'>> & Pick<AnalyzerOptions, 'onRequest'>;

  constructor(options: AnalyzerOptions = {}) {
    this.options = { onRequest: options.onRequest, maxOpen: options.maxOpen ?? 10_000, settleLines: options.settleLines ?? 2_000, idleLines: options.idleLines ?? 200_000 };
  }

  /** Feeds one line (without its line ending). */
  push(raw: string): void {
    const line = ++this.lineNo;
    if (INTERESTING.test(raw)) this.take1(raw, line);
    else this.classifyInPlace(raw, 0, raw.length, line);
    if (line % 1000 === 0) this.sweepLines();
  }

  /**
   * Feeds a block of whole lines read as Latin-1 (see readLineBlocks). Only the lines that can
   * matter become strings of their own and are decoded; every other line is counted and classified
   * in place, by looking at its first and last characters.
   */
  pushBlock({ text: block, bytes }: LineBlock): void {
    // Once the log has our lines, upstream's duplicates of them need not even be looked at.
    const interesting = this.seenOurs ? OURS_OR_FAILURE_G : INTERESTING_G;
    interesting.lastIndex = 0;
    let next = interesting.exec(block);
    let start = 0;
    while (start < block.length) {
      let end = block.indexOf('\n', start);
      if (end === -1) end = block.length;
      const line = ++this.lineNo;
      if (next !== null && next.index < end) {
        this.take1(bytes.toString('utf8', start, end), line);
        interesting.lastIndex = end;
        next = interesting.exec(block);
      } else {
        this.classifyInPlace(block, start, end, line);
      }
      if (line % 1000 === 0) this.sweepLines();
      start = end + 1;
    }
  }

  /** A line that matters: decoded and read in full. */
  private take1(text: string, line: number): void {
    if (!this.worthReading(text)) {
      this.afterRecord = true;
      return;
    }
    const parsed = parseLine(text, line, this.afterRecord);
    if (parsed.kind === 'record') {
      this.afterRecord = true;
      this.take(parsed.record);
    } else this.count(parsed.kind);
  }

  /**
   * Upstream's score and routing lines say what our lines say (without the weights): once the log
   * has our lines, they are not read at all.
   */
  private worthReading(text: string): boolean {
    return !this.seenOurs || OURS_OR_FAILURE.test(text);
  }

  /** Classifies a line that cannot matter without making a string of it (the common case). */
  private classifyInPlace(block: string, start: number, end: number, line: number): void {
    let last = end - 1;
    while (last >= start && (block.charCodeAt(last) === 13 || block.charCodeAt(last) === 32)) last--;
    if (last < start) return this.count('blank');
    const first = block.charCodeAt(start);
    if (first === 0x7b /* { */) return this.count(block.charCodeAt(last) === 0x7d /* } */ ? 'record' : 'unreadable');
    CONSOLE_START_AT.lastIndex = start;
    if (CONSOLE_START_AT.test(block)) return this.count('record');
    this.classifyOther(block.slice(start, end), line);
  }

  private classifyOther(raw: string, line: number): void {
    this.count(parseLine(raw, line, this.afterRecord).kind);
  }

  private count(kind: 'record' | 'continuation' | 'unreadable' | 'blank'): void {
    if (kind === 'unreadable') {
      this.unreadable++;
      this.afterRecord = false;
    } else if (kind === 'record' || kind === 'continuation') this.afterRecord = true;
  }

  private request(id: string, record: LogRecord): OpenRequest | undefined {
    if (this.done.has(id)) {
      this.late++;
      return undefined;
    }
    let open = this.open.get(id);
    if (!open) {
      open = {
        requestId: id,
        firstLine: record.line,
        lastLine: record.line,
        lastSeenMs: Date.now(),
        time: record.time,
        path: undefined,
        incomingModel: undefined,
        targetModel: undefined,
        candidates: undefined,
        scorers: new Map(),
        picker: undefined,
        picked: undefined,
        totals: undefined,
        envoyEndpoint: undefined,
        envoyEndpointName: undefined,
        failures: [],
        sources: new Set(),
        answered: false,
      };
      this.open.set(id, open);
      if (this.open.size > this.options.maxOpen) this.complete(this.open.values().next().value!);
    }
    open.lastLine = record.line;
    open.lastSeenMs = Date.now();
    return open;
  }

  private take(record: LogRecord): void {
    const f = record.fields;
    const id = str(f['x-request-id']) ?? str(f.requestID) ?? str(f.requestId);
    const failure = this.failureOf(record, id);
    const point = str(f.point);
    if (point !== undefined && OUR_POINTS.has(point) && record.msg.startsWith('instrument: ')) {
      this.seenOurs = true;
      if (id === undefined) return;
      const r = this.request(id, record);
      if (r) this.takeOurs(r, point, f);
    } else if (id !== undefined && /^(Calculated score|Request handled|Scored endpoints|EPP received request)$/.test(record.msg)) {
      const r = this.request(id, record);
      if (r) this.takeUpstream(r, record.msg, f);
    }
    if (failure) {
      this.failures.add(failure.kind, failure.requestId);
      const r = id === undefined ? undefined : this.request(id, record);
      r?.failures.push(failure);
    }
  }

  private failureOf(record: LogRecord, requestId: string | undefined): Failure | undefined {
    const error = str(record.fields.error) ?? str(record.fields.err) ?? '';
    const text = `${record.msg} ${error}`;
    const known = FAILURE_KINDS.find(([pattern]) => pattern.test(text));
    const isError = record.level !== undefined && ERROR_LEVELS.test(record.level);
    if (!known && !isError) return undefined;
    return { kind: known?.[1] ?? 'error', requestId, message: error ? `${record.msg}: ${error}` : record.msg, line: record.line };
  }

  private takeOurs(r: OpenRequest, point: string, f: Readonly<Record<string, unknown>>): void {
    r.sources.add('instrument');
    switch (point) {
      case 'profile.candidates':
        r.candidates = stringList(f.endpoints);
        break;
      case 'profile.scores': {
        const scorer = str(f.scorer) ?? '(unnamed)';
        const name = str(f.scorerName);
        r.scorers.set(`${scorer}\u0000${name ?? ''}`, { scorer, name, weight: typeof f.weight === 'number' ? f.weight : undefined, scores: numberRecord(f.scores) ?? {} });
        break;
      }
      case 'profile.picked':
        r.picker = str(f.picker);
        r.picked = stringList(f.picked);
        r.totals = numberRecord(f.weightedScores);
        break;
      case 'server.request':
        r.path = str(f.path);
        r.incomingModel = str(f.incomingModel);
        r.targetModel = str(f.targetModel);
        break;
      case 'server.selected':
        r.envoyEndpoint = str(f.endpoint);
        r.envoyEndpointName = str(f.endpointName) || undefined;
        r.answered = true;
        break;
    }
  }

  /** Upstream's own lines, so that an uninstrumented EPP at --v=4 still tells something. */
  private takeUpstream(r: OpenRequest, msg: string, f: Readonly<Record<string, unknown>>): void {
    if (msg === 'Calculated score') {
      // `plugin` is "<name>/<type>" (TypedName's String) or an object {type, name}.
      const plugin = f.plugin;
      const [name, type] =
        typeof plugin === 'string' ? (plugin.includes('/') ? [plugin.slice(0, plugin.lastIndexOf('/')), plugin.slice(plugin.lastIndexOf('/') + 1)] : [plugin, plugin]) : [str((plugin as { name?: unknown })?.name), str((plugin as { type?: unknown })?.type)];
      const endpoint = endpointName(f.endpoint);
      if (!type || !endpoint || typeof f.score !== 'number') return;
      r.sources.add('upstream');
      // Our profile.scores line (which comes after these) says the same with the weight: it wins.
      if (r.sources.has('instrument')) return;
      const key = `${type}\u0000${name ?? ''}`;
      const existing = r.scorers.get(key) ?? { scorer: type, name, weight: typeof f.weight === 'number' ? f.weight : undefined, scores: {} };
      r.scorers.set(key, { ...existing, scores: { ...existing.scores, [endpoint]: f.score } });
    } else if (msg === 'Scored endpoints') {
      r.sources.add('upstream');
      // llm-d's active-request scorer (v0.6 on): {"ns/name": score}.
      const scores = numberRecord(f.scores);
      const key = 'active-request-scorer\u0000';
      if (scores && ![...r.scorers.keys()].some((k) => k.startsWith('active-request-scorer\u0000'))) r.scorers.set(key, { scorer: 'active-request-scorer', name: undefined, weight: undefined, scores });
    } else if (msg === 'Request handled') {
      r.sources.add('upstream');
      const endpoint = f.endpoint;
      if (typeof endpoint === 'string' && /NamespacedName:/.test(endpoint)) {
        // G040/G05: the picked *backend.Pod, printed with its Stringer.
        r.picked ??= [endpointName(endpoint)!];
        const address = /Address:(\S+)/.exec(endpoint)?.[1];
        r.envoyEndpoint ??= address;
      } else if (typeof endpoint === 'string') {
        r.envoyEndpoint ??= endpoint;
      }
      r.incomingModel ??= str(f.incomingModelName) ?? str(f.model);
      r.targetModel ??= str(f.targetModel) ?? str(f.targetModelName) ?? str(f.resolvedTargetModel);
      r.answered = true;
    } else {
      r.sources.add('upstream');
    }
  }

  /** Completes requests answered long enough ago (in lines), and any idle for very long. */
  private sweepLines(): void {
    for (const r of this.open.values()) {
      const idle = this.lineNo - r.lastLine;
      if ((r.answered && idle > this.options.settleLines) || idle > this.options.idleLines) this.complete(r);
    }
  }

  /** For live input: completes answered requests with no news for `settleMs`. */
  sweepTime(settleMs: number, now = Date.now()): void {
    for (const r of this.open.values()) if (r.answered && now - r.lastSeenMs > settleMs) this.complete(r);
  }

  private complete(r: OpenRequest): void {
    this.open.delete(r.requestId);
    this.done.add(r.requestId);
    if (this.done.size > 4 * this.options.maxOpen) this.done.delete(this.done.values().next().value!);
    const record = finishRecord(r);
    this.requests++;
    if (record.picked?.length) {
      this.pickedCount++;
      for (const p of record.picked) this.picks.set(p, (this.picks.get(p) ?? 0) + 1);
    }
    if (record.tie) this.ties++;
    for (const s of record.scorers) {
      let spread = this.spreads.get(s.scorer);
      if (!spread) this.spreads.set(s.scorer, (spread = new SpreadAccumulator()));
      for (const value of Object.values(s.scores)) spread.add(value);
    }
    for (const p of record.problems) this.problems.add(p.kind, p.requestId);
    this.options.onRequest?.(record);
  }

  /** Completes every open request and returns the summary. */
  finish(): Summary {
    for (const r of [...this.open.values()]) this.complete(r);
    return this.summary();
  }

  /** The summary so far (for live displays). */
  summary(): Summary {
    return {
      lines: this.lineNo,
      unreadable: this.unreadable,
      requests: this.requests,
      picked: this.pickedCount,
      picksPerEndpoint: Object.fromEntries([...this.picks].sort((a, b) => a[0].localeCompare(b[0]))),
      scorerSpread: Object.fromEntries([...this.spreads].map(([k, v]) => [k, v.result()])),
      failuresByKind: this.failures.result(),
      problemsByKind: this.problems.result(),
      ties: this.ties,
    };
  }

  get openRequests(): number {
    return this.open.size;
  }

  get lateLines(): number {
    return this.late;
  }
}

/** Runner-up, margin, ties and the checks, from what the lines said. */
export function finishRecord(r: OpenRequest): RequestRecord {
  const problems: Problem[] = [];
  let runnerUp: string | undefined;
  let margin: number | undefined;
  let tie: string[] | undefined;
  const pick = r.picked?.[0];
  if (r.totals && Object.keys(r.totals).length > 0) {
    const entries = Object.entries(r.totals);
    const best = Math.max(...entries.map(([, v]) => v));
    const top = entries.filter(([, v]) => Math.abs(v - best) < 1e-9).map(([k]) => k);
    if (top.length > 1) tie = top.sort();
    if (pick !== undefined) {
      const others = entries.filter(([k]) => k !== pick).sort((a, b) => b[1] - a[1]);
      runnerUp = others[0]?.[0];
      const picked = r.totals[pick];
      if (runnerUp !== undefined && picked !== undefined) margin = picked - others[0]![1];
      const maxScore = r.picker === undefined || /max-score/.test(r.picker);
      if (maxScore && !top.includes(pick)) {
        problems.push({ kind: 'pick-not-highest', requestId: r.requestId, detail: `picked ${pick} (${picked}) but ${top.join(', ')} had ${best}` });
      }
    }
  }
  if (pick !== undefined && r.envoyEndpointName !== undefined && !r.picked!.includes(r.envoyEndpointName)) {
    problems.push({ kind: 'envoy-mismatch', requestId: r.requestId, detail: `picked ${r.picked!.join(', ')} but Envoy was sent ${r.envoyEndpoint} (${r.envoyEndpointName})` });
  }
  const scheduled = r.candidates !== undefined || r.scorers.size > 0 || r.path !== undefined;
  if (pick === undefined && r.envoyEndpoint === undefined && (scheduled || r.failures.length > 0 || r.sources.size > 0)) {
    problems.push({ kind: 'no-pick', requestId: r.requestId, detail: 'the request never got a pick' });
  }
  for (const failure of r.failures) problems.push({ kind: 'failure', requestId: r.requestId, detail: `${failure.kind}: ${failure.message}` });
  return {
    requestId: r.requestId,
    firstLine: r.firstLine,
    time: r.time,
    path: r.path,
    incomingModel: r.incomingModel,
    targetModel: r.targetModel,
    candidates: r.candidates,
    scorers: [...r.scorers.values()],
    picker: r.picker,
    picked: r.picked,
    totals: r.totals,
    runnerUp,
    margin,
    tie,
    envoyEndpoint: r.envoyEndpoint,
    envoyEndpointName: r.envoyEndpointName,
    failures: r.failures,
    problems,
    sources: [...r.sources].sort(),
  };
}
