import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SCENARIO } from '../../src/check/behaviour-fakes.ts';
import type { RefReport } from '../../src/check/verify.ts';
import { check } from '../../src/commands/check.ts';
import { POINT_IDS, type PointId } from '../../src/codemod/patch.ts';
import { TARGET_FILES, tempDir, type Shape } from '../helpers/fixtures.ts';
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

/** Rewrites the profile file of a copied fixture; fails the test when the pattern is not there. */
function editProfile(shape: Shape, edit: (text: string) => string): (dir: string) => void {
  return (dir) => {
    const file = join(dir, TARGET_FILES[shape].profile);
    const before = readFileSync(file, 'utf8');
    const after = edit(before);
    if (after === before) throw new Error(`the mutation does not match ${TARGET_FILES[shape].profile} of ${shape}`);
    writeFileSync(file, after);
  };
}

/** The accumulation loop ranges over the scorer's scores halved in place: the line's "raw" scores are not the scorer's. */
const rescaledScores = (shape: Shape) =>
  editProfile(shape, (t) => t.replace(/^(\t+)for (\w+), score := range scores \{/m, '$1for key := range scores {\n$1\tscores[key] /= 2\n$1}\n$1for $2, score := range scores {'));

/** Right after a filter's result is assigned (where profile.filters records it), the tree puts the unfiltered list back. */
const filterUndone = (shape: Shape) =>
  editProfile(shape, (t) => {
    const input = /func \(p \*SchedulerProfile\) runFilterPlugins\(.*, (\w+) \[\][\w.]+\)/.exec(t)?.[1];
    return t.replace(/^(\t+)(filtered\w+) = filter\.Filter\((.*)\)$/m, `$1$2 = filter.Filter($3)\n$1$2 = ${input}`);
  });

/** After the picker (where profile.picked reads the result), the tree replaces the target with the first survivor. */
const pickReplaced = (shape: Shape) =>
  editProfile(shape, (t) => {
    const survivors = /^\t(\w+) := p\.runFilterPlugins\(/m.exec(t)?.[1];
    const field = /TargetEndpoints/.test(t) || shape === 'g15' || shape === 'lh' ? `TargetEndpoints = ${survivors}[:1]` : shape === 'g040' ? `TargetPod = ${survivors}[0]` : `TargetPods = ${survivors}[:1]`;
    return t.replace(/^(\t)(result := p\.runPickerPlugin\(.*\))$/m, `$1$2\n$1if result != nil {\n$1\tresult.${field}\n$1}`);
  });

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

  it('uses a scenario whose pick is not the best total, so a line showing the best endpoint cannot pass', () => {
    const total = (e: string) => SCENARIO.scorers.reduce((sum, s) => sum + s.weight * s.scores[e as keyof typeof s.scores], 0);
    const kept = SCENARIO.endpoints.filter((e) => e !== SCENARIO.filter.drop);
    const best = kept.reduce((a, b) => (total(b) > total(a) ? b : a));
    expect(best).not.toBe(SCENARIO.picker.pick);
  });
});
