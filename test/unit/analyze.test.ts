import { Readable } from 'node:stream';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Analyzer } from '../../src/analyze/analyzer.ts';
import type { RequestRecord } from '../../src/analyze/model.ts';
import { endpointName, parseLine } from '../../src/analyze/parse.ts';
import { cli } from '../helpers/cli.ts';
import { tempDir } from '../helpers/fixtures.ts';

// Lines written for these tests in each output form upstream-facts §6 describes (values are ours).
const T = '\t';
const LINES = {
  // GIE v1.0 development console, --v 4: upstream's per-endpoint score line.
  devConsoleScore: `2025-09-17T08:15:30Z${T}LEVEL(-4)${T}framework/scheduler_profile.go:165${T}Calculated score${T}{"x-request-id": "r-console", "objectiveKey": "", "incomingModelName": "m1", "targetModelName": "m1", "priority": 0, "plugin": "active-request-scorer/active-request-scorer", "endpoint": "llm-d/pod-a", "score": 0.25}`,
  // GIE v1.2 with --zap-encoder json (development: endpoint as a string).
  devJsonScore: `{"level":"Level(-4)","ts":"2025-12-01T12:00:00Z","caller":"framework/scheduler_profile.go:165","msg":"Calculated score","x-request-id":"r-devjson","plugin":"active-request-scorer/active-request-scorer","endpoint":"llm-d/pod-b-rank-0","score":0.75}`,
  // GIE v1.4 production JSON: the endpoint as an object.
  prodJsonScore: `{"level":"Level(-4)","ts":"2026-03-20T09:00:01Z","caller":"scheduling/scheduler_profile.go:166","msg":"Calculated score","x-request-id":"r-prod","plugin":"active-request-scorer/active-request-scorer","endpoint":{"namespace":"llm-d","name":"pod-c-rank-0"},"score":0.5}`,
  // GIE v1.5 / llm-d-router: custom level names and epoch timestamps.
  epochReceived: `{"level":"info","ts":1777190401.1234567,"caller":"handlers/server.go:223","msg":"EPP received request","x-request-id":"r-epoch"}`,
  epochHandled: `{"level":"info","ts":1777190401.2,"caller":"requestcontrol/director.go:120","msg":"Request handled","x-request-id":"r-epoch","objectiveKey":"","incomingModelName":"m2","targetModel":"m2","endpoint":"10.1.0.7:8000"}`,
  // GIE v0.4 development console: "Request handled" with the *backend.Pod Stringer.
  g040Handled: `2025-06-01T10:00:00Z${T}LEVEL(-2)${T}requestcontrol/director.go:90${T}Request handled${T}{"x-request-id": "r-old", "model": "m3", "targetModel": "m3", "endpoint": "{NamespacedName:llm-d/pod-d Address:10.1.0.9 Labels:map[app:vllm]}"}`,
  // llm-d's active-request scorer (v0.6 on), a named logger in the console line.
  llmdScored: `2026-03-04T10:00:00Z${T}LEVEL(-4)${T}active-request-scorer${T}scorer/active_request.go:140${T}Scored endpoints${T}{"x-request-id": "r-llmd", "scores": {"llm-d/pod-e": 1, "llm-d/pod-f": 0.5}}`,
};

async function analyzeText(text: string) {
  const records: RequestRecord[] = [];
  const analyzer = new Analyzer({ onRequest: (r) => records.push(r) });
  for (const line of text.split('\n')) analyzer.push(line);
  return { records, summary: analyzer.finish(), byId: (id: string) => records.find((r) => r.requestId === id)! };
}

