import { ExitCode } from '../../exit-codes.ts';
import { defineCommand, json } from './define.ts';
import { collect, configRoot, duration, integer, jsonOutput } from './options.ts';

export default defineCommand<{
  root?: string;
  url?: string;
  model?: string;
  prompt?: string;
  requests?: number;
  concurrency?: number;
  timeout?: number;
  header?: string[];
  stream?: boolean;
  save?: string;
  json?: boolean;
}>({
  name: 'traffic',
  summary: 'send concurrent chat-completion requests through the gateway, each with its own x-request-id, and report statuses and latencies',
  description:
    'Send concurrent chat-completion requests through the gateway, each with its own x-request-id (so log lines join to requests), and report the count per HTTP status and per error kind, latencies, and the endpoints the gateway routed to. Exits 1 if any request failed.',
  options: [
    configRoot,
    { flags: '--url <url>', description: 'the endpoint (default http://127.0.0.1:18080/v1/chat/completions)', complete: 'none' },
    { flags: '--model <model>', description: 'the model (default Qwen/Qwen3-Coder-30B-A3B-Instruct)', complete: 'none' },
    { flags: '--prompt <text>', description: 'the one user message (default hello)', complete: 'none' },
    { flags: '--requests <n>', description: 'how many requests (default 20)', parse: integer, complete: 'none' },
    { flags: '--concurrency <n>', description: 'how many at a time (default 5)', parse: integer, complete: 'none' },
    { flags: '--timeout <duration>', description: 'per request, a Go duration: 25s, 2m, 1m30s; a bare number is seconds (default 25s)', parse: duration, complete: 'none' },
    { flags: '--header <"Name: value">', description: 'extra request header (repeatable)', parse: collect, complete: 'none' },
    { flags: '--stream', description: 'ask for a streamed (SSE) answer' },
    { flags: '--save <file>', description: "write each request's outcome (request id, status, latency) as JSON lines" },
    jsonOutput,
  ],
  examples: [
    { description: 'Forward the gateway to the default address first, then send 20 requests, 5 at a time', command: 'kubectl port-forward -n llm-d-inference-scheduler svc/<gateway> 18080:80 &\n  instrument traffic' },
    { description: '200 streamed requests, 20 at a time, 2 minutes each at most, outcomes kept', command: 'instrument traffic --requests 200 --concurrency 20 --stream --timeout 2m --save outcomes.jsonl' },
  ],
  async run({ io, style, flags }) {
    const { traffic, allSucceeded } = await import('../traffic.ts');
    const { renderTraffic } = await import('../../reporters/traffic.ts');
    const live = io.interactive === true && !flags.json;
    const result = await traffic({
      cwd: io.cwd,
      root: flags.root,
      url: flags.url,
      model: flags.model,
      prompt: flags.prompt,
      requests: flags.requests,
      concurrency: flags.concurrency,
      timeoutMs: flags.timeout,
      headers: flags.header,
      stream: flags.stream,
      save: flags.save,
      onOutcome: live ? (_, done, total) => io.stderr(`\r\x1b[K${done}/${total} done`) : undefined,
    });
    if (live) io.stderr('\r\x1b[K');
    const rendered = renderTraffic(result, style);
    // The hint goes to stderr with --json too: stdout holds the document alone.
    return { rendered: flags.json ? { ...json(result), stderr: rendered.stderr } : rendered, exitCode: allSucceeded(result) ? ExitCode.ok : ExitCode.failed };
  },
});
