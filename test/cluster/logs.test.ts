import { execa } from 'execa';
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, cli } from '../helpers/cli.ts';
import { tempDir } from '../helpers/fixtures.ts';
import { clusterEnv, controlPlane, createEpp, DEPLOYMENT } from '../helpers/epp-cluster.ts';

// logs against a real API server: kubectl logs goes through it to kwok's kubelet API, which
// answers from a file of CRI lines (ClusterLogs, test/helpers/control-plane.ts).

const line = (id: string, point: string, fields: object) => JSON.stringify({ level: 'info', ts: Date.now() / 1000, caller: 'x.go:1', msg: `instrument: ${point}`, 'x-request-id': id, point, ...fields });
const request = (id: string, pick = 'ns/a') => [
  line(id, 'profile.candidates', { count: 2, endpoints: ['ns/a', 'ns/b'] }),
  line(id, 'profile.picked', { picker: 'max-score-picker', picked: [pick], weightedScores: { 'ns/a': 2, 'ns/b': 1 } }),
  line(id, 'server.selected', { endpoint: '10.0.0.1:8000', endpointName: pick }),
];
/** The container's lines as the runtime writes them and kwok serves them. */
const cri = (lines: string[]) => lines.map((l) => `${new Date().toISOString()} stdout F ${l}\n`).join('');

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

async function until(what: string, check: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

describe('instrument logs', () => {
  it('reads the EPP logs through the API server, saves the raw lines and analyzes them', async () => {
    const ns = await createEpp();
    const raw = request('r1');
    writeFileSync(controlPlane().logsFile, cri(raw));
    const cwd = tempDir();
    const result = await cli(['logs', '--namespace', ns, '--since', '1h30m', '--save', 'raw.log', '--analyze', '--json'], { cwd, env: clusterEnv() });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout).requests).toEqual([expect.objectContaining({ requestId: 'r1', picked: ['ns/a'], envoyEndpoint: '10.0.0.1:8000' })]);
    expect(readFileSync(join(cwd, 'raw.log'), 'utf8')).toBe(raw.join('\n') + '\n');
  });

  it('says the kubelet cannot be reached when the API server cannot get to the node, printing kubectl\'s error once', async () => {
    const ns = await createEpp({ onUnreachableNode: true });
    const result = await cli(['logs', '--namespace', ns], { cwd: tempDir(), env: clusterEnv() });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain(`\`kubectl logs -n ${ns} deploy/${DEPLOYMENT} --since=10m\` failed (exit code 1)`);
    expect(result.stderr).toMatch(/containerLogs\/.*connection refused/);
    expect(result.stderr.match(/containerLogs\//g)).toHaveLength(1);
    expect(result.stderr).toContain('could not reach the kubelet of the pod\'s node');
    expect(result.stderr).not.toContain('Check the namespace');
  });

  it('blames the names when the Deployment does not exist, with --kubeconfig and --context passed on', async () => {
    const { kubeconfig } = controlPlane();
    const result = await cli(['logs', '--namespace', 'default', '--deployment', 'nope', '--kubeconfig', kubeconfig, '--context', 'admin'], { cwd: tempDir(), env: clusterEnv({ KUBECONFIG: '/nonexistent' }) });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain(`\`kubectl --kubeconfig ${kubeconfig} --context admin logs -n default deploy/nope --since=10m\` failed`);
    expect(result.stderr).toContain('deployments.apps "nope" not found');
  });

  it('logs -f --analyze into a pipe writes each request as it completes; SIGTERM flushes and prints the summary', async () => {
    const ns = await createEpp();
    const { logsFile } = controlPlane();
    writeFileSync(logsFile, cri(request('f1')));
    const child = execa(process.execPath, [BIN, 'logs', '-f', '--analyze', '--namespace', ns], { env: { ...clusterEnv(), NO_COLOR: '1' }, extendEnv: false, reject: false, stdin: 'ignore' });
    let out = '';
    child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
    // Answered requests complete after 2 s without news: the first row comes while kubectl still follows.
    await until('the first request in the pipe', () => out.includes('f1'));
    expect(out).not.toContain('summary');
    appendFileSync(logsFile, cri(request('f2')));
    await until('the second request in the pipe', () => out.includes('f2'));
    // One that is not answered yet stays open; the signal completes it and prints the summary.
    appendFileSync(logsFile, cri(request('f3').slice(0, 2)));
    await sleep(1500);
    expect(out).not.toContain('f3');
    child.kill('SIGTERM');
    const result = await child;
    expect(result.exitCode, result.stderr).toBe(0);
    expect(out).toContain('f3');
    expect(out).toMatch(/summary\n  requests  3 \(/);
    expect(out.indexOf('f1')).toBeLessThan(out.indexOf('f2'));
  });

  it('analyze --follow on a pipe writes rows as they complete; SIGINT prints the summary and exits with the usual code', async () => {
    const child = execa(process.execPath, [BIN, 'analyze', '--follow'], { env: { PATH: process.env.PATH ?? '', NO_COLOR: '1' }, extendEnv: false, reject: false, stdin: 'pipe' });
    let out = '';
    child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
    child.stdin!.write(request('p1').join('\n') + '\n');
    await until('the first row', () => out.includes('p1'));
    // A pick that is not the highest total is a problem: analyze's usual exit code 1.
    child.stdin!.write(request('p2').join('\n') + '\n');
    child.stdin!.write(line('p3', 'profile.picked', { picker: 'max-score-picker', picked: ['ns/b'], weightedScores: { 'ns/a': 5, 'ns/b': 1 } }) + '\n');
    await sleep(500);
    child.kill('SIGINT');
    const result = await child;
    expect(out).toContain('p3');
    expect(out).toMatch(/summary\n  requests  3 \(/);
    expect(out).toContain('pick-not-highest');
    expect(result.exitCode).toBe(1);
  });
});