/** Our five points for one request, as the JSON encoder prints them. */
function ours(id: string, options: { picked?: string; totals?: Record<string, number>; envoyName?: string; withSelected?: boolean } = {}): string[] {
  const totals = options.totals ?? { 'ns/a': 3, 'ns/b': 2.5 };
  const picked = options.picked ?? 'ns/a';
  const base = (msg: string, point: string, fields: object) => JSON.stringify({ level: 'Level(-2)', ts: '2026-11-27T20:11:36Z', caller: 'x.go:1', msg, 'x-request-id': id, point, ...fields });
  return [
    base('instrument: candidate endpoints', 'profile.candidates', { count: 2, endpoints: Object.keys(totals) }),
    base('instrument: scorer scores per endpoint', 'profile.scores', { scorer: 'active-request-scorer', scorerName: 'active-request-scorer', weight: 2, scores: Object.fromEntries(Object.keys(totals).map((k) => [k, 1])) }),
    base('instrument: picked endpoint', 'profile.picked', { picker: 'max-score-picker', pickerName: 'max-score-picker', picked: [picked], weightedScores: totals }),
    base('instrument: request handled by endpoint picker', 'server.request', { path: '/v1/chat/completions', incomingModel: 'm', targetModel: 'm' }),
    ...(options.withSelected === false ? [] : [base('instrument: endpoint sent to proxy', 'server.selected', { endpoint: '10.0.0.1:8000', endpointName: options.envoyName ?? picked })]),
  ];
}

