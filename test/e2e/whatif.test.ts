import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { spawnCli } from '../helpers/cli.ts';
import { REPO } from '../helpers/fixtures.ts';

// examples/logs/demo-epp.log is a real capture: scripts/demo.sh with DEMO_SAVE_LOG set (20 requests
// through the instrumented example EPP, GIE v1.2.0 shape, on loopback). The test recomputes its
// picks on its own, straight from the JSON of the lines, and checks the built CLI says the same.

const LOG = join(REPO, 'examples', 'logs', 'demo-epp.log');
/** The same demo with the example EPP's activeRequestWeight set to 3 (a second real run). */
const LOG_ACTIVE_3 = join(REPO, 'examples', 'logs', 'demo-epp-active3.log');

interface Line {
  readonly 'x-request-id': string;
  readonly endpoints: string[];
  readonly scorers: Array<{ type: string; weight: number; scores: Array<number | null> }>;
  readonly totals: number[];
  readonly picked: string[];
}

/** The flips (request id → new pick) and the ties that new weights give, recomputed from the raw lines. */
const runsOf = (log: string) =>
  readFileSync(log, 'utf8')
    .split('\n')
    .filter((l) => l.includes('instrument: profile run'))
    .map((l) => JSON.parse(l.slice(l.indexOf('{'))) as Line);

/** Picks per endpoint, counted from the raw lines. */
function picksOf(log: string): Map<string, number> {
  const picks = new Map<string, number>();
  for (const run of runsOf(log)) picks.set(run.picked[0]!, (picks.get(run.picked[0]!) ?? 0) + 1);
  return picks;
}

function recompute(weights: Record<string, number>): { flips: Map<string, string>; ties: string[]; runs: number } {
  const runs = runsOf(LOG);
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
    expect(run.stdout).toContain('checked     20 profile runs: the logged weights and raw scores give the logged totals and picks');
    expect(run.stdout).toContain(`${expected.flips.size} of 20 profile runs change${expected.ties.length ? `, ${expected.ties.length} undetermined (${expected.ties.length} tie in the new totals)` : ''} (20 requests)`);
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

  it('--compare before (active ×2) and after (active ×3): the pick counts of both real runs, as the raw lines give them', async () => {
    const run = await spawnCli(['analyze', '--compare', LOG, LOG_ACTIVE_3, '--json'], { cwd: REPO });
    expect(run.exitCode, run.stderr).toBe(0);
    const doc = JSON.parse(run.stdout) as { profiles: Array<{ name: string; picks: Array<{ endpoint: string; counts: [number, number] }>; scorers: Array<{ scorer: string; weights: [number[], number[]] }> }> };
    expect(doc.profiles.map((p) => p.name)).toEqual(['default']);
    const [before, after] = [picksOf(LOG), picksOf(LOG_ACTIVE_3)];
    const endpoints = [...new Set([...before.keys(), ...after.keys()])].sort();
    expect(doc.profiles[0]!.picks).toEqual(endpoints.map((e) => ({ endpoint: e, counts: [before.get(e) ?? 0, after.get(e) ?? 0], shares: [(before.get(e) ?? 0) / 20, (after.get(e) ?? 0) / 20] })));
    expect(doc.profiles[0]!.scorers.find((s) => s.scorer === 'active-request-scorer')!.weights).toEqual([[2], [3]]);
    const text = await spawnCli(['analyze', '--compare', LOG, LOG, '--html', '/dev/null'], { cwd: REPO });
    expect(text.exitCode, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/^ {2}requests +20 +20 +0$/m);
  });
});
