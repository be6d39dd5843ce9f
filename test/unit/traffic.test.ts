import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { cli } from '../helpers/cli.ts';
import { tempDir } from '../helpers/fixtures.ts';

/** A local HTTP server that records what it receives and how many requests were in flight at most. */
async function server(handle: (request: IncomingMessage, body: string, response: ServerResponse) => void) {
  const seen: Array<{ headers: IncomingMessage['headers']; body: string; url: string | undefined }> = [];
  let inFlight = 0;
  let mostInFlight = 0;
  const http: Server = createServer((request, response) => {
    let body = '';
    inFlight++;
    mostInFlight = Math.max(mostInFlight, inFlight);
    response.on('close', () => inFlight--);
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => {
      seen.push({ headers: request.headers, body, url: request.url });
      handle(request, body, response);
    });
  });
  await new Promise<void>((done) => http.listen(0, '127.0.0.1', done));
  onTestFinished(() => new Promise<void>((done) => (http.closeAllConnections(), http.close(() => done()))));
  const { port } = http.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/v1/chat/completions`, seen, mostInFlight: () => mostInFlight };
}

describe('instrument traffic', () => {
  it('sends the requests concurrently, each with its own x-request-id, and reports statuses and latencies', async () => {
    const target = await server((_, __, response) => setTimeout(() => response.writeHead(200, { 'x-gateway-destination-endpoint': '10.0.0.1:8000' }).end('{}'), 80));
    const cwd = tempDir();
    const run = await cli(['traffic', '--url', target.url, '--requests', '20', '--concurrency', '5', '--header', 'Authorization: Bearer t', '--save', 'out.jsonl', '--json'], { cwd });
    expect(run.exitCode, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout);
    expect(result).toMatchObject({ requests: 20, concurrency: 5, byStatus: { '200': 20 }, byError: {}, byEndpoint: { '10.0.0.1:8000': 20 } });
    expect(result.latencyMs.p50).toBeGreaterThanOrEqual(80);
    expect(result.latencyMs.max).toBeGreaterThanOrEqual(result.latencyMs.p95);
    expect(target.mostInFlight()).toBe(5);
    const ids = target.seen.map((s) => s.headers['x-request-id']);
    expect(new Set(ids).size).toBe(20);
    expect(target.seen[0]!.headers.authorization).toBe('Bearer t');
    expect(JSON.parse(target.seen[0]!.body)).toEqual({ model: 'Qwen/Qwen3-Coder-30B-A3B-Instruct', messages: [{ role: 'user', content: 'hello' }], max_tokens: 8, stream: false });
    const saved = readFileSync(join(cwd, 'out.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(saved.map((o) => o.requestId).sort()).toEqual([...ids].sort());
  });

  it('counts statuses and error kinds, and exits 1 when requests fail', async () => {
    let n = 0;
    const flaky = await server((_, __, response) => response.writeHead(n++ % 2 === 0 ? 200 : 503).end());
    const mixed = await cli(['traffic', '--url', flaky.url, '--requests', '6', '--json'], { cwd: tempDir() });
    expect(mixed.exitCode).toBe(1);
    expect(JSON.parse(mixed.stdout).byStatus).toEqual({ '200': 3, '503': 3 });

    const refused = await cli(['traffic', '--url', 'http://127.0.0.1:9/v1/chat/completions', '--requests', '3', '--json'], { cwd: tempDir() });
    expect(refused.exitCode).toBe(1);
    expect(JSON.parse(refused.stdout).byError).toEqual({ refused: 3 });

    const silent = await server(() => undefined);
    const timeout = await cli(['traffic', '--url', silent.url, '--requests', '2', '--timeout', '1'], { cwd: tempDir() });
    expect(timeout.exitCode).toBe(1);
    expect(timeout.stdout).toContain('errors    timeout ×2');
  });

  it('asks for a streamed answer with --stream and reads it to the end', async () => {
    const sse = await server((_, __, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.write('data: {"x":1}\n\n');
      setTimeout(() => response.end('data: [DONE]\n\n'), 50);
    });
    const run = await cli(['traffic', '--url', sse.url, '--requests', '2', '--stream', '--json'], { cwd: tempDir() });
    expect(run.exitCode).toBe(0);
    expect(JSON.parse(sse.seen[0]!.body).stream).toBe(true);
    expect(JSON.parse(run.stdout).latencyMs.p50).toBeGreaterThanOrEqual(50);
  });

  it('rejects bad flags with exit 2', async () => {
    for (const args of [['--url', 'ftp://x'], ['--requests', '0'], ['--header', 'no colon']]) {
      expect((await cli(['traffic', ...args], { cwd: tempDir() })).exitCode).toBe(2);
    }
  });
});