describe('reading each log form', () => {
  it.each(Object.entries(LINES))('reads the %s line', (_, line) => {
    const parsed = parseLine(line, 1, false);
    expect(parsed.kind).toBe('record');
  });

  it('reads endpoint names as strings, {namespace, name} objects, and the old Pod Stringer', () => {
    expect(endpointName('llm-d/pod-a')).toBe('llm-d/pod-a');
    expect(endpointName({ namespace: 'llm-d', name: 'pod-c' })).toBe('llm-d/pod-c');
    expect(endpointName({ name: 'pod-c' })).toBe('pod-c');
    expect(endpointName('{NamespacedName:llm-d/pod-d Address:10.1.0.9 Labels:map[]}')).toBe('llm-d/pod-d');
  });

  it('turns upstream lines into per-request scores, picks and Envoy endpoints', async () => {
    const { byId } = await analyzeText(Object.values(LINES).join('\n'));
    // Lines that name no profile belong to the request's one unnamed run, `#1`.
    const scorers = (id: string) => byId(id).profiles['#1']!.scorers;
    expect(scorers('r-console')).toEqual([{ scorer: 'active-request-scorer', name: 'active-request-scorer', weight: undefined, scores: { 'llm-d/pod-a': 0.25 } }]);
    expect(scorers('r-devjson')[0]!.scores).toEqual({ 'llm-d/pod-b-rank-0': 0.75 });
    expect(scorers('r-prod')[0]!.scores).toEqual({ 'llm-d/pod-c-rank-0': 0.5 });
    expect(byId('r-epoch')).toMatchObject({ time: '1777190401.1234567', envoyEndpoint: '10.1.0.7:8000', incomingModel: 'm2', sources: ['upstream'], profiles: {} });
    expect(byId('r-old')).toMatchObject({ picked: ['llm-d/pod-d'], primaryProfile: '#1', envoyEndpoint: '10.1.0.9', envoyEndpointName: 'llm-d/pod-d', incomingModel: 'm3', problems: [] });
    expect(scorers('r-llmd')[0]!.scores).toEqual({ 'llm-d/pod-e': 1, 'llm-d/pod-f': 0.5 });
  });

  it('counts truncated lines as unreadable, never fatal, and keeps stack traces out of that count', async () => {
    const error = `2026-01-10T10:00:00Z${T}ERROR${T}handlers/server.go:210${T}Failed to process request${T}{"x-request-id": "r-err", "error": "inference error: InferencePoolResourceExhausted - failed to find target pod: no pods available"}`;
    const trace = [
      'sigs.k8s.io/gateway-api-inference-extension/pkg/epp/handlers.(*StreamingServer).Process',
      '\t/workspace/pkg/epp/handlers/server.go:210',
      'google.golang.org/grpc.(*Server).processStreamingRPC',
      '\t/go/pkg/mod/google.golang.org/grpc@v1.73.0/server.go:1700',
    ];
    const truncated = LINES.devJsonScore.slice(0, 90);
    const { summary, byId } = await analyzeText([error, ...trace, truncated, 'not a log line at all', ...ours('r-ok')].join('\n'));
    expect(summary.unreadable).toBe(2);
    expect(summary.failuresByKind).toEqual({ InferencePoolResourceExhausted: { count: 1, requestIds: ['r-err'] } });
    // A failure is reported as what it is; it is not also a "no pick" problem.
    expect(byId('r-err').failures.map((f) => f.kind)).toEqual(['InferencePoolResourceExhausted']);
    expect(byId('r-err').problems).toEqual([]);
    expect(byId('r-ok').problems).toEqual([]);
  });

  it('groups interleaved requests by request id', async () => {
    const a = ours('r-a');
    const b = ours('r-b', { picked: 'ns/b', totals: { 'ns/a': 1, 'ns/b': 2 } });
    const interleaved = a.flatMap((line, i) => [line, b[i]!]);
    const { records } = await analyzeText(interleaved.join('\n'));
    expect(records.map((r) => [r.requestId, r.picked, r.profiles['#1']!.runnerUp, r.profiles['#1']!.margin])).toEqual([
      ['r-a', ['ns/a'], 'ns/b', 0.5],
      ['r-b', ['ns/b'], 'ns/a', 1],
    ]);
  });

  it("lets our lines take over a run whose first lines were upstream's (the log's first request, before ours were seen)", async () => {
    const upstreamFirst = JSON.stringify({ level: 'Level(-4)', ts: '2026-11-27T20:11:36Z', caller: 'x.go:1', msg: 'Before running filter plugins', 'x-request-id': 'r-first', pods: [{ NamespacedName: { Namespace: 'ns', Name: 'a' }, Address: '10.0.0.1', Port: '8000' }] });
    const { byId } = await analyzeText([upstreamFirst, ...ours('r-first'), ...ours('r-next')].join('\n'));
    expect(Object.keys(byId('r-first').profiles)).toEqual(['#1']);
    expect(byId('r-first').profiles['#1']).toMatchObject({ candidates: ['ns/a', 'ns/b'], picked: ['ns/a'], scorers: [expect.objectContaining({ scorer: 'active-request-scorer', weight: 2 })] });
    expect(byId('r-first').problems).toEqual([]);
  });

  it('reads our console lines as well as our JSON lines', async () => {
    const console = `2026-11-27T20:23:08Z${T}LEVEL(-2)${T}framework/scheduler_profile.go:124${T}instrument: picked endpoint${T}{"x-request-id": "r-c", "point": "profile.picked", "picker": "max-score-picker", "pickerName": "max-score-picker", "picked": ["ns/a"], "weightedScores": {"ns/a":3,"ns/b":2.5}}`;
    const { byId } = await analyzeText(console);
    expect(byId('r-c').profiles['#1']).toMatchObject({ picked: ['ns/a'], totals: { 'ns/a': 3, 'ns/b': 2.5 }, runnerUp: 'ns/b', margin: 0.5 });
  });
});

