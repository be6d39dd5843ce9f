import { AddressBook } from './addresses.ts';
import { Census } from './census.ts';
import { failureKind, finishRecord } from './checks.ts';
import type { Failure, RequestRecord, Summary } from './model.ts';
import type { LineBlock } from './lines.ts';
import { AFTER_FORMAT_1, AFTER_FORMAT_2, INTERESTING, parseLine, UPSTREAM, type LogRecord } from './parse.ts';
import { openRequest, takeFormat1, takeFormat2, takeRefresher, takeUpstream, type OpenRequest } from './request.ts';
import { KindCounter, SummaryAccumulator } from './summary.ts';

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

/**
 * The point ids of both formats (docs/line-format.md). Fixed here, not taken from the patches: the
 * analyzer reads the lines of every build, whatever the current `apply` writes.
 */
const FORMAT_1_POINTS = new Set(['profile.candidates', 'profile.scores', 'profile.picked']);
const FORMAT_2_POINTS = new Set(['scheduler.profile', 'scheduler.decision']);
/** Written by both formats; format 2 adds `prefillEndpoint` to `server.selected`. */
const SERVER_POINTS = new Set(['server.request', 'server.selected']);
/** Format 2's recording points write no line of their own; a line with one of these ids is format 2 too. */
const FORMAT_2_RECORDING = new Set(['profile.filters']);

const INTERESTING_G = new RegExp(INTERESTING.source, 'g');
const AFTER_FORMAT_1_G = new RegExp(AFTER_FORMAT_1.source, 'g');
const AFTER_FORMAT_2_G = new RegExp(AFTER_FORMAT_2.source, 'g');
/** zap's console layout at a position (sticky): a timestamp, then a tab. */
const CONSOLE_START_AT = /(?:\d{4}-\d\d-\d\dT[^\t\n]*|\d{9,}(?:\.\d+)?)\t/y;
const ERROR_LEVELS = /^(error|dpanic|panic|fatal|ERROR|DPANIC|PANIC|FATAL)$/;
/** Upstream's messages that say something about a request's scheduling, and those read for other reasons. */
const UPSTREAM_SCHEDULING = new Set<string>([UPSTREAM.profileStart, UPSTREAM.profileFailed, UPSTREAM.filtersBefore, UPSTREAM.score, UPSTREAM.llmdScores, UPSTREAM.candidatesForPicking, UPSTREAM.requestHandled]);
const isUpstreamScheduling = (msg: string) => UPSTREAM_SCHEDULING.has(msg) || UPSTREAM.profileDone.test(msg) || UPSTREAM.filterDone.test(msg) || UPSTREAM.pickerDone.test(msg);

const str = (value: unknown) => (typeof value === 'string' ? value : undefined);

/**
 * Groups EPP log lines by request id into per-request records with one section per profile,
 * streaming: only requests still open are held (bounded by `maxOpen`), and each is handed to
 * `onRequest` once complete.
 */
export class Analyzer {
  private readonly open = new Map<string, OpenRequest>();
  /** Ids completed recently, so a late line does not start a second, partial record. */
  private readonly done = new Set<string>();
  private readonly book = new AddressBook();
  private lineNo = 0;
  private unreadable = 0;
  private late = 0;
  private afterRecord = false;
  /** Which of our formats the log has shown (then upstream's duplicates of them are skipped). */
  private format: 0 | 1 | 2 = 0;
  private schedulingLines = 0;
  /** Levels and messages, kept until the first scheduling line (to explain a log that has none). */
  private census: Census | undefined = new Census();
  private receivedOnly = 0;
  private readonly summaryAcc = new SummaryAccumulator();
  /** Failures on lines without a request id (counted at once; the others with their request). */
  private readonly looseFailures = new KindCounter();
  private readonly options: Required<Omit<AnalyzerOptions, 'onRequest'>> & Pick<AnalyzerOptions, 'onRequest'>;

