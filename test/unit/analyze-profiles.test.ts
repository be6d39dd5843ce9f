import { describe, expect, it } from 'vitest';
import { Analyzer } from '../../src/analyze/analyzer.ts';
import type { RequestRecord, Summary } from '../../src/analyze/model.ts';
import { renderRequest, renderSummary } from '../../src/reporters/analysis.ts';
import { plainStyle } from '../../src/reporters/text.ts';
import { ADDRESS, ALL, EppLog, NO_ENDPOINTS, NOTHING_FILTER, pdRuns, runProfile, type Encoder, type RunResult } from '../helpers/epp-log.ts';

// The P/D cases of issue 11, written per docs/line-format.md (format 2), as today's lines (format 1)
// and as upstream's own V3/V4 lines, in zap's console and JSON encoders. Each states what the EPP
// did (the truth: per profile status and pick, the primary, what the proxy got) and checks that
// analyze finds exactly that, and no problem it did not cause.

function analyze(log: EppLog): { records: RequestRecord[]; summary: Summary; byId: (id: string) => RequestRecord } {
  const records: RequestRecord[] = [];
  const analyzer = new Analyzer({ onRequest: (r) => records.push(r) });
  for (const line of log.lines) analyzer.push(line);
  const summary = analyzer.finish();
  return { records, summary, byId: (id) => records.find((r) => r.requestId === id)! };
}

/** The facts of one request the way the fixtures' truth file states them. */
interface Truth {
  readonly id: string;
  readonly profiles: Record<string, { status: 'ok' | 'failed' | 'not-run'; picked?: string; error?: string }>;
  readonly primary: string | undefined;
  readonly envoyEndpoint: string | undefined;
  readonly prefillEndpoint: string | undefined;
}

function factsOf(r: RequestRecord): Truth {
  return {
    id: r.requestId,
    profiles: Object.fromEntries(
      Object.values(r.profiles).map((p) => [p.name, { status: p.status as 'ok' | 'failed' | 'not-run', ...(p.picked?.[0] ? { picked: p.picked[0] } : {}), ...(p.error ? { error: p.error } : {}) }]),
    ),
    primary: r.primaryProfile,
    envoyEndpoint: r.envoyEndpoint,
    prefillEndpoint: r.prefillEndpoint,
  };
}

interface PdCase {
  /** The prefill profile: run (ok or failed), or not run (decode-only by threshold). */
  readonly prefill: 'ok' | 'failed' | 'not-run';
  readonly decodeFails?: boolean;
  readonly shared?: boolean;
  readonly tie?: boolean;
  /** Break the EPP on purpose: Envoy gets another decode pod, or the header another prefill pod. */
  readonly wrongEnvoy?: boolean;
  readonly wrongPrefill?: boolean;
  /** Write the V2 "Starting refresher" lines that map addresses to names (as at EPP start). */
  readonly refreshers?: boolean;
}

