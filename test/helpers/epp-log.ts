/**
 * EPP log lines written for the analyzer's tests, in our words, with the shapes upstream-facts §6
 * and docs/line-format.md give: zap's development console encoder and its JSON encoder (RFC3339
 * or epoch time; `LEVEL(-2)`, `Level(-2)` or `info`), our lines of format 1 and format 2, and
 * upstream's own V2/V3/V4 scheduling lines. A scenario states the profile runs (candidates,
 * filters, scorers); the lines and the true picks follow from it, as the EPP would compute them.
 */

export type Encoder = 'console' | 'json' | 'json-epoch';

/** The pods of the scenarios: decode pods, prefill pods, their addresses. */
export const ADDRESS: Readonly<Record<string, string>> = {
  'llm-d/decode-a': '10.0.1.1:8000',
  'llm-d/decode-b': '10.0.1.2:8000',
  'llm-d/decode-c': '10.0.1.3:8000',
  'llm-d/prefill-a': '10.0.2.1:8000',
  'llm-d/prefill-b': '10.0.2.2:8000',
};
export const ALL = Object.keys(ADDRESS);
export const isDecode = (e: string) => e.includes('/decode-');
export const isPrefill = (e: string) => e.includes('/prefill-');

export interface FilterSpec {
  readonly type: string;
  readonly name: string;
  readonly keep: (endpoint: string) => boolean;
}

export interface ScorerSpec {
  readonly type: string;
  readonly name: string;
  readonly weight: number;
  /** Raw score of an endpoint; undefined: the scorer does not return it. */
  readonly score: (endpoint: string) => number | undefined;
}

export interface RunSpec {
  readonly profile: string;
  readonly round: number;
  readonly candidates?: readonly string[];
  readonly filters?: readonly FilterSpec[];
  readonly scorers: readonly ScorerSpec[];
  /** A picker that does not pick the highest total (the wrong-pick case). */
  readonly pickOverride?: string;
  /** Clamp raw scores to [0,1] before weighting, as GIE does from v1.0 on (`enforceScoreRange`); v0.4/v0.5 do not. */
  readonly clamp?: boolean;
  /** The picker's type in the line (default `max-score-picker`). */
  readonly picker?: string;
}

/** What a run comes to, as the EPP computes it. */
export interface RunResult {
  readonly profile: string;
  readonly round: number;
  readonly status: 'ok' | 'failed';
  readonly error: string | undefined;
  readonly endpoints: readonly string[];
  readonly filters: ReadonlyArray<{ type: string; name: string; kept: number; removed: string[] }>;
  readonly scored: readonly string[];
  readonly scorers: ReadonlyArray<{ type: string; name: string; weight: number; scores: Array<number | null> }>;
  readonly totals: readonly number[];
  readonly picked: readonly string[];
  readonly picker?: string;
}

export const NO_ENDPOINTS = 'no pods available for the given request';

export function runProfile(spec: RunSpec): RunResult {
  const endpoints = spec.candidates ?? ALL;
  let survivors = [...endpoints];
  const filters = (spec.filters ?? []).map((f) => {
    const kept = survivors.filter(f.keep);
    const removed = survivors.filter((e) => !kept.includes(e));
    survivors = kept;
    return { type: f.type, name: f.name, kept: kept.length, removed };
  });
  const base = { profile: spec.profile, round: spec.round, endpoints, filters };
  if (survivors.length === 0) return { ...base, status: 'failed', error: NO_ENDPOINTS, scored: [], scorers: [], totals: [], picked: [] };
  const scorers = spec.scorers.map((s) => ({ type: s.type, name: s.name, weight: s.weight, scores: survivors.map((e) => s.score(e) ?? null) }));
  const weigh = (raw: number) => (spec.clamp ? Math.min(1, Math.max(0, raw)) : raw);
  const totals = survivors.map((_, i) => scorers.reduce((sum, s) => sum + weigh(s.scores[i] ?? 0) * s.weight, 0));
  const best = Math.max(...totals);
  const picked = spec.pickOverride ?? survivors[totals.indexOf(best)]!;
  return { ...base, status: 'ok', error: undefined, scored: survivors, scorers, totals, picked: [picked], ...(spec.picker ? { picker: spec.picker } : {}) };
}

