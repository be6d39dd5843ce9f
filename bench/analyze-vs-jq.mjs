#!/usr/bin/env node
// Generates a large EPP log in each zap encoding (JSON lines, and development console lines with
// stack traces), then times `instrument analyze --json` (the built CLI) against jq doing a
// comparable select-and-group over the same file, reporting throughput and peak memory of both.
// `--format 2` writes our lines as `apply` writes them now (docs/line-format.md: one line per
// profile run, one for the decision); the default, 1, writes the five one-line points of format 1.
//   npm run build && node bench/analyze-vs-jq.mjs [--size-mb 1024] [--format 1|2] [--keep]
// Needs jq and GNU time (/usr/bin/time) on PATH.
import { execFileSync, spawnSync } from 'node:child_process';
import { closeSync, mkdirSync, openSync, rmSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { 'size-mb': { type: 'string', default: '1024' }, format: { type: 'string', default: '1' }, keep: { type: 'boolean', default: false } } });
if (!['1', '2'].includes(values.format)) throw new Error(`--format ${values.format}: expected 1 or 2`);
const repo = new URL('..', import.meta.url).pathname;
const out = join(repo, 'bench', 'out');
mkdirSync(out, { recursive: true });
const target = Number(values['size-mb']) * 1024 * 1024;

const endpoints = Array.from({ length: 8 }, (_, i) => `llm-d/vllm-decode-${i}-rank-0`);
// What upstream's --v=4 dumps: whole endpoint objects with metrics and labels (the noise).
const endpointDump = endpoints.map((e, i) => ({
  NamespacedName: e,
  PodName: e.slice(6, -7),
  Address: `10.0.0.${i + 1}`,
  Port: '8000',
  Labels: { app: 'vllm', role: 'decode', 'llm-d.ai/model': 'qwen3' },
  Metrics: { WaitingQueueSize: i % 3, RunningQueueSize: i, KVCacheUsagePercent: i / 10, ActiveModels: { 'Qwen/Qwen3-Coder-30B-A3B-Instruct': 1 }, UpdateTime: '2026-11-27T20:00:00Z' },
}));

function requestLines(n) {
  const id = `bench-${n.toString(16).padStart(8, '0')}`;
  const ctx = { 'x-request-id': id, objectiveKey: '', incomingModelName: 'Qwen/Qwen3-Coder-30B-A3B-Instruct', targetModelName: 'Qwen/Qwen3-Coder-30B-A3B-Instruct', priority: 0 };
  const active = Object.fromEntries(endpoints.map((e, i) => [e, ((n + i) % 5) / 4]));
  const queue = Object.fromEntries(endpoints.map((e, i) => [e, 1 - (i % 4) / 4]));
  const totals = Object.fromEntries(endpoints.map((e) => [e, 2 * active[e] + queue[e]]));
  const picked = Object.entries(totals).sort((a, b) => b[1] - a[1])[0][0];
  const endpointOf = (e) => `10.0.0.${endpoints.indexOf(e) + 1}:8000`;
  const selected = ['Level(-2)', 'handlers/server.go:237', 'instrument: endpoint sent to proxy', { 'x-request-id': id, point: 'server.selected', endpoint: endpointOf(picked), endpointName: picked }];
  const handled = ['Level(-2)', 'handlers/server.go:168', 'instrument: request handled by endpoint picker', { 'x-request-id': id, point: 'server.request', path: '/v1/chat/completions', incomingModel: ctx.incomingModelName, targetModel: ctx.targetModelName }];
  // Format 2 puts the profile's name on the logger for its run, so upstream's lines in it carry it too.
  const run = values.format === '2' ? { ...ctx, profile: 'default' } : ctx;
  const upstreamBefore = ['Level(-4)', 'framework/scheduler_profile.go:131', 'Before running filter plugins', { ...run, pods: endpointDump }];
  const upstreamScores = endpoints.map((e) => ['Level(-4)', 'framework/scheduler_profile.go:165', 'Calculated score', { ...run, plugin: 'active-request-scorer/active-request-scorer', endpoint: e, score: active[e] }]);
  const upstreamPicking = ['Level(-4)', 'framework/scheduler_profile.go:190', 'Candidate pods for picking', { ...run, 'pods-weighted-score': endpointDump.map((p) => ({ Pod: p, Score: totals[p.NamespacedName] })) }];
  const upstreamHandled = ['Level(-3)', 'requestcontrol/director.go:140', 'Request handled', { ...ctx, targetModel: ctx.targetModelName, endpoint: endpointOf(picked) }];
  const lines =
    values.format === '2'
      ? [
          upstreamBefore,
          ...upstreamScores,
          upstreamPicking,
          ['Level(-2)', 'scheduling/scheduler.go:80', 'instrument: profile run', {
            ...run, point: 'scheduler.profile', round: 1, status: 'ok', endpoints, filters: [], scored: endpoints,
            scorers: [{ type: 'active-request-scorer', name: 'active-request-scorer', weight: 2, scores: endpoints.map((e) => active[e]) }, { type: 'queue-scorer', name: 'queue-scorer', weight: 1, scores: endpoints.map((e) => queue[e]) }],
            totals: endpoints.map((e) => totals[e]), picker: { type: 'max-score-picker', name: 'max-score-picker' }, picked: [picked],
          }],
          ['Level(-2)', 'scheduling/scheduler.go:96', 'instrument: scheduling decision', { ...ctx, point: 'scheduler.decision', profiles: [{ name: 'default', status: 'ok', round: 1 }], primary: 'default' }],
          upstreamHandled,
          handled,
          selected,
        ]
      : [
          upstreamBefore,
          ['Level(-2)', 'framework/scheduler_profile.go:101', 'instrument: candidate endpoints', { ...ctx, point: 'profile.candidates', count: endpoints.length, endpoints }],
          ...upstreamScores,
          ['Level(-2)', 'framework/scheduler_profile.go:175', 'instrument: scorer scores per endpoint', { ...ctx, point: 'profile.scores', scorer: 'active-request-scorer', scorerName: 'active-request-scorer', weight: 2, scores: active }],
          ['Level(-2)', 'framework/scheduler_profile.go:175', 'instrument: scorer scores per endpoint', { ...ctx, point: 'profile.scores', scorer: 'queue-scorer', scorerName: 'queue-scorer', weight: 1, scores: queue }],
          upstreamPicking,
          ['Level(-2)', 'framework/scheduler_profile.go:124', 'instrument: picked endpoint', { ...ctx, point: 'profile.picked', picker: 'max-score-picker', pickerName: 'max-score-picker', picked: [picked], weightedScores: totals }],
          upstreamHandled,
          handled,
          selected,
        ];
  if (n % 500 === 0) lines.push(['ERROR', 'handlers/server.go:210', 'Failed to process request', { 'x-request-id': `${id}-x`, error: 'inference error: InferencePoolResourceExhausted - failed to find target pod' }]);
  return lines;
}

