import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { spawnCli } from '../helpers/cli.ts';
import { REPO } from '../helpers/fixtures.ts';

// examples/logs/demo-epp.log is a real capture: scripts/demo.sh with DEMO_SAVE_LOG set (20 requests
// through the instrumented example EPP, GIE v1.2.0 shape, on loopback). The test recomputes its
// picks on its own, straight from the JSON of the lines, and checks the built CLI says the same.

const LOG = join(REPO, 'examples', 'logs', 'demo-epp.log');

interface Line {
  readonly 'x-request-id': string;
  readonly endpoints: string[];
  readonly scorers: Array<{ type: string; weight: number; scores: Array<number | null> }>;
  readonly totals: number[];
  readonly picked: string[];
}

/** The flips (request id → new pick) and the ties that new weights give, recomputed from the raw lines. */
function recompute(weights: Record<string, number>): { flips: Map<string, string>; ties: string[]; runs: number } {
  const runs = readFileSync(LOG, 'utf8')
    .split('\n')
    .filter((l) => l.includes('instrument: profile run'))
    .map((l) => JSON.parse(l.slice(l.indexOf('{'))) as Line);
  const flips = new Map<string, string>();
  const ties: string[] = [];
  for (const run of runs) {
    const totals = run.endpoints.map((_, i) => run.scorers.reduce((sum, s) => sum + Math.min(1, Math.max(0, s.scores[i] ?? 0)) * (weights[s.type] ?? s.weight), 0));
    const best = Math.max(...totals);
    const top = run.endpoints.filter((_, i) => Math.abs(totals[i]! - best) < 1e-9);
    if (top.length > 1) ties.push(run['x-request-id']);
    else if (top[0] !== run.picked[0]) flips.set(run['x-request-id'], top[0]!);
  }
  return { flips, ties, runs: runs.length };
}

describe('analyze --weights on the captured demo run (built CLI)', () => {
  it('active-request-scorer=3: every logged total reproduced, and the picks that change are the ones recomputed from the raw lines', async () => {
    const expected = recompute({ 'active-request-scorer': 3 });
    expect(expected.runs).toBe(20);
    const run = await spawnCli(['analyze', '--weights', 'active-request-scorer=3', LOG], { cwd: REPO });
    expect.soft(run.stderr).toBe('');
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toContain('weight      default: active-request-scorer 2 → 3');
    expect(run.stdout).toContain('every logged total and pick reproduced');
    expect(run.stdout).toContain(`${expected.flips.size} of 20 profile runs change${expected.ties.length ? `, ${expected.ties.length} left to a tie` : ''} (20 requests)`);
    for (const [id, to] of expected.flips) expect(run.stdout).toMatch(new RegExp(`^  ${id} +default\\* +\\S+ → ${to} `, 'm'));
  });

  it('queue-scorer=3 in --json: the same flips, request by request', async () => {
    const expected = recompute({ 'queue-scorer': 3 });
    expect(expected.flips.size).toBeGreaterThan(0);
    const run = await spawnCli(['analyze', '--weights', 'queue-scorer=3', '--json', LOG], { cwd: REPO });
    expect(run.exitCode, run.stderr).toBe(0);
    const doc = JSON.parse(run.stdout) as { version: number; flips: Array<{ requestId: string; to: string[] }>; undeterminedRuns: Array<{ requestId: string }> };
    expect(doc.version).toBe(1);
    expect(new Map(doc.flips.map((f) => [f.requestId, f.to[0]]))).toEqual(expected.flips);
    expect(doc.undeterminedRuns.map((u) => u.requestId)).toEqual(expected.ties);
  });

  it('--compare of the run with itself: no difference anywhere', async () => {
    const run = await spawnCli(['analyze', '--compare', LOG, LOG, '--json'], { cwd: REPO });
    expect(run.exitCode, run.stderr).toBe(0);
    const doc = JSON.parse(run.stdout) as { profiles: Array<{ picks: Array<{ counts: [number, number] }> }> };
    const picks = doc.profiles[0]!.picks;
    expect(picks.reduce((n, p) => n + p.counts[0], 0)).toBe(20);
    for (const p of picks) expect(p.counts[1]).toBe(p.counts[0]);
  });
});