/** One request's context fields, as the EPP's request logger carries them. */
const context = (id: string) => ({ 'x-request-id': id, objectiveKey: '', incomingModelName: 'qwen', targetModelName: 'qwen', priority: 0 });

/** A log being written in one encoder. */
export class EppLog {
  readonly lines: string[] = [];
  private clock = 0;
  readonly encoder: Encoder;
  /** When set, the next lines carry this time (ms since the epoch) instead of one second per line. */
  at: number | undefined;

  constructor(encoder: Encoder) {
    this.encoder = encoder;
  }

  /** One zap line at V(v) (0 = INFO; 'error' for Error). */
  write(v: number | 'error', caller: string, msg: string, fields: Record<string, unknown>): this {
    const second = this.clock++;
    if (this.encoder === 'console') {
      const level = v === 'error' ? 'ERROR' : v === 0 ? 'INFO' : v === 1 ? 'DEBUG' : `LEVEL(-${v})`;
      // zap's console encoder: ": " and ", " between the top-level fields, nested values compact.
      const json = Object.keys(fields).length === 0 ? '' : `\t{${Object.entries(fields).map(([k, val]) => `${JSON.stringify(k)}: ${JSON.stringify(val)}`).join(', ')}}`;
      this.lines.push(`${this.at !== undefined ? new Date(this.at).toISOString() : `2026-12-01T10:${String(Math.floor(second / 60) % 60).padStart(2, '0')}:${String(second % 60).padStart(2, '0')}Z`}\t${level}\t${caller}\t${msg}${json}`);
    } else if (this.encoder === 'json') {
      const level = v === 'error' ? 'error' : v === 0 ? 'info' : v === 1 ? 'debug' : `Level(-${v})`;
      this.lines.push(JSON.stringify({ level, ts: this.at !== undefined ? new Date(this.at).toISOString() : `2026-12-01T10:00:${String(second % 60).padStart(2, '0')}Z`, caller, msg, ...fields }));
    } else {
      // GIE v1.5 / llm-d-router: custom level names, epoch seconds.
      const level = v === 'error' ? 'error' : v <= 3 ? 'info' : v === 4 ? 'debug' : 'trace';
      this.lines.push(JSON.stringify({ level, ts: this.at !== undefined ? this.at / 1000 : 1777190400 + second / 1000, caller, msg, ...fields }));
    }
    return this;
  }

  text(): string {
    return this.lines.join('\n') + '\n';
  }

  // ---- upstream's lines outside requests -------------------------------------------------------

  /** "Starting refresher" (V2, at start-up): the endpoint object's Stringer, with its address. */
  refresher(name: string, address = ADDRESS[name]!): this {
    const [ip, port] = address.split(':');
    const stringer = `{NamespacedName:${name} PodName:${name.split('/')[1]} Address:${ip} Port:${port} MetricsHost:${ip}:${port} Labels:map[llm-d.ai/role:${isPrefill(name) ? 'prefill' : 'decode'}]}`;
    return this.write(2, 'metrics/pod_metrics.go:76', 'Starting refresher', { metadata: stringer });
  }

  // ---- format 2 (docs/line-format.md) -----------------------------------------------------------

  profileRun(id: string, run: RunResult): this {
    const fields: Record<string, unknown> = { ...context(id), profile: run.profile, point: 'scheduler.profile', round: run.round, status: run.status };
    if (run.error !== undefined) fields.error = run.error;
    fields.endpoints = run.endpoints;
    fields.filters = run.filters;
    if (run.status === 'ok') {
      // As the EPP writes it: `scored` is left out when no filter removed anything.
      if (run.scored.length !== run.endpoints.length || run.scored.some((e, i) => e !== run.endpoints[i])) fields.scored = run.scored;
      fields.scorers = run.scorers;
      fields.totals = run.totals;
      fields.picker = { type: run.picker ?? 'max-score-picker', name: run.picker ?? 'max-score-picker' };
      fields.picked = run.picked;
    }
    return this.write(2, 'scheduling/scheduler.go:80', 'instrument: profile run', fields);
  }

  decision(id: string, profiles: ReadonlyArray<{ name: string; status: 'ok' | 'failed' | 'not-run'; round: number }>, primary: string, error?: string): this {
    const sorted = [...profiles].sort((a, b) => a.name.localeCompare(b.name));
    return this.write(2, 'scheduling/scheduler.go:96', 'instrument: scheduling decision', { ...context(id), point: 'scheduler.decision', profiles: sorted, primary, ...(error ? { error } : {}) });
  }