  constructor(options: AnalyzerOptions = {}) {
    this.options = { onRequest: options.onRequest, maxOpen: options.maxOpen ?? 10_000, settleLines: options.settleLines ?? 2_000, idleLines: options.idleLines ?? 200_000 };
  }

  /** Feeds one line (without its line ending). */
  push(raw: string): void {
    const line = ++this.lineNo;
    if (this.readFilter().test(raw)) this.take1(raw, line);
    else this.classifyInPlace(raw, 0, raw.length, line, raw);
    if (line % 1000 === 0) this.sweepLines();
  }

  /**
   * Feeds a block of whole lines read as Latin-1 (see readLineBlocks). Only the lines that can
   * matter become strings of their own and are decoded; every other line is counted and classified
   * in place, by looking at its first and last characters.
   */
  pushBlock({ text: block, bytes }: LineBlock): void {
    let interesting = this.readFilterG();
    interesting.lastIndex = 0;
    let next = interesting.exec(block);
    let start = 0;
    while (start < block.length) {
      let end = block.indexOf('\n', start);
      if (end === -1) end = block.length;
      const line = ++this.lineNo;
      if (next !== null && next.index < end) {
        this.take1(bytes.toString('utf8', start, end), line);
        // Once the log has shown our lines, fewer of upstream's need even be looked at.
        interesting = this.readFilterG();
        interesting.lastIndex = end;
        next = interesting.exec(block);
      } else {
        this.classifyInPlace(block, start, end, line, undefined, bytes);
      }
      if (line % 1000 === 0) this.sweepLines();
      start = end + 1;
    }
  }

  private readFilter(): RegExp {
    return this.format === 2 ? AFTER_FORMAT_2 : this.format === 1 ? AFTER_FORMAT_1 : INTERESTING;
  }

  private readFilterG(): RegExp {
    return this.format === 2 ? AFTER_FORMAT_2_G : this.format === 1 ? AFTER_FORMAT_1_G : INTERESTING_G;
  }

  /** A line that matters: decoded and read in full. */
  private take1(text: string, line: number): void {
    const parsed = parseLine(text, line, this.afterRecord);
    if (parsed.kind === 'record') {
      this.afterRecord = true;
      this.census?.record(parsed.record.level, parsed.record.msg);
      this.take(parsed.record);
    } else this.count(parsed.kind);
  }