function generate(file, encode) {
  const fd = openSync(file, 'w');
  let size = 0;
  let n = 0;
  let chunk = [];
  while (size < target) {
    for (const [level, caller, msg, fields] of requestLines(n++)) {
      const text = encode(level, caller, msg, fields, n);
      chunk.push(text);
      size += Buffer.byteLength(text);
    }
    if (chunk.length > 2000) {
      writeSync(fd, chunk.join(''));
      chunk = [];
    }
  }
  writeSync(fd, chunk.join(''));
  closeSync(fd);
  return { size: statSync(file).size, requests: n };
}

const ts = '2026-11-27T20:00:00Z';
const json = (level, caller, msg, fields) => JSON.stringify({ level, ts, caller, msg, ...fields }) + '\n';
const TRACE = 'sigs.k8s.io/gateway-api-inference-extension/pkg/epp/handlers.(*StreamingServer).Process\n\t/workspace/pkg/epp/handlers/server.go:210\ngoogle.golang.org/grpc.(*Server).processStreamingRPC\n\t/go/pkg/mod/google.golang.org/grpc@v1.73.0/server.go:1700\n';
const consoleLine = (level, caller, msg, fields) => {
  const context = JSON.stringify(fields).replace(/":/g, '": ').replace(/,"/g, ', "');
  return `${ts}\t${level.replace('Level', 'LEVEL')}\t${caller}\t${msg}\t${context}\n` + (level === 'ERROR' ? TRACE : '');
};

// jq's side: select our lines, keep request id and point, group by request id, count the groups.
// (Collect-then-group_by; a reduce that adds to one growing object is quadratic in jq 1.6.)
const JQ = {
  json: ['-n', '[inputs | select((.msg? // "") | startswith("instrument: ")) | {id: .["x-request-id"], point}] | group_by(.id) | length'],
  console: ['-R', '-n', '[inputs | split("\\t") | select(length >= 5 and (.[3] | startswith("instrument: "))) | .[4] | fromjson | {id: .["x-request-id"], point}] | group_by(.id) | length'],
};

function run(argv) {
  // GNU time writes "TIME <seconds> <max RSS in KB>" as the last line of stderr. analyze exits 1
  // when it finds failures (the generated log has some on purpose); the timing holds either way.
  const result = spawnSync('/usr/bin/time', ['-f', 'TIME %e %M', ...argv], { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8', maxBuffer: 1 << 28 });
  const match = /TIME ([\d.]+) (\d+)\s*$/.exec(result.stderr ?? '');
  if (!match) throw new Error(`no timing from ${argv.join(' ')}:\n${(result.stderr ?? '').slice(-2000)}`);
  return { seconds: Number(match[1]), peakMb: Number(match[2]) / 1024 };
}

console.log(`node ${process.version}, ${execFileSync('jq', ['--version'], { encoding: 'utf8' }).trim()}, ${values['size-mb']} MB per encoding, our lines in format ${values.format}`);
const rows = [];
for (const [name, encode] of [['json', json], ['console', consoleLine]]) {
  const file = join(out, `epp-${name}.log`);
  const { size, requests } = generate(file, encode);
  const mb = size / 1024 / 1024;
  // Read the file once before timing, so both tools find it in the page cache.
  execFileSync('sh', ['-c', `cat '${file}' > /dev/null`]);
  const ours = run([process.execPath, join(repo, 'bin', 'instrument.cjs'), 'analyze', file, '--json']);
  const theirs = run(['jq', ...JQ[name], file]);
  rows.push({ name, mb, requests, ours, theirs });
  console.log(
    `${name.padEnd(8)} ${mb.toFixed(0)} MB, ${requests} requests: ` +
      `instrument analyze ${(mb / ours.seconds).toFixed(0)} MB/s, peak ${ours.peakMb.toFixed(0)} MB | ` +
      `jq ${(mb / theirs.seconds).toFixed(0)} MB/s, peak ${theirs.peakMb.toFixed(0)} MB`,
  );
  if (!values.keep) rmSync(file);
}
const met = rows.every((r) => r.mb / r.ours.seconds >= r.mb / r.theirs.seconds && r.ours.peakMb <= 200);
console.log(`targets (throughput at least jq's, peak memory at most 200 MB): ${met ? 'met' : 'NOT met'}`);
