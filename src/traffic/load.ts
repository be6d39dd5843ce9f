import { randomBytes } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';

/** One request's outcome, keyed by the x-request-id it carried so that log lines join to it. */
export interface RequestOutcome {
  readonly requestId: string;
  readonly status: number | undefined;
  /** `refused`, `timeout`, `reset`, or the error code, when no response came. */
  readonly error: string | undefined;
  readonly latencyMs: number;
  /** The gateway's routing header, when it sends one back. */
  readonly endpoint: string | undefined;
}

export interface LoadPlan {
  readonly url: URL;
  readonly model: string;
  readonly prompt: string;
  readonly maxTokens: number;
  readonly stream: boolean;
  readonly requests: number;
  readonly concurrency: number;
  readonly timeoutMs: number;
  /** Extra headers, as name → value. */
  readonly headers: Readonly<Record<string, string>>;
}

function errorKind(error: NodeJS.ErrnoException): string {
  if (error.name === 'TimeoutError' || error.name === 'AbortError' || error.code === 'ETIMEDOUT') return 'timeout';
  if (error.code === 'ECONNREFUSED') return 'refused';
  if (error.code === 'ECONNRESET' || error.code === 'EPIPE') return 'reset';
  return error.code ?? error.name;
}

/** Sends one chat-completion request with Node's own HTTP client and reads the whole answer. */
function send(plan: LoadPlan, requestId: string): Promise<RequestOutcome> {
  const body = JSON.stringify({ model: plan.model, messages: [{ role: 'user', content: plan.prompt }], max_tokens: plan.maxTokens, stream: plan.stream });
  const started = performance.now();
  const client = plan.url.protocol === 'https:' ? https : http;
  return new Promise((resolve) => {
    const finish = (status: number | undefined, error: string | undefined, endpoint?: string) =>
      resolve({ requestId, status, error, latencyMs: performance.now() - started, endpoint });
    const request = client.request(
      plan.url,
      {
        method: 'POST',
        signal: AbortSignal.timeout(plan.timeoutMs),
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...plan.headers, 'x-request-id': requestId },
      },
      (response) => {
        response.resume();
        response.on('end', () => {
          const endpoint = response.headers['x-gateway-destination-endpoint'];
          finish(response.statusCode, undefined, Array.isArray(endpoint) ? endpoint[0] : endpoint);
        });
        response.on('error', (error) => finish(response.statusCode, errorKind(error)));
      },
    );
    request.on('error', (error) => finish(undefined, errorKind(error)));
    request.end(body);
  });
}

/**
 * Sends `requests` requests, `concurrency` at a time, each with its own x-request-id
 * (`instrument-<run>-<n>`), and reports each outcome as it comes.
 */
export async function runLoad(plan: LoadPlan, onOutcome?: (outcome: RequestOutcome, done: number) => void): Promise<RequestOutcome[]> {
  const run = randomBytes(3).toString('hex');
  const outcomes: RequestOutcome[] = [];
  let next = 0;
  const worker = async () => {
    while (next < plan.requests) {
      const n = ++next;
      const outcome = await send(plan, `instrument-${run}-${String(n).padStart(String(plan.requests).length, '0')}`);
      outcomes.push(outcome);
      onOutcome?.(outcome, outcomes.length);
    }
  };
  await Promise.all(Array.from({ length: Math.min(plan.concurrency, plan.requests) }, worker));
  return outcomes;
}

/** p-th percentile (nearest rank) of a list of numbers. */
export function percentile(values: readonly number[], p: number): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}