  /** Classifies a line that cannot matter without making a string of it (the common case). */
  private classifyInPlace(block: string, start: number, end: number, line: number, whole?: string, bytes?: Buffer): void {
    let last = end - 1;
    while (last >= start && (block.charCodeAt(last) === 13 || block.charCodeAt(last) === 32)) last--;
    if (last < start) return this.count('blank');
    const first = block.charCodeAt(start);
    const text = () => whole ?? (bytes ? bytes.toString('utf8', start, end) : block.slice(start, end));
    if (first === 0x7b /* { */) {
      const record = block.charCodeAt(last) === 0x7d; /* } */
      if (record) this.census?.json(text());
      return this.count(record ? 'record' : 'unreadable');
    }
    CONSOLE_START_AT.lastIndex = start;
    if (CONSOLE_START_AT.test(block)) {
      this.census?.console(text());
      return this.count('record');
    }
    const parsed = parseLine(block.slice(start, end), line, this.afterRecord);
    if (parsed.kind === 'record') this.census?.record(parsed.record.level, parsed.record.msg);
    this.count(parsed.kind);
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
      open = openRequest(id, record.line, record.time);
      this.open.set(id, open);
      if (this.open.size > this.options.maxOpen) this.complete(this.open.values().next().value!);
    }
    open.lastLine = record.line;
    open.lastSeenMs = Date.now();
    return open;
  }

  /** A scheduling line: from now on the census is not needed. */
  private sawScheduling(): void {
    this.schedulingLines++;
    this.census = undefined;
  }

  private take(record: LogRecord): void {
    const f = record.fields;
    const id = str(f['x-request-id']) ?? str(f.requestID) ?? str(f.requestId);
    const point = str(f.point);
    const msg = record.msg;
    if (point !== undefined && msg.startsWith('instrument: ')) {
      const format = FORMAT_2_POINTS.has(point) || FORMAT_2_RECORDING.has(point) ? 2 : FORMAT_1_POINTS.has(point) ? 1 : SERVER_POINTS.has(point) ? 0 : undefined;
      if (format === undefined) return;
      this.sawScheduling();
      if (format > this.format) this.format = format;
      const r = id === undefined ? undefined : this.request(id, record);
      if (r) {
        if (format === 2) takeFormat2(r, point, f, this.book);
        else takeFormat1(r, point, f, this.book);
      }
    } else if (msg === UPSTREAM.refresherStart || msg === UPSTREAM.refresherStop) {
      takeRefresher(msg, f, this.book);
    } else if (id !== undefined && (msg === UPSTREAM.received || isUpstreamScheduling(msg))) {
      if (msg !== UPSTREAM.received) this.sawScheduling();
      const r = this.request(id, record);
      if (r) takeUpstream(r, msg, f, this.book);
      if (msg === UPSTREAM.profileFailed) return; // the profile's failure, counted with the profile
    }
    const failure = this.failureOf(record, id);
    if (failure) {
      const r = id === undefined ? undefined : this.request(id, record);
      if (r) r.failures.push(failure);
      else this.looseFailures.add(failure.kind, failure.requestId);
    }
  }

  private failureOf(record: LogRecord, requestId: string | undefined): Failure | undefined {
    // Our lines report failures in their fields (a profile's status, the decision's error).
    if (record.msg.startsWith('instrument: ')) return undefined;
    const error = str(record.fields.error) ?? str(record.fields.err) ?? '';
    const text = `${record.msg} ${error}`;
    const kind = failureKind(text, '');
    const isError = record.level !== undefined && ERROR_LEVELS.test(record.level);
    if (kind === '' && !isError) return undefined;
    const profile = str(record.fields.profile);
    return { kind: kind || 'error', requestId, profile, message: error ? `${record.msg}: ${error}` : record.msg, line: record.line };
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
    // A request seen only as received (an EPP at --v=2 without our lines) has nothing to show.
    if (!r.scheduling && r.failures.length === 0) {
      this.receivedOnly++;
      return;
    }
    const record = finishRecord(r, this.book);
    this.summaryAcc.add(record);
    this.options.onRequest?.(record);
  }

  /** Completes every open request and returns the summary. */
  finish(): Summary {
    for (const r of [...this.open.values()]) this.complete(r);
    return this.summary();
  }

  /** The summary so far (for live displays). */
  summary(): Summary {
    const acc = this.summaryAcc;
    const failures = acc.failures.result();
    for (const [kind, entry] of Object.entries(this.looseFailures.result())) {
      const known = failures[kind];
      failures[kind] = known ? { count: known.count + entry.count, requestIds: known.requestIds } : entry;
    }
    const problems = acc.problems.result();
    const none = this.schedulingLines === 0;
    if (none) problems['no-scheduling-lines'] = { count: 1, requestIds: [] };
    return {
      lines: this.lineNo,
      unreadable: this.unreadable,
      schedulingLines: this.schedulingLines,
      requests: acc.requests,
      receivedOnly: this.receivedOnly,
      picked: acc.picked,
      ties: acc.ties,
      profiles: acc.profileSummaries(),
      checks: acc.checkCounts(),
      failuresByKind: failures,
      problemsByKind: problems,
      input: none ? (this.census ?? new Census()).result(this.receivedOnly + [...this.open.values()].filter((r) => !r.scheduling).length) : undefined,
    };
  }

  get openRequests(): number {
    return this.open.size;
  }

  get lateLines(): number {
    return this.late;
  }
}
