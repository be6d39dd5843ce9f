import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli.ts';
import { tempDir } from '../helpers/fixtures.ts';

// Reading from the cluster is tested against a real API server: test/cluster/logs.test.ts.

const line = (id: string, point: string, fields: object) => JSON.stringify({ level: 'info', ts: 1777190401.5, caller: 'x.go:1', msg: `instrument: ${point}`, 'x-request-id': id, point, ...fields });
const LOG = [
  line('r1', 'profile.candidates', { count: 2, endpoints: ['ns/a', 'ns/b'] }),
  line('r1', 'profile.picked', { picker: 'max-score-picker', picked: ['ns/a'], weightedScores: { 'ns/a': 2, 'ns/b': 1 } }),
  line('r1', 'server.selected', { endpoint: '10.0.0.1:8000', endpointName: 'ns/a' }),
].join('\n');

describe('instrument logs', () => {
  it('reads a file instead of the cluster, and checks --since as a Go duration', async () => {
    const cwd = tempDir();
    writeFileSync(join(cwd, 'epp.log'), LOG);
    const fromFile = await cli(['logs', '--file', 'epp.log', '--analyze', '--since', '1h30m'], { cwd });
    expect(fromFile.exitCode, fromFile.stderr).toBe(0);
    expect(fromFile.stdout).toContain('envoy ← 10.0.0.1:8000 (ns/a)');
    const bad = await cli(['logs', '--since', 'yesterday'], { cwd });
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toContain('--since "yesterday": expected a duration above 0 like 300ms, 30s, 5m or 1h30m');
  });
});