  serverRequest(id: string): this {
    return this.write(2, 'handlers/server.go:250', 'instrument: request handled by endpoint picker', { 'x-request-id': id, point: 'server.request', path: '/v1/chat/completions', incomingModel: 'qwen', targetModel: 'qwen' });
  }

  serverSelected(id: string, endpoint: string, endpointName: string | undefined, prefillEndpoint?: string): this {
    const fields: Record<string, unknown> = { 'x-request-id': id, point: 'server.selected', endpoint };
    if (endpointName !== undefined) fields.endpointName = endpointName;
    if (prefillEndpoint !== undefined) fields.prefillEndpoint = prefillEndpoint;
    return this.write(2, 'handlers/server.go:380', 'instrument: endpoint sent to proxy', fields);
  }

  // ---- format 1 (today's five points) -----------------------------------------------------------

  format1Run(id: string, run: RunResult): this {
    const ctx = context(id);
    this.write(2, 'framework/scheduler_profile.go:101', 'instrument: candidate endpoints', { ...ctx, point: 'profile.candidates', count: run.endpoints.length, endpoints: run.endpoints });
    for (const s of run.scorers) {
      const scores = Object.fromEntries(run.scored.flatMap((e, i) => (s.scores[i] === null ? [] : [[e, s.scores[i]]])));
      this.write(2, 'framework/scheduler_profile.go:175', 'instrument: scorer scores per endpoint', { ...ctx, point: 'profile.scores', scorer: s.type, scorerName: s.name, weight: s.weight, scores });
    }
    const totals = Object.fromEntries(run.scored.map((e, i) => [e, run.totals[i]]));
    return this.write(2, 'framework/scheduler_profile.go:124', 'instrument: picked endpoint', { ...ctx, point: 'profile.picked', picker: 'max-score-picker', pickerName: 'max-score-picker', picked: run.picked, weightedScores: totals });
  }

  // ---- upstream's own lines in a request (GIE v1.2 on: V3 profile boundaries, V4 detail) -------

  /** An endpoint object as zap JSON-reflects it (dev mode keeps NamespacedName a struct). */
  private static object(name: string): Record<string, unknown> {
    const [namespace, pod] = name.split('/');
    const [ip, port] = ADDRESS[name]!.split(':');
    return { NamespacedName: { Namespace: namespace, Name: pod }, PodName: pod, Address: ip, Port: port, MetricsHost: `${ip}:${port}`, Labels: { 'llm-d.ai/role': isPrefill(name) ? 'prefill' : 'decode' }, WaitingQueueSize: 0, KVCacheUsagePercent: 0.1 };
  }

  /**
   * One profile's run in upstream's lines: GIE v1.2 keys by default; `nameKey: 'name'` as GIE
   * v0.5–v1.0 name the profile, `endpoints: true` as GIE v1.4 on and llm-d-router key the endpoints.
   */
  upstreamRun(id: string, run: RunResult, options: { v4?: boolean; nameKey?: 'profile' | 'name'; endpoints?: boolean } = {}): this {
    const ctx = context(id);
    const key = options.nameKey ?? 'profile';
    const list = options.endpoints ? 'endpoints' : 'pods';
    this.write(3, 'scheduling/scheduler.go:69', 'Running scheduler profile', { ...ctx, [key]: run.profile });
    if (options.v4 !== false) {
      this.write(4, 'framework/scheduler_profile.go:133', 'Before running filter plugins', { ...ctx, [list]: run.endpoints.map(EppLog.object) });
      let survivors = [...run.endpoints];
      for (const f of run.filters) {
        this.write(3, 'framework/scheduler_profile.go:136', 'Running filter plugin', { ...ctx, plugin: `${f.name}/${f.type}` });
        survivors = survivors.filter((e) => !f.removed.includes(e));
        this.write(4, 'framework/scheduler_profile.go:140', 'Completed running filter plugin successfully', { ...ctx, plugin: `${f.name}/${f.type}`, [list]: survivors.map(EppLog.object) });
      }
      if (run.status === 'ok') {
        for (const s of run.scorers) {
          run.scored.forEach((e, i) => {
            if (s.scores[i] !== null) this.write(4, 'framework/scheduler_profile.go:165', 'Calculated score', { ...ctx, plugin: `${s.name}/${s.type}`, endpoint: e, score: s.scores[i] });
          });
        }
        this.write(3, 'framework/scheduler_profile.go:183', 'Running picker plugin', { ...ctx, plugin: 'max-score-picker/max-score-picker' });
        this.write(4, 'framework/scheduler_profile.go:184', 'Candidate pods for picking', {
          ...ctx,
          [`${list}-weighted-score`]: run.scored.map((e, i) => (options.endpoints ? { Endpoint: EppLog.object(e), Score: run.totals[i] } : { Pod: EppLog.object(e), Score: run.totals[i] })),
        });
        const result = options.endpoints ? { TargetEndpoints: run.picked.map(EppLog.object) } : { TargetPods: run.picked.map(EppLog.object) };
        this.write(4, 'framework/scheduler_profile.go:188', 'Completed running picker plugin successfully', { ...ctx, plugin: 'max-score-picker/max-score-picker', result });
      }
    }
    if (run.status === 'failed') return this.write(3, 'scheduling/scheduler.go:73', 'failed to run scheduler profile', { ...ctx, profile: run.profile, error: run.error });
    return this.write(3, 'scheduling/scheduler.go:75', 'Completed running scheduler profile succuessfully', { ...ctx, [key]: run.profile });
  }

