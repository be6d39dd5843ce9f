import { execa, type ResultPromise } from 'execa';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { RequestRecord } from '../../src/analyze/model.ts';
import { makeBaseImages } from '../helpers/base-images.ts';
import { cli } from '../helpers/cli.ts';
import { REPO, treeSnapshot } from '../helpers/fixtures.ts';
import { exampleWorkspace, LLMD } from '../helpers/workspace.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';

const IMAGE = 'llm-d-inference-scheduler:local';

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as { port: number };
  await new Promise<void>((done) => server.close(() => done()));
  return port;
}

async function waitForPort(port: number, what: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const open = await new Promise<boolean>((done) => {
      const socket = createServer().listen(port, '127.0.0.1');
      socket.on('listening', () => socket.close(() => done(false)));
      socket.on('error', () => done(true));
    });
    if (open) return;
    if (Date.now() > deadline) throw new Error(`${what} did not listen on ${port}`);
    await new Promise((done) => setTimeout(done, 200));
  }
}

describe('the example workspace with a real Docker engine', () => {
  const env = { PATH: process.env.PATH!, HOME: process.env.HOME ?? '/root', DOCKER_HOST: inject('dockerHost') };
  let root: string;
  let pristine: Map<string, string>;

  const scratch = mkdtempSync(join(tmpdir(), 'instrument-example-'));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  beforeAll(async () => {
    const workspace = await exampleWorkspace(scratch);
    root = workspace.root;
    expect((await cli(['vendor', '--upstream', workspace.upstream], { cwd: root })).exitCode).toBe(0);
    pristine = treeSnapshot(root);
    expect((await cli(['apply'], { cwd: root })).exitCode).toBe(0);
    await makeBaseImages(env, join(root, LLMD));
  });

  it('instrument build makes an image whose EPP logs every point, run offline', async () => {
    const built = await cli(['build', '--json'], { cwd: root, env });
    expect(built.exitCode, built.stderr).toBe(0);
    const result = JSON.parse(built.stdout);
    expect(result).toMatchObject({ status: 'built', image: IMAGE, runtime: 'docker', dockerfile: { derived: true } });
    expect(result.imageId).toMatch(/^sha256:[0-9a-f]{64}$/);
    // The engine's output streamed through, as plain lines (stderr is not a terminal here).
    expect(built.stderr).toMatch(/^Step \d+\/\d+ : COPY _deps\/ _deps\/$/m);

    const ran = await execa('docker', ['run', '--rm', '--network', 'none', IMAGE, '--selftest', '3'], { env, reject: false });
    expect(ran.exitCode, ran.stderr).toBe(0);
    const ours = ran.stderr.split('\n').filter((l) => l.includes('\tinstrument: '));
    // Format 2 (docs/line-format.md), per request: one profile run (the example has one profile), the
    // decision, the request and the endpoint sent; the profile.* points record into the run's line.
    const writing = ['scheduler.profile', 'scheduler.decision', 'server.request', 'server.selected'];
    expect(ours).toHaveLength(3 * writing.length);
    for (const id of writing) {
      for (const request of ['selftest-1', 'selftest-2', 'selftest-3']) {
        expect(ours.filter((l) => l.includes(`"x-request-id": "${request}"`) && l.includes(`"point": "${id}"`)), `${id} ${request}`).toHaveLength(1);
      }
    }
    const run = ours.find((l) => l.includes('"point": "scheduler.profile"'))!;
    for (const field of ['profile', 'endpoints', 'filters', 'scorers', 'totals', 'picker', 'picked']) expect(run, field).toContain(`"${field}": `);
    expect(ran.stdout).toMatch(/^selftest request selftest-1 -> 10\.0\.0\.\d:8000$/m);
  });

  describe('traffic through a gateway, then logs and analyze', () => {
    const processes: ResultPromise[] = [];
    const container = `instrument-e2e-${process.pid}`;
    const bin = mkdtempSync(join(tmpdir(), 'instrument-rig-'));
    afterAll(async () => {
      for (const p of processes) p.kill('SIGTERM');
      await Promise.allSettled(processes);
      await execa('docker', ['rm', '-f', container], { env, reject: false });
      rmSync(bin, { recursive: true, force: true });
    });

    it('shows for all 20 requests the candidates, scores, a pick that is the highest total, the same endpoint sent to Envoy, and in-flight scores that move with concurrency', async () => {
      await execa('go', ['build', '-o', bin, './cmd/gateway', './cmd/model-server'], { cwd: join(REPO, 'examples', 'gateway') });
      const servers = await Promise.all(['vllm-a', 'vllm-b', 'vllm-c'].map(async (name) => ({ name, port: await freePort() })));
      for (const s of servers) {
        processes.push(execa(join(bin, 'model-server'), ['--listen', `127.0.0.1:${s.port}`, '--name', s.name, '--delay', '400ms'], { reject: false }));
      }
      const eppPort = await freePort();
      const endpoints = servers.map((s) => `${s.name}=127.0.0.1:${s.port}`).join(',');
      // The EPP runs in a container on the host's network, reaching the model servers on loopback.
      await execa('docker', ['run', '-d', '--name', container, '--network', 'host', IMAGE, '--grpc-port', String(eppPort), '--endpoints', endpoints], { env });
      const gatewayPort = await freePort();
      processes.push(execa(join(bin, 'gateway'), ['--listen', `127.0.0.1:${gatewayPort}`, '--epp', `127.0.0.1:${eppPort}`], { reject: false }));
      for (const [port, what] of [...servers.map((s) => [s.port, s.name] as const), [eppPort, 'the EPP'] as const, [gatewayPort, 'the gateway'] as const]) await waitForPort(port, what);

      const sent = await cli(['traffic', '--url', `http://127.0.0.1:${gatewayPort}/v1/chat/completions`, '--requests', '20', '--concurrency', '5', '--json'], { cwd: root });
      expect(sent.exitCode, sent.stdout).toBe(0);
      const traffic = JSON.parse(sent.stdout) as { byStatus: Record<string, number>; outcomes: Array<{ requestId: string; endpoint: string }> };
      expect(traffic.byStatus).toEqual({ '200': 20 });

      const captured = await cli(['logs', '--docker', container, '--save', join(scratch, 'epp.log'), '--analyze', '--json'], { cwd: root, env });
      expect(captured.exitCode, captured.stderr + captured.stdout.slice(-2000)).toBe(0);
      const analysis = JSON.parse(captured.stdout) as { requests: RequestRecord[]; summary: { problemsByKind: object; failuresByKind: object } };
      expect(analysis.summary.problemsByKind).toEqual({});
      expect(analysis.summary.failuresByKind).toEqual({});

      const byId = new Map(analysis.requests.map((r) => [r.requestId, r]));
      const activeValues = new Set<number>();
      for (const outcome of traffic.outcomes) {
        const r = byId.get(outcome.requestId);
        expect(r, outcome.requestId).toBeDefined();
        // One profile, named by the decision line (format 2) or the only run (format 1).
        const profile = r!.profiles[r!.primaryProfile!]!;
        expect(profile.candidates).toEqual(['llm-d/vllm-a-rank-0', 'llm-d/vllm-b-rank-0', 'llm-d/vllm-c-rank-0']);
        expect(profile.scorers.map((s) => [s.scorer, s.weight])).toEqual([
          ['active-request-scorer', 2],
          ['queue-scorer', 1],
        ]);
        const best = Math.max(...Object.values(profile.totals!));
        expect(profile.totals![r!.picked![0]!]).toBe(best);
        expect(r!.envoyEndpointName).toBe(r!.picked![0]);
        // The gateway's own routing header for this request id agrees with what the EPP logged.
        expect(r!.envoyEndpoint).toBe(outcome.endpoint);
        for (const v of Object.values(profile.scorers[0]!.scores)) activeValues.add(v);
      }
      // With five requests in flight the active-request scores leave 1 and come back.
      expect(activeValues.size).toBeGreaterThan(1);
      expect([...activeValues].some((v) => v < 1)).toBe(true);
    });
  });

  it('instrument revert leaves the workspace byte-identical', async () => {
    expect((await cli(['revert'], { cwd: root })).exitCode).toBe(0);
    expect(treeSnapshot(root)).toEqual(pristine);
  });
});