describe('the checks', () => {
  it('finds a pick that is not the highest total, an Envoy endpoint that is not the pick, and a request that never got a pick', async () => {
    const { summary, byId } = await analyzeText(
      [
        ...ours('r-wrong', { picked: 'ns/b' }),
        ...ours('r-mismatch', { envoyName: 'ns/b' }),
        ...ours('r-nopick').filter((l) => !l.includes('profile.picked') && !l.includes('server.selected')),
      ].join('\n'),
    );
    expect(byId('r-wrong').problems.map((p) => p.kind)).toEqual(['pick-not-highest']);
    expect(byId('r-mismatch').problems.map((p) => p.kind)).toEqual(['envoy-mismatch']);
    expect(byId('r-nopick').problems.map((p) => p.kind)).toEqual(['no-pick']);
    expect(Object.keys(summary.problemsByKind).sort()).toEqual(['envoy-mismatch', 'no-pick', 'pick-not-highest']);
  });

  it('reports ties as ties, not as problems', async () => {
    const { byId, summary } = await analyzeText(ours('r-tie', { totals: { 'ns/a': 2, 'ns/b': 2 } }).join('\n'));
    expect(byId('r-tie')).toMatchObject({ profiles: { '#1': { tie: ['ns/a', 'ns/b'], margin: 0 } }, problems: [] });
    expect(summary.ties).toBe(1);
  });

  it('counts failures by kind with their request ids', async () => {
    const fail = (id: string, error: string) => JSON.stringify({ level: 'error', ts: 1, msg: 'Failed to process request', 'x-request-id': id, error });
    const { summary } = await analyzeText(
      [fail('r1', 'inference error: InferencePoolResourceExhausted - x'), fail('r2', 'failed to run scheduler profile default'), fail('r3', 'inference error: InferencePoolResourceExhausted - y')].join('\n'),
    );
    expect(summary.failuresByKind).toEqual({
      InferencePoolResourceExhausted: { count: 2, requestIds: ['r1', 'r3'] },
      'scheduler-profile-failed': { count: 1, requestIds: ['r2'] },
    });
  });
});

describe('streaming', () => {
  it('holds only a bounded window of open requests, however long the log', async () => {
    let emitted = 0;
    let mostOpen = 0;
    const analyzer = new Analyzer({ maxOpen: 100, settleLines: 50, onRequest: () => emitted++ });
    for (let i = 0; i < 20_000; i++) {
      for (const line of ours(`r${i}`)) analyzer.push(line);
      mostOpen = Math.max(mostOpen, analyzer.openRequests);
    }
    const summary = analyzer.finish();
    expect(summary.requests).toBe(20_000);
    expect(emitted).toBe(20_000);
    expect(mostOpen).toBeLessThanOrEqual(101);
    expect(summary.profiles['#1']!.scorerSpread['active-request-scorer']!.count).toBe(40_000);
  });
});

describe('instrument analyze', () => {
  it('prints a table per request and a summary, exits 0 when all is well and 1 on problems', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'good.log'), ours('r-1').join('\n') + '\n');
    const good = await cli(['analyze', 'good.log'], { cwd: dir });
    expect(good.exitCode).toBe(0);
    expect(good.stdout).toMatch(/^r-1 {2}m {2}\/v1\/chat\/completions {2}line 1$/m);
    expect(good.stdout).toMatch(/^ {2}#1 \(unnamed\) {2}primary \(the only profile\) · ok · 2 candidates$/m);
    expect(good.stdout).toMatch(/^ {4}ns\/a +1 +3 {2}picked$/m);
    expect(good.stdout).toMatch(/^ {4}ns\/b +1 +2\.500 {2}runner-up, margin 0\.500$/m);
    expect(good.stdout).toContain("envoy ← 10.0.0.1:8000 (ns/a)  = #1's pick");
    expect(good.stdout).toContain('requests  1 (1 with a pick, 0 ties); 5 lines read, 0 unreadable');

    writeFileSync(join(dir, 'bad.log'), ours('r-2', { picked: 'ns/b' }).join('\n'));
    const bad = await cli(['analyze', 'bad.log', '--json'], { cwd: dir });
    expect(bad.exitCode).toBe(1);
    const document = JSON.parse(bad.stdout);
    expect(document.version).toBe(3);
    expect(document.requests[0].problems[0]).toMatchObject({ kind: 'pick-not-highest', profile: '#1' });
    expect(document.summary.problemsByKind).toEqual({ 'pick-not-highest': { count: 1, requestIds: ['r-2'] } });

    const missing = await cli(['analyze', 'nope.log'], { cwd: dir });
    expect(missing.exitCode).toBe(2);
    const folder = await cli(['analyze', '.'], { cwd: dir });
    expect([folder.exitCode, folder.stderr]).toEqual([2, expect.stringContaining('. is a folder, not a log file')]);
    // A device or a pipe is read like a file (`instrument analyze <(kubectl logs ...)`): here, nothing.
    const empty = await cli(['analyze', '/dev/null'], { cwd: dir });
    expect([empty.exitCode, empty.stderr]).toEqual([1, expect.stringContaining('/dev/null is empty.')]);
  });

  it('reads standard input', async () => {
    let stdout = '';
    const { runCli } = await import('../../src/program.ts');
    const code = await runCli(['analyze', '-', '--json'], {
      cwd: tempDir(),
      env: {},
      stdin: Readable.from([ours('r-in').join('\n')]),
      stdout: (t) => (stdout += t),
      stderr: () => undefined,
      });
    expect(code).toBe(0);
    expect(JSON.parse(stdout).requests.map((r: RequestRecord) => r.requestId)).toEqual(['r-in']);
  });
});