  /** The director's V3 "Request handled" with the endpoint Envoy gets. */
  requestHandled(id: string, endpoint: string): this {
    return this.write(3, 'requestcontrol/director.go:266', 'Request handled', { ...context(id), targetModel: 'qwen', endpoint });
  }
}

// ---- the P/D scenarios ---------------------------------------------------------------------------

const activeRequest = (name: string, busy: Record<string, number>): ScorerSpec => ({ type: 'active-request-scorer', name, weight: 2, score: (e) => 1 - (busy[e] ?? 0) });
const queue = (name: string): ScorerSpec => ({ type: 'queue-scorer', name, weight: 1, score: (e) => (e.endsWith('-a') ? 0.5 : 1) });
const prefixCache = (name: string, hits: Record<string, number>): ScorerSpec => ({ type: 'prefix-cache-scorer', name, weight: 3, score: (e) => hits[e] ?? 0 });

export const DECODE_FILTER: FilterSpec = { type: 'by-label-selector', name: 'decode-filter', keep: isDecode };
export const PREFILL_FILTER: FilterSpec = { type: 'by-label-selector', name: 'prefill-filter', keep: isPrefill };
export const NOTHING_FILTER: FilterSpec = { type: 'by-label-selector', name: 'prefill-filter', keep: () => false };

/** The decode and prefill runs of one P/D request; `shared` uses the same scorer instance names in both profiles. */
export function pdRuns(n: number, options: { shared?: boolean; prefillFilter?: FilterSpec; decodeFilter?: FilterSpec; tie?: boolean } = {}): { decode: RunSpec; prefill: RunSpec } {
  const busy = { 'llm-d/decode-a': n % 3 === 0 ? 0.5 : 0, 'llm-d/decode-b': n % 2 ? 0.25 : 0, 'llm-d/prefill-b': n % 2 ? 0.5 : 0 };
  const hits: Record<string, number> = options.tie ? {} : { 'llm-d/decode-c': (n % 4) / 4, 'llm-d/prefill-a': n % 2 ? 0 : 0.5 };
  const names = options.shared ? { active: 'active-request-scorer', prefix: 'prefix-cache-scorer' } : undefined;
  const tieScorers: ScorerSpec[] = [{ type: 'queue-scorer', name: 'queue-scorer', weight: 1, score: () => 1 }];
  return {
    decode: {
      profile: 'decode',
      round: 1,
      filters: [options.decodeFilter ?? DECODE_FILTER],
      scorers: options.tie ? tieScorers : [activeRequest(names?.active ?? 'decode-active', busy), queue('queue-scorer'), prefixCache(names?.prefix ?? 'decode-prefix', hits)],
    },
    prefill: {
      profile: 'prefill',
      round: 2,
      filters: [options.prefillFilter ?? PREFILL_FILTER],
      scorers: options.tie ? tieScorers : [activeRequest(names?.active ?? 'prefill-active', busy), prefixCache(names?.prefix ?? 'prefill-prefix', hits)],
    },
  };
}
