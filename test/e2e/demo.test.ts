import { execa } from 'execa';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO } from '../helpers/fixtures.ts';

describe('the README main job (scripts/demo.sh)', () => {
  it('vendors, applies, compiles, logs every point for one request, analyzes 20 requests through a gateway, and reverts byte for byte', async () => {
    const run = await execa('bash', [join(REPO, 'scripts', 'demo.sh')], { reject: false, all: true });
    expect(run.exitCode, run.all).toBe(0);
    const lines = run.stdout.split('\n');
    // Format 2 (docs/line-format.md): these points write lines; the profile.* points record into the run's line.
    const mine = (id: string) => lines.filter((l) => l.includes('"x-request-id": "selftest-1"') && l.includes(`"point": "${id}"`));
    for (const id of ['scheduler.profile', 'scheduler.decision', 'server.request', 'server.selected']) expect(mine(id), id).toHaveLength(1);
    for (const field of ['profile', 'endpoints', 'filters', 'scorers', 'totals', 'picker', 'picked']) expect(mine('scheduler.profile')[0], field).toContain(`"${field}": `);
    expect(run.stdout).toMatch(/^@@ .* @@ profile\.candidates$/m);
    expect(run.stdout).toContain('applied      workspace.replace');
    // The scoring analysis on loopback: all 20 requests answered, read back with no problem.
    expect(run.stdout).toMatch(/^ {2}status {4}200 ×20$/m);
    expect(run.stdout).toMatch(/^ {2}requests {2}20 \(20 with a pick, \d+ ties\)/m);
    expect(run.stdout).toMatch(/^ {2}problems {2}none$/m);
    expect(run.stdout).toMatch(/^ {2}active-request-scorer: n=60 /m);
    // The what-if on the same log (issue 17): every logged total reproduced, then recomputed.
    expect(run.stdout).toMatch(/^ {2}checked {5}20 profile runs: the logged weights and raw scores give the logged totals and picks$/m);
    expect(run.stdout).toMatch(/every file is byte-identical to before apply \(\d+ files checked\)/);
  });
});