describe('--follow', () => {
  it('completes a request answered to Envoy while the log is still open', async () => {
    const { PassThrough } = await import('node:stream');
    const { analyzeLines } = await import('../../src/commands/analyze.ts');
    const { readLines } = await import('../../src/analyze/lines.ts');
    const input = new PassThrough();
    const seen: string[] = [];
    const finished = analyzeLines(readLines(input), { followSettleMs: 500, onRequest: (r) => seen.push(r.requestId) });
    input.write(ours('r-live').join('\n') + '\n');
    await new Promise((done) => setTimeout(done, 2_500));
    expect(seen).toEqual(['r-live']);
    input.end();
    expect((await finished).requests).toBe(1);
  });
});

describe('no silent pass: input without a single scheduling line (issue 11, item 7)', () => {
  /** What an uninstrumented GIE v1.5 EPP at its default --v=2 writes: start-up lines and one line per request. */
  const uninstrumented = [
    JSON.stringify({ level: 'info', ts: 1777190400.1, caller: 'runner/runner.go:210', msg: 'Starting the EPP' }),
    JSON.stringify({ level: 'info', ts: 1777190400.2, caller: 'metrics/pod_metrics.go:76', msg: 'Starting refresher', metadata: '{NamespacedName:llm-d/vllm-a-rank-0 PodName:vllm-a Address:10.0.0.1 Port:8000 MetricsHost:10.0.0.1:8000 Labels:map[]}' }),
    ...Array.from({ length: 20 }, (_, i) => JSON.stringify({ level: 'info', ts: 1777190401 + i, caller: 'handlers/server.go:223', msg: 'EPP received request', 'x-request-id': `u-${i}` })),
  ].join('\n');

  it.each([
    ['empty input', '', /^standard input is empty\.$/m],
    ['a file that is not a log', 'GET /index.html 200\nGET /favicon.ico 404\n', /None of its lines is a zap log record/],
    ['an EPP at --v=2 without our lines', uninstrumented, /20 requests were received \("EPP received request"\), but no line says how they were scheduled/],
  ])('%s: exits 1 and says what it saw and what to do', async (_, text, says) => {
    const { runCli } = await import('../../src/program.ts');
    let stdout = '';
    let stderr = '';
    const io = { cwd: tempDir(), env: {}, stdin: Readable.from([text]), stdout: (t: string) => (stdout += t), stderr: (t: string) => (stderr += t) };
    expect(await runCli(['analyze'], io)).toBe(1);
    expect(stderr).toMatch(/^no scheduling lines in the input: nothing to analyze\.$/m);
    expect(stderr).toMatch(says);
    expect(stdout).toMatch(/^ {2}problems {2}no-scheduling-lines 1$/m);
  });

  it('names the levels and the most common messages, and the --verbosity and --v to use', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'epp.log'), uninstrumented);
    const run = await cli(['analyze', 'epp.log', '--json'], { cwd: dir });
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toContain('epp.log: 22 lines, 22 log records, 0 unreadable.');
    expect(run.stderr).toContain('  levels: info ×22');
    expect(run.stderr).toContain('  most common messages: "EPP received request" ×20, "Starting refresher" ×1, "Starting the EPP" ×1');
    expect(run.stderr).toMatch(/instrument apply --verbosity N.*--v >= N/);
    const document = JSON.parse(run.stdout);
    expect(document.requests).toEqual([]);
    expect(document.summary).toMatchObject({ schedulingLines: 0, receivedOnly: 20, problemsByKind: { 'no-scheduling-lines': { count: 1, requestIds: [] } } });
    expect(document.summary.input).toEqual({ records: 22, levels: { info: 22 }, messages: [['EPP received request', 20], ['Starting refresher', 1], ['Starting the EPP', 1]], requestsReceived: 20 });
  });

  it('does not fire when the log has scheduling lines', async () => {
    const { summary } = await analyzeText([...ours('r-1'), uninstrumented].join('\n'));
    expect(summary.input).toBeUndefined();
    expect(summary.problemsByKind).toEqual({});
  });
});

