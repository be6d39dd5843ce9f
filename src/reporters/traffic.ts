import type { TrafficResult } from '../commands/traffic.ts';
import type { Rendered, Style } from './text.ts';

const ms = (value: number | undefined) => (value === undefined ? '-' : `${Math.round(value)} ms`);
const counts = (record: Readonly<Record<string, number>>) =>
  Object.entries(record)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([k, n]) => `${k} ×${n}`)
    .join(', ');

export function renderTraffic(result: TrafficResult, style: Style): Rendered {
  const ids = result.outcomes.map((o) => o.requestId).sort();
  const failed = Object.keys(result.byError).length > 0 || Object.keys(result.byStatus).some((s) => !s.startsWith('2'));
  const lines = [
    `${result.requests} requests to ${result.url}, ${result.concurrency} at a time, in ${(result.durationMs / 1000).toFixed(1)} s`,
    `  status    ${counts(result.byStatus) || 'none'}`,
    `  errors    ${Object.keys(result.byError).length ? style.bad(counts(result.byError)) : style.ok('none')}`,
    `  latency   p50 ${ms(result.latencyMs.p50)}, p95 ${ms(result.latencyMs.p95)}, max ${ms(result.latencyMs.max)}`,
  ];
  if (Object.keys(result.byEndpoint).length) lines.push(`  routed    ${counts(result.byEndpoint)}`);
  lines.push(`  ids       ${ids[0]} … ${ids.at(-1)} (x-request-id; join them with \`instrument logs --analyze\`)`);
  if (failed) lines.push(style.bad('some requests failed'));
  return { stdout: lines.join('\n') + '\n', stderr: refusedHint(result) };
}

/** Nothing listening where the requests go is, in the session, a port-forward not running. */
function refusedHint(result: TrafficResult): string {
  if (!result.byError.refused) return '';
  const url = new URL(result.url);
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
  return loopback
    ? `nothing listens on ${url.hostname}:${port} (connection refused): is the port-forward to the gateway running?\n` +
        `  kubectl port-forward -n llm-d-inference-scheduler svc/<gateway> ${port}:80\n` +
        '(or name the gateway\'s address with --url)\n'
    : `nothing listens on ${url.hostname}:${port} (connection refused): check the address (--url) and that the gateway runs\n`;
}
