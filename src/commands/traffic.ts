import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadConfig } from '../config.ts';
import { UsageError } from '../errors.ts';
import { percentile, runLoad, type RequestOutcome } from '../traffic/load.ts';

/** The manual workflow's defaults: a `seq | xargs curl` loop against the port-forwarded gateway. */
export const TRAFFIC_DEFAULTS = {
  url: 'http://127.0.0.1:18080/v1/chat/completions',
  model: 'Qwen/Qwen3-Coder-30B-A3B-Instruct',
  prompt: 'hello',
  maxTokens: 8,
  requests: 20,
  concurrency: 5,
  timeoutSeconds: 25,
} as const;

export interface TrafficOptions {
  readonly cwd: string;
  readonly root?: string | undefined;
  readonly url?: string | undefined;
  readonly model?: string | undefined;
  readonly prompt?: string | undefined;
  readonly requests?: number | undefined;
  readonly concurrency?: number | undefined;
  /** Per request, in milliseconds. Defaults to traffic.timeoutSeconds of the configuration, else 25 s. */
  readonly timeoutMs?: number | undefined;
  /** `Name: value`, repeatable. */
  readonly headers?: readonly string[] | undefined;
  readonly stream?: boolean | undefined;
  /** Write every request's outcome here, one JSON line each (request ids to join with the logs). */
  readonly save?: string | undefined;
  readonly onOutcome?: ((outcome: RequestOutcome, done: number, total: number) => void) | undefined;
}

export interface TrafficResult {
  readonly command: 'traffic';
  readonly url: string;
  readonly requests: number;
  readonly concurrency: number;
  readonly durationMs: number;
  /** Responses per HTTP status. */
  readonly byStatus: Readonly<Record<string, number>>;
  /** Requests without a response, per error kind (refused, timeout, reset, ...). */
  readonly byError: Readonly<Record<string, number>>;
  readonly latencyMs: { readonly p50: number | undefined; readonly p95: number | undefined; readonly max: number | undefined };
  /** Responses per routed endpoint, when the gateway says where it sent them. */
  readonly byEndpoint: Readonly<Record<string, number>>;
  readonly outcomes: readonly RequestOutcome[];
}

function positive(value: number, flag: string): number {
  if (!Number.isInteger(value) || value <= 0) throw new UsageError(`${flag} ${value}: expected a whole number above 0`, `For example ${flag} 20.`);
  return value;
}

function countBy<T>(items: readonly T[], key: (item: T) => string | undefined): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const item of items) {
    const k = key(item);
    if (k !== undefined) counts[k] = (counts[k] ?? 0) + 1;
  }
  return counts;
}

/** Sends concurrent chat-completion requests and reports statuses, error kinds and latencies. */
export async function traffic(options: TrafficOptions): Promise<TrafficResult> {
  const config = loadConfig(resolve(options.cwd, options.root ?? '.')).traffic ?? {};
  const rawUrl = options.url ?? config.url ?? TRAFFIC_DEFAULTS.url;
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    throw new UsageError(`--url ${JSON.stringify(rawUrl)} is not a URL`, `For example --url ${TRAFFIC_DEFAULTS.url}.`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`--url ${rawUrl}: expected http:// or https://`, 'Point it at the inference gateway.');
  const headers: Record<string, string> = {};
  for (const header of [...(config.headers ?? []), ...(options.headers ?? [])]) {
    const match = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+):\s*(.*)$/.exec(header);
    if (!match) throw new UsageError(`--header ${JSON.stringify(header)}: expected "Name: value"`, 'For example --header "Authorization: Bearer $TOKEN".');
    headers[match[1]!.toLowerCase()] = match[2]!;
  }
  const requests = positive(options.requests ?? config.requests ?? TRAFFIC_DEFAULTS.requests, '--requests');
  const concurrency = positive(options.concurrency ?? config.concurrency ?? TRAFFIC_DEFAULTS.concurrency, '--concurrency');
  const timeoutMs = options.timeoutMs ?? positive(config.timeoutSeconds ?? TRAFFIC_DEFAULTS.timeoutSeconds, 'traffic.timeoutSeconds') * 1000;

  const started = performance.now();
  const outcomes = await runLoad(
    {
      url,
      model: options.model ?? config.model ?? TRAFFIC_DEFAULTS.model,
      prompt: options.prompt ?? config.prompt ?? TRAFFIC_DEFAULTS.prompt,
      maxTokens: TRAFFIC_DEFAULTS.maxTokens,
      stream: options.stream === true,
      requests,
      concurrency,
      timeoutMs,
      headers,
    },
    (outcome, done) => options.onOutcome?.(outcome, done, requests),
  );
  const durationMs = performance.now() - started;
  if (options.save !== undefined) writeFileSync(resolve(options.cwd, options.save), outcomes.map((o) => JSON.stringify(o)).join('\n') + '\n');
  const answered = outcomes.filter((o) => o.status !== undefined).map((o) => o.latencyMs);
  return {
    command: 'traffic',
    url: url.href,
    requests,
    concurrency,
    durationMs,
    byStatus: countBy(outcomes, (o) => (o.status === undefined ? undefined : String(o.status))),
    byError: countBy(outcomes, (o) => o.error),
    latencyMs: { p50: percentile(answered, 50), p95: percentile(answered, 95), max: answered.length ? Math.max(...answered) : undefined },
    byEndpoint: countBy(outcomes, (o) => o.endpoint),
    outcomes,
  };
}

/** Whether every request got a 2xx answer. */
export function allSucceeded(result: TrafficResult): boolean {
  return Object.keys(result.byError).length === 0 && Object.keys(result.byStatus).every((s) => s.startsWith('2'));
}
