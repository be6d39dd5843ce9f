import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli.ts';
import { createFakeCluster } from '../helpers/fake-cluster.ts';
import { tempDir } from '../helpers/fixtures.ts';

const line = (id: string, point: string, fields: object) => JSON.stringify({ level: 'info', ts: 1777190401.5, caller: 'x.go:1', msg: `instrument: ${point}`, 'x-request-id': id, point, ...fields });
const LOG = [
  line('r1', 'profile.candidates', { count: 2, endpoints: ['ns/a', 'ns/b'] }),
  line('r1', 'profile.picked', { picker: 'max-score-picker', picked: ['ns/a'], weightedScores: { 'ns/a': 2, 'ns/b': 1 } }),
  line('r1', 'server.selected', { endpoint: '10.0.0.1:8000', endpointName: 'ns/a' }),
].join('\n');

describe('instrument logs', () => {
  it('reads the EPP logs from the cluster, saves the raw lines and analyzes them', async () => {
    const fake = createFakeCluster({ resources: { 'deployment/llm-d-inference-scheduler/gaie-inference-scheduling-epp': { kind: 'Deployment' }, 'logs/llm-d-inference-scheduler/gaie-inference-scheduling-epp': LOG + '\n' } });
    const cwd = tempDir();
    const run = await cli(['logs', '--save', 'raw.log', '--analyze', '--json'], { cwd, env: fake.env });
    expect(run.exitCode, run.stderr).toBe(0);
    expect(fake.calls()).toEqual([['kubectl', 'logs', '-n', 'llm-d-inference-scheduler', 'deploy/gaie-inference-scheduling-epp', '--since=10m']]);
    expect(JSON.parse(run.stdout).requests[0]).toMatchObject({ requestId: 'r1', picked: ['ns/a'], envoyEndpoint: '10.0.0.1:8000' });
    expect(readFileSync(join(cwd, 'raw.log'), 'utf8')).toBe(LOG + '\n');

    const raw = await cli(['logs', '--since', '1h', '--follow'], { cwd, env: fake.env });
    expect(raw.stdout).toBe(LOG + '\n');
    expect(fake.calls().at(-1)).toEqual(['kubectl', 'logs', '-n', 'llm-d-inference-scheduler', 'deploy/gaie-inference-scheduling-epp', '--since=1h', '-f']);
  });

  it('reports a failing kubectl with its message, and reads a file instead', async () => {
    const fake = createFakeCluster({});
    const cwd = tempDir();
    const missing = await cli(['logs', '--deployment', 'nope'], { cwd, env: fake.env });
    expect(missing.exitCode).toBe(1);
    expect(missing.stderr).toContain('`kubectl logs -n llm-d-inference-scheduler deploy/nope --since=10m` failed (exit code 1)');
    expect(missing.stderr).toContain('NotFound');

    writeFileSync(join(cwd, 'epp.log'), LOG);
    const fromFile = await cli(['logs', '--file', 'epp.log', '--analyze'], { cwd });
    expect(fromFile.exitCode).toBe(0);
    expect(fromFile.stdout).toContain('envoy ← 10.0.0.1:8000 (ns/a)');
    expect((await cli(['logs', '--since', 'yesterday'], { cwd })).exitCode).toBe(2);
  });
});