/** Writes `count` P/D requests in format 2 and returns the truth of each. */
function pdLog(encoder: Encoder, count: number, c: PdCase): { log: EppLog; truth: Truth[] } {
  const log = new EppLog(encoder);
  if (c.refreshers !== false) for (const e of ALL) log.refresher(e);
  const truth: Truth[] = [];
  for (let n = 0; n < count; n++) {
    const id = `pd-${n}`;
    const specs = pdRuns(n, { shared: c.shared, tie: c.tie, decodeFilter: c.decodeFails ? NOTHING_FILTER : undefined, prefillFilter: c.prefill === 'failed' ? NOTHING_FILTER : undefined });
    const decode = runProfile(specs.decode);
    log.profileRun(id, decode);
    const ran: RunResult[] = [decode];
    if (decode.status === 'ok' && c.prefill !== 'not-run') {
      const prefill = runProfile(specs.prefill);
      log.profileRun(id, prefill);
      ran.push(prefill);
    }
    const status = (name: string): 'ok' | 'failed' | 'not-run' => ran.find((r) => r.profile === name)?.status ?? 'not-run';
    const rounds = { decode: 1, prefill: status('prefill') === 'not-run' ? 0 : 2 };
    const decisionProfiles = (['decode', 'prefill'] as const).map((name) => ({ name, status: status(name), round: rounds[name] }));
    const prefillRun = ran.find((r) => r.profile === 'prefill' && r.status === 'ok');
    if (decode.status === 'failed') {
      log.decision(id, decisionProfiles, '', 'failed to find available decode workers');
      log.write('error', 'handlers/server.go:210', 'Failed to process request', { 'x-request-id': id, error: 'inference error: InferencePoolResourceExhausted - failed to find target pod: failed to find available decode workers' });
      truth.push({ id, profiles: { decode: { status: 'failed', error: NO_ENDPOINTS }, prefill: { status: 'not-run' } }, primary: undefined, envoyEndpoint: undefined, prefillEndpoint: undefined });
      continue;
    }
    log.decision(id, decisionProfiles, 'decode');
    log.serverRequest(id);
    const decodePick = decode.picked[0]!;
    const envoyName = c.wrongEnvoy ? ALL.find((e) => e.includes('/decode-') && e !== decodePick)! : decodePick;
    const prefillTarget = prefillRun ? (c.wrongPrefill ? ALL.find((e) => e.includes('/prefill-') && e !== prefillRun.picked[0])! : prefillRun.picked[0]!) : undefined;
    const envoy = ADDRESS[envoyName]!;
    const header = prefillTarget === undefined ? undefined : ADDRESS[prefillTarget];
    log.serverSelected(id, envoy, envoyName, header);
    truth.push({
      id,
      profiles: Object.fromEntries(
        decisionProfiles.map((p) => {
          const run = ran.find((r) => r.profile === p.name);
          return [p.name, { status: p.status, ...(run?.picked[0] ? { picked: run.picked[0] } : {}), ...(run?.error ? { error: run.error } : {}) }];
        }),
      ),
      primary: 'decode',
      envoyEndpoint: envoy,
      prefillEndpoint: header,
    });
  }
  return { log, truth };
}

const ENCODERS: readonly Encoder[] = ['console', 'json', 'json-epoch'];

