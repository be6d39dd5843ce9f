import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SCENARIO } from '../../src/check/behaviour-fakes.ts';
import type { RefReport } from '../../src/check/verify.ts';
import { check } from '../../src/commands/check.ts';
import { POINT_IDS, type PointId } from '../../src/codemod/patch.ts';
import { editProfile, filterUndone, pickReplaced, rescaledScores } from '../helpers/behaviour-mutations.ts';
import { tempDir, type Shape } from '../helpers/fixtures.ts';
import { EVERY_SHAPE, makeUpstream } from '../helpers/upstream-repo.ts';

/**
 * `check --behaviour` against local upstreams built from the fixtures: every shape's patches
 * behave, and upstream changes that leave apply, build and vet green but make a point's values
 * wrong are caught. The changes are made to the fixture tree in a copy (our own words), so that
 * apply still "succeeds" on them.
 */

const env = (tmp: string) => ({ PATH: process.env.PATH!, HOME: process.env.HOME ?? '/root', TMPDIR: tmp, GOFLAGS: '-p=1' });

async function run(upstream: string, refs: readonly string[]): Promise<{ refs: RefReport[]; ok: boolean; tmp: string }> {
  const tmp = tempDir('instrument-check-tmp-');
  const report = await check({ cwd: tempDir(), upstream, refs, behaviour: true, jobs: 2, cacheDir: tempDir('instrument-cache-'), env: env(tmp) });
  return { refs: [...report.refs], ok: report.ok, tmp };
}

const statuses = (r: RefReport) => Object.fromEntries(POINT_IDS.map((p) => [p, r.behaviour?.[p]?.status]));
const everyOk = (naScheduler: boolean) =>
  Object.fromEntries(POINT_IDS.map((p) => [p, p.startsWith('server.') || (naScheduler && p.startsWith('scheduler.')) ? 'n/a' : 'ok']));

describe('instrument check --behaviour', () => {
  it('passes the patches on every upstream shape, and leaves its temporary folder empty', async () => {
    const upstream = makeUpstream(EVERY_SHAPE);
    const result = await run(upstream, EVERY_SHAPE.map((s) => s.ref));
    for (const r of result.refs) {
      const shape = EVERY_SHAPE.find((s) => s.ref === r.ref)!.tree.shape;
      // GIE v0.4's Scheduler takes a Datastore, which the test does not fake: the profile runs alone.
      expect(statuses(r), `${r.ref}: ${JSON.stringify(r.behaviour, null, 2)}`).toEqual(everyOk(shape === 'g040'));
      expect(Object.values(r.cells)).toEqual(POINT_IDS.map(() => 'ok'));
    }
    const g040 = result.refs.find((r) => r.ref === 'v0.4.0')!;
    expect(g040.behaviour!['scheduler.profile']!.detail).toMatch(/NewSchedulerWithConfig takes .*Datastore.*not the config alone/);
    expect(g040.behaviour!['server.request']!.detail).toContain('gRPC');
    expect(result.ok).toBe(true);
    expect(readdirSync(result.tmp)).toEqual([]);
  });

  it('catches values that compile but are wrong: rescaled scores, a filter undone later, a pick replaced later', async () => {
    const cases: ReadonlyArray<{ ref: string; shape: Shape; mutate: (dir: string) => void; point: PointId; says: RegExp }> = [
      { ref: 'v1.2.0-scores', shape: 'g12', mutate: rescaledScores('g12'), point: 'profile.scores', says: /scorer first: weight 2 and scores \{"behaviour\/ep-a":0\.125,.*the fake returned weight 2 and \{"behaviour\/ep-a":0\.25,/ },
      { ref: 'v1.2.0-filter', shape: 'g12', mutate: filterUndone('g12'), point: 'profile.filters', says: /the line leaves \["behaviour\/ep-a","behaviour\/ep-b","behaviour\/ep-c"\] after the filters, but the scorers were given \[.*"behaviour\/ep-d"\]/ },
      { ref: 'v1.2.0-pick', shape: 'g12', mutate: pickReplaced('g12'), point: 'profile.picked', says: /the pick is \["behaviour\/ep-c"\], the run returned \["behaviour\/ep-a"\]/ },
      { ref: 'router-scores', shape: 'lh', mutate: rescaledScores('lh'), point: 'profile.scores', says: /scorer first: weight 2 and scores/ },
      { ref: 'router-filter', shape: 'lh', mutate: filterUndone('lh'), point: 'profile.filters', says: /but the scorers were given/ },
      { ref: 'router-pick', shape: 'lh', mutate: pickReplaced('lh'), point: 'profile.picked', says: /the run returned \["behaviour\/ep-a"\]/ },
      { ref: 'v0.4.0-pick', shape: 'g040', mutate: pickReplaced('g040'), point: 'profile.picked', says: /the run returned \["behaviour\/ep-a"\]/ },
    ];
    const upstream = makeUpstream(cases.map((c) => ({ ref: c.ref, tree: { shape: c.shape, mutate: c.mutate } })));
    const result = await run(upstream, cases.map((c) => c.ref));
    expect(result.ok).toBe(false);
    for (const c of cases) {
      const r = result.refs.find((x) => x.ref === c.ref)!;
      // apply, build and vet see nothing wrong: only the behaviour does.
      expect(Object.values(r.cells), c.ref).toEqual(POINT_IDS.map(() => 'ok'));
      expect(r.behaviour![c.point], c.ref).toMatchObject({ status: 'failed', detail: expect.stringMatching(c.says) });
      // The points the change does not touch still pass.
      expect(r.behaviour!['profile.candidates']!.status, c.ref).toBe('ok');
    }
    expect(readdirSync(result.tmp)).toEqual([]);
  });

  it('fails the scheduling points, with go test\'s output, when the generated test cannot run through', async () => {
    // Upstream starts reading the endpoints' metrics, which the fakes leave nil: the run panics.
    const upstream = makeUpstream([{ ref: 'v1.2.0-metrics', tree: { shape: 'g12', mutate: editProfile('g12', (t) => t.replace(/^(\tpods := p\.runFilterPlugins\(.*\))$/m, '\t_ = candidatePods[0].GetMetrics().WaitingQueueSize\n$1')) } }]);
    const [r] = (await run(upstream, ['v1.2.0-metrics'])).refs;
    expect(Object.values(r!.cells)).toEqual(POINT_IDS.map(() => 'ok'));
    for (const point of POINT_IDS.filter((p) => !p.startsWith('server.'))) {
      expect(r!.behaviour![point]).toMatchObject({ status: 'failed', detail: expect.stringMatching(/^the generated behaviour test \(zz_instrument_behaviour\) did not run through:\n[^]*nil pointer dereference/) });
    }
  });

  it('uses a scenario whose pick is not the best total, so a line showing the best endpoint cannot pass', () => {
    const total = (e: string) => SCENARIO.scorers.reduce((sum, s) => sum + s.weight * s.scores[e as keyof typeof s.scores], 0);
    const kept = SCENARIO.endpoints.filter((e) => e !== SCENARIO.filter.drop);
    const best = kept.reduce((a, b) => (total(b) > total(a) ? b : a));
    expect(best).not.toBe(SCENARIO.picker.pick);
  });
});