describe('the spread of a scorer', () => {
  it('keeps up to 50 distinct values as they are, and bins more in round widths that count every value (the 270 values that once summed to 57)', async () => {
    const few = Array.from({ length: 30 }, (_, i) => ours(`f-${i}`).map((l) => l.replace('"scores":{"ns/a":1,"ns/b":1}', `"scores":{"ns/a":${i / 100},"ns/b":0}`))).flat();
    const exact = (await analyzeText(few.join('\n'))).summary.profiles['#1']!.scorerSpread['active-request-scorer']!;
    expect(exact.histogram.binWidth).toBe(0);
    expect(exact.histogram.bins).toHaveLength(30);
    expect(exact.histogram.bins[0]).toEqual([0, 31]); // 0.00 for ns/a once, 0 for ns/b 30 times
    expect(exact.histogram.bins[29]).toEqual([0.29, 1]);

    // 135 requests × 2 endpoints = 270 values, 136 distinct, from 0 to 1.35.
    const many = Array.from({ length: 135 }, (_, i) => ours(`h-${i}`, { totals: { 'ns/a': 3, 'ns/b': 2.5 } }).map((l) => l.replace('"scores":{"ns/a":1,"ns/b":1}', `"scores":{"ns/a":${(i + 1) / 100},"ns/b":0}`))).flat();
    const { summary } = await analyzeText(many.join('\n'));
    const spread = summary.profiles['#1']!.scorerSpread['active-request-scorer']!;
    expect(spread.count).toBe(270);
    const { binWidth, bins } = spread.histogram;
    expect(binWidth).toBe(0.05); // 0.02 would need 68 bins for 0–1.35, 0.05 needs 28
    expect(bins.reduce((n, [, count]) => n + count, 0)).toBe(270);
    expect(bins).toHaveLength(28);
    expect(bins[0]).toEqual([0, 135 + 4]); // every ns/b 0, and ns/a's 0.01–0.04
    expect(bins[1]).toEqual([0.05, 5]);
    expect(bins[27]).toEqual([1.35, 1]);
    const { renderSummary } = await import('../../src/reporters/analysis.ts');
    const { plainStyle } = await import('../../src/reporters/text.ts');
    expect(renderSummary(summary, plainStyle)).toMatch(/^ {2}active-request-scorer: n=270 .* \[28 bins 0\.050 wide\]$/m);
  });

  it('stays within its bins on a long run of distinct values, still counting each one', async () => {
    const { HistogramAccumulator } = await import('../../src/analyze/summary.ts');
    const histogram = new HistogramAccumulator();
    for (let i = 0; i < 100_000; i++) histogram.add(i / 997 - 20);
    const { binWidth, bins } = histogram.result();
    expect(bins.length).toBeLessThanOrEqual(50);
    expect(bins.reduce((n, [, count]) => n + count, 0)).toBe(100_000);
    expect(binWidth).toBe(5); // from -20 to 80.3: 2 wide would need 51 bins, 5 wide needs 21
    expect(bins[0]![0]).toBe(-20);
  });
});