describe.each(ENCODERS)('format 2, %s encoder', (encoder) => {
  it('P/D always: both profiles, the primary, Envoy and the prefill header, all checks proven', () => {
    const { log, truth } = pdLog(encoder, 20, { prefill: 'ok' });
    const { records, summary } = analyze(log);
    expect(records.map(factsOf)).toEqual(truth);
    expect(summary.problemsByKind).toEqual({});
    expect(summary.failuresByKind).toEqual({});
    expect(summary.checks['envoy-is-primary-pick']).toEqual({ ok: 20, problem: 0, unverified: 0, 'not-applicable': 0 });
    expect(summary.checks['prefill-is-prefill-pick']).toEqual({ ok: 20, problem: 0, unverified: 0, 'not-applicable': 0 });
    expect(records.every((r) => r.prefillEndpointName === r.profiles.prefill!.picked![0])).toBe(true);
    // Picks per endpoint are per profile: decode picks never count prefill's.
    expect(Object.keys(summary.profiles.decode!.picksPerEndpoint).every((e) => e.includes('/decode-'))).toBe(true);
    expect(Object.keys(summary.profiles.prefill!.picksPerEndpoint).every((e) => e.includes('/prefill-'))).toBe(true);
    expect(summary.profiles.decode).toMatchObject({ requests: 20, primary: 20, picked: 20 });
    expect(summary.profiles.prefill).toMatchObject({ requests: 20, primary: 0, picked: 20 });
    // What each filter removed, per profile.
    const first = records[0]!;
    expect(first.profiles.decode!.filters).toEqual([{ filter: 'by-label-selector', name: 'decode-filter', kept: 3, removed: ['llm-d/prefill-a', 'llm-d/prefill-b'] }]);
    expect(summary.profiles.prefill!.filterRemovals).toEqual({ 'prefill-filter (by-label-selector)': { 'llm-d/decode-a': 20, 'llm-d/decode-b': 20, 'llm-d/decode-c': 20 } });
  });

  it('decode-only by threshold: prefill is "not run", no header, no problem', () => {
    const { log, truth } = pdLog(encoder, 20, { prefill: 'not-run' });
    const { records, summary } = analyze(log);
    expect(records.map(factsOf)).toEqual(truth);
    expect(records.every((r) => r.profiles.prefill!.status === 'not-run' && Object.keys(r.profiles).join() === 'decode,prefill')).toBe(true);
    expect(summary.problemsByKind).toEqual({});
    expect(summary.failuresByKind).toEqual({});
    expect(summary.profiles.prefill!.statuses).toEqual({ ok: 0, failed: 0, 'not-run': 20, unknown: 0 });
    expect(summary.checks['prefill-is-prefill-pick']).toMatchObject({ problem: 0, 'not-applicable': 20 });
  });

  it('prefill filtered to nothing: prefill "failed" with which filter removed what, a failure of prefill, never a mismatch', () => {
    const { log, truth } = pdLog(encoder, 20, { prefill: 'failed' });
    const { records, summary } = analyze(log);
    expect(records.map(factsOf)).toEqual(truth);
    expect(summary.problemsByKind).toEqual({});
    expect(summary.failuresByKind).toEqual({ 'no-endpoints-available': { count: 20, requestIds: truth.map((t) => t.id) } });
    expect(summary.profiles.prefill!.failuresByKind['no-endpoints-available']!.count).toBe(20);
    expect(summary.profiles.decode!.failuresByKind).toEqual({});
    expect(records[0]!.profiles.prefill!.filters).toEqual([{ filter: 'by-label-selector', name: 'prefill-filter', kept: 0, removed: ALL }]);
    expect(summary.checks['envoy-is-primary-pick'].ok).toBe(20);
    const text = renderRequest(records[0]!, plainStyle);
    expect(text).toContain(`  prefill  round 2 · failed: ${NO_ENDPOINTS} · 5 candidates`);
    expect(text).toContain('    filters  prefill-filter (by-label-selector) kept 0 removed llm-d/decode-a, llm-d/decode-b, llm-d/decode-c, llm-d/prefill-a, llm-d/prefill-b');
  });

  it('decode filtered to nothing: decode "failed", no primary, nothing sent; failures, no mismatch and no "no pick"', () => {
    const { log, truth } = pdLog(encoder, 5, { prefill: 'ok', decodeFails: true });
    const { records, summary } = analyze(log);
    expect(records.map(factsOf)).toEqual(truth);
    expect(summary.problemsByKind).toEqual({});
    expect(Object.keys(summary.failuresByKind).sort()).toEqual(['InferencePoolResourceExhausted', 'no-decode-workers', 'no-endpoints-available']);
    expect(summary.profiles.decode!.failuresByKind['no-endpoints-available']!.count).toBe(5);
    expect(records[0]!.checks.find((c) => c.check === 'envoy-is-primary-pick')).toMatchObject({ result: 'not-applicable' });
  });

  it('distinct scorer instances per profile stay apart, and so do shared ones', () => {
    const distinct = analyze(pdLog(encoder, 4, { prefill: 'ok' }).log).summary;
    expect(Object.keys(distinct.profiles.decode!.scorerSpread)).toEqual(['decode-active (active-request-scorer)', 'decode-prefix (prefix-cache-scorer)', 'queue-scorer']);
    expect(Object.keys(distinct.profiles.prefill!.scorerSpread)).toEqual(['prefill-active (active-request-scorer)', 'prefill-prefix (prefix-cache-scorer)']);
    const shared = analyze(pdLog(encoder, 4, { prefill: 'ok', shared: true }).log);
    expect(Object.keys(shared.summary.profiles.decode!.scorerSpread)).toEqual(['active-request-scorer', 'prefix-cache-scorer', 'queue-scorer']);
    expect(Object.keys(shared.summary.profiles.prefill!.scorerSpread)).toEqual(['active-request-scorer', 'prefix-cache-scorer']);
    // Each profile's table has only its own endpoints: 3 decode rows, 2 prefill rows.
    expect(shared.summary.profiles.decode!.scorerSpread['active-request-scorer']!.count).toBe(12);
    expect(shared.summary.profiles.prefill!.scorerSpread['active-request-scorer']!.count).toBe(8);
    expect(shared.summary.problemsByKind).toEqual({});
  });

  it('ties are ties: the pick is one of the highest, reported, never a problem', () => {
    const { log } = pdLog(encoder, 3, { prefill: 'ok', tie: true });
    const { records, summary } = analyze(log);
    expect(records[0]!.profiles.decode).toMatchObject({ tie: ['llm-d/decode-a', 'llm-d/decode-b', 'llm-d/decode-c'], margin: 0 });
    expect(records[0]!.profiles.prefill).toMatchObject({ tie: ['llm-d/prefill-a', 'llm-d/prefill-b'], margin: 0 });
    expect(summary.profiles.decode!.ties).toBe(3);
    expect(summary.ties).toBe(3);
    expect(summary.problemsByKind).toEqual({});
  });

  it('finds a real Envoy mismatch and a real prefill header mismatch', () => {
    const envoy = analyze(pdLog(encoder, 3, { prefill: 'ok', wrongEnvoy: true }).log);
    expect(envoy.summary.problemsByKind).toEqual({ 'envoy-mismatch': { count: 3, requestIds: ['pd-0', 'pd-1', 'pd-2'] } });
    expect(envoy.records[0]!.problems[0]).toMatchObject({ kind: 'envoy-mismatch', profile: 'decode' });
    const prefill = analyze(pdLog(encoder, 3, { prefill: 'ok', wrongPrefill: true }).log);
    expect(prefill.summary.problemsByKind).toEqual({ 'prefill-mismatch': { count: 3, requestIds: ['pd-0', 'pd-1', 'pd-2'] } });
    expect(prefill.records[0]!.problems[0]!.detail).toMatch(/^prefill picked llm-d\/prefill-\w but the prefill header is 10\.0\.2\.\d:8000 \(llm-d\/prefill-\w\)$/);
  });

  it('says "unverified" for a prefill header whose address no line maps to a name', () => {
    const { log, truth } = pdLog(encoder, 4, { prefill: 'ok', refreshers: false });
    const { records, summary } = analyze(log);
    expect(records.map(factsOf)).toEqual(truth);
    expect(summary.problemsByKind).toEqual({});
    expect(summary.checks['prefill-is-prefill-pick']).toEqual({ ok: 0, problem: 0, unverified: 4, 'not-applicable': 0 });
    expect(renderRequest(records[0]!, plainStyle)).toMatch(/prefill ← 10\.0\.2\.\d:8000 {2}\(unverified: no line maps 10\.0\.2\.\d:8000 to an endpoint name/);
  });
});

describe.each(['console', 'json'] as const)('single profile, %s encoder', (encoder) => {
  const single = (n: number) => runProfile({ profile: 'default', round: 1, candidates: ['llm-d/decode-a', 'llm-d/decode-b', 'llm-d/decode-c'], scorers: pdRuns(n).decode.scorers });

  it('format 2: the profile by name, primary, Envoy checked', () => {
    const log = new EppLog(encoder);
    for (let n = 0; n < 5; n++) {
      const run = single(n);
      log.profileRun(`s-${n}`, run).decision(`s-${n}`, [{ name: 'default', status: 'ok', round: 1 }], 'default').serverRequest(`s-${n}`).serverSelected(`s-${n}`, ADDRESS[run.picked[0]!]!, run.picked[0]);
    }
    const { records, summary } = analyze(log);
    expect(records.map((r) => [r.primaryProfile, r.primarySource, r.picked, r.profiles.default!.status])).toEqual([0, 1, 2, 3, 4].map((n) => ['default', 'decision', single(n).picked, 'ok']));
    expect(summary.checks['envoy-is-primary-pick'].ok).toBe(5);
    expect(summary.problemsByKind).toEqual({});
  });

  it('format 1: the one unnamed run is the primary', () => {
    const log = new EppLog(encoder);
    for (let n = 0; n < 5; n++) {
      const run = single(n);
      log.format1Run(`f-${n}`, run).serverRequest(`f-${n}`).serverSelected(`f-${n}`, ADDRESS[run.picked[0]!]!, run.picked[0]);
    }
    const { records, summary } = analyze(log);
    expect(records.map((r) => [Object.keys(r.profiles), r.primaryProfile, r.primarySource, r.picked])).toEqual([0, 1, 2, 3, 4].map((n) => [['#1'], '#1', 'only-profile', single(n).picked]));
    expect(records[0]!.profiles['#1']).toMatchObject({ named: false, status: 'ok', candidates: ['llm-d/decode-a', 'llm-d/decode-b', 'llm-d/decode-c'] });
    expect(summary.problemsByKind).toEqual({});
    expect(renderSummary(summary, plainStyle)).toMatch(/^profile #1 {2}in 5 requests \(primary in 5\): 5 ok/m);
  });

  it('a wrong pick is a real problem, in its profile', () => {
    const log = new EppLog(encoder);
    const spec = { profile: 'default', round: 1, candidates: ['llm-d/decode-a', 'llm-d/decode-b'], scorers: [{ type: 'queue-scorer', name: 'queue-scorer', weight: 1, score: (e: string) => (e.endsWith('-a') ? 1 : 0) }] };
    const run = runProfile({ ...spec, pickOverride: 'llm-d/decode-b' });
    log.profileRun('w-1', run).decision('w-1', [{ name: 'default', status: 'ok', round: 1 }], 'default').serverSelected('w-1', ADDRESS['llm-d/decode-b']!, 'llm-d/decode-b');
    const { byId } = analyze(log);
    expect(byId('w-1').problems).toEqual([{ kind: 'pick-not-highest', requestId: 'w-1', profile: 'default', detail: 'picked llm-d/decode-b (0) but llm-d/decode-a had 1' }]);
  });
});

describe('format 1 with two profiles (today\'s lines on a P/D setup)', () => {
  it('keeps the two runs apart and does not call Envoy a mismatch it cannot prove', () => {
    const log = new EppLog('console');
    const { decode, prefill } = pdRuns(1);
    const d = runProfile(decode);
    const p = runProfile(prefill);
    log.format1Run('old-1', d).format1Run('old-1', p).serverRequest('old-1').serverSelected('old-1', ADDRESS[d.picked[0]!]!, d.picked[0]);
    const { byId, summary } = analyze(log);
    const r = byId('old-1');
    expect(Object.values(r.profiles).map((x) => [x.name, x.picked])).toEqual([
      ['#1', d.picked],
      ['#2', p.picked],
    ]);
    expect(r.primaryProfile).toBeUndefined();
    expect(r.checks.find((c) => c.check === 'envoy-is-primary-pick')).toEqual({ check: 'envoy-is-primary-pick', profile: undefined, result: 'unverified', detail: "no line names the primary profile; Envoy's endpoint is the pick of #1" });
    expect(summary.problemsByKind).toEqual({});
  });

  it('takes the profile names from upstream\'s V3 lines when they are there', () => {
    const log = new EppLog('json');
    const { decode, prefill } = pdRuns(2);
    const d = runProfile(decode);
    const p = runProfile(prefill);
    for (const run of [d, p]) {
      log.write(3, 'scheduling/scheduler.go:69', 'Running scheduler profile', { 'x-request-id': 'old-2', profile: run.profile });
      log.format1Run('old-2', run);
      log.write(3, 'scheduling/scheduler.go:75', 'Completed running scheduler profile succuessfully', { 'x-request-id': 'old-2', profile: run.profile });
    }
    log.serverSelected('old-2', ADDRESS[d.picked[0]!]!, d.picked[0]);
    const r = analyze(log).byId('old-2');
    expect(Object.values(r.profiles).map((x) => [x.name, x.status, x.picked])).toEqual([
      ['decode', 'ok', d.picked],
      ['prefill', 'ok', p.picked],
    ]);
  });
});

describe.each(['console', 'json'] as const)("upstream's own lines only (V3 and V4), %s encoder", (encoder) => {
  it('rebuilds each profile from the V3 boundaries and the V4 filter, score and picker lines', () => {
    const log = new EppLog(encoder);
    const truth: Array<[string, string, string]> = [];
    for (let n = 0; n < 6; n++) {
      const id = `up-${n}`;
      const { decode, prefill } = pdRuns(n, { prefillFilter: n === 5 ? NOTHING_FILTER : undefined });
      const d = runProfile(decode);
      const p = runProfile(prefill);
      log.upstreamRun(id, d).upstreamRun(id, p).requestHandled(id, ADDRESS[d.picked[0]!]!);
      truth.push([id, d.picked[0]!, p.picked[0] ?? 'failed']);
    }
    const { records, summary } = analyze(log);
    expect(records.map((r) => [r.requestId, r.profiles.decode!.picked![0], r.profiles.prefill!.picked?.[0] ?? r.profiles.prefill!.status])).toEqual(truth);
    const first = records[0]!;
    expect(first.profiles.decode!.filters).toEqual([{ filter: 'by-label-selector', name: 'decode-filter', kept: 3, removed: ['llm-d/prefill-a', 'llm-d/prefill-b'] }]);
    expect(first.profiles.decode!.scorers.map((s) => [s.scorer, s.name, Object.keys(s.scores).length])).toEqual([
      ['active-request-scorer', 'decode-active', 3],
      ['queue-scorer', 'queue-scorer', 3],
      ['prefix-cache-scorer', 'decode-prefix', 3],
    ]);
    expect(first.profiles.decode!.totals).toEqual(Object.fromEntries(runProfile(pdRuns(0).decode).scored.map((e, i) => [e, runProfile(pdRuns(0).decode).totals[i]])));
    // No line names the primary: Envoy's endpoint is shown as decode's pick, unverified, not a mismatch.
    expect(first.envoyEndpointName).toBe(first.profiles.decode!.picked![0]);
    expect(first.checks.find((c) => c.check === 'envoy-is-primary-pick')).toMatchObject({ result: 'unverified', detail: "no line names the primary profile; Envoy's endpoint is the pick of decode" });
    expect(records[5]!.profiles.prefill).toMatchObject({ status: 'failed', error: NO_ENDPOINTS });
    expect(summary.profiles.prefill!.failuresByKind).toEqual({ 'no-endpoints-available': { count: 1, requestIds: ['up-5'] } });
    expect(summary.problemsByKind).toEqual({});
    expect(summary.checks['pick-is-highest']).toMatchObject({ ok: 11, problem: 0 });
  });

  it.each([
    ['GIE v0.5–v1.0 (the profile as `name`)', { nameKey: 'name' as const }],
    ['GIE v1.4 on and llm-d-router (`endpoints`, `TargetEndpoints`)', { endpoints: true }],
  ])('reads the keys of %s', (_, options) => {
    const log = new EppLog(encoder);
    const { decode, prefill } = pdRuns(3);
    const d = runProfile(decode);
    const p = runProfile(prefill);
    log.upstreamRun('k-1', d, options).upstreamRun('k-1', p, options).requestHandled('k-1', ADDRESS[d.picked[0]!]!);
    const r = analyze(log).byId('k-1');
    expect(Object.values(r.profiles).map((x) => [x.name, x.status, x.candidates?.length, x.filters[0]?.kept, x.picked, Object.keys(x.totals ?? {}).length])).toEqual([
      ['decode', 'ok', 5, 3, d.picked, 3],
      ['prefill', 'ok', 5, 2, p.picked, 2],
    ]);
    expect(r.problems).toEqual([]);
  });

  it("compares Envoy's address with the pick's by ip only (llm-d's data-parallel primaryPort rewrites the port)", () => {
    const single = (id: string, sent: (picked: string) => string) => {
      const log = new EppLog(encoder);
      const d = runProfile({ ...pdRuns(1).decode, candidates: ['llm-d/decode-a', 'llm-d/decode-b', 'llm-d/decode-c'], filters: [] });
      log.upstreamRun(id, d).requestHandled(id, sent(d.picked[0]!));
      return analyze(log).byId(id);
    };
    const rewritten = single('dp-1', (picked) => ADDRESS[picked]!.replace(':8000', ':9000'));
    expect(rewritten.checks.find((c) => c.check === 'envoy-is-primary-pick')).toMatchObject({ result: 'unverified' });
    expect(rewritten.problems).toEqual([]);
    const elsewhere = single('dp-2', (picked) => ADDRESS[ALL.find((e) => e.includes('/decode-') && e !== picked)!]!.replace(':8000', ':9000'));
    expect(elsewhere.problems.map((p) => p.kind)).toEqual(['envoy-mismatch']);
  });

  it('reads the V3 boundaries alone (GIE v1.2+ at --v=3): profiles and their outcome, no scores', () => {
    const log = new EppLog(encoder);
    const { decode, prefill } = pdRuns(0, { prefillFilter: NOTHING_FILTER });
    const d = runProfile(decode);
    log.upstreamRun('v3-1', d, { v4: false }).upstreamRun('v3-1', runProfile(prefill), { v4: false }).requestHandled('v3-1', ADDRESS[d.picked[0]!]!);
    const r = analyze(log).byId('v3-1');
    expect(Object.values(r.profiles).map((p) => [p.name, p.status, p.error])).toEqual([
      ['decode', 'ok', undefined],
      ['prefill', 'failed', NO_ENDPOINTS],
    ]);
    expect(r.envoyEndpoint).toBe(ADDRESS[d.picked[0]!]);
    expect(r.problems).toEqual([]);
  });
});
