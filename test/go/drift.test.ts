import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { KINDS } from '../../bench/drift/mutations.mjs';
import { runCase, SHAPES, type CaseResult } from '../../bench/drift/suite.mjs';
import { BIN } from '../helpers/cli.ts';

// The drift suite (bench/drift/README.md) in a size CI can afford: every kind once, each on the
// next shape in turn, so every shape gets a handful of kinds. `node bench/drift.mjs` runs them all.

const JOBS = 2;

async function pool<T, R>(items: T[], jobs: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: jobs }, async () => {
      while (next < items.length) out.push(await work(items[next++]!));
    }),
  );
  return out;
}

/** One kind on the shape of its turn, or on the next shapes when that one lacks its anchor or the change does not build there. */
async function runKindOnce(index: number): Promise<CaseResult> {
  const kind = KINDS[index]!.id;
  let last: CaseResult | undefined;
  for (let step = 0; step < SHAPES.length; step++) {
    last = await runCase({ shape: SHAPES[(index + step) % SHAPES.length]!, kind, instrument: BIN });
    if (last.outcome !== 'n/a' && last.outcome !== 'invalid') return last;
  }
  return last!;
}

describe('the drift suite', () => {
  it('has at least 40 kinds of change, each saying what it changes, in a file apply edits', () => {
    expect(KINDS.length).toBeGreaterThanOrEqual(40);
    expect(new Set(KINDS.map((k) => k.id)).size).toBe(KINDS.length);
    for (const kind of KINDS) {
      expect(['profile', 'scheduler', 'server']).toContain(kind.file);
      expect(kind.about.length).toBeGreaterThan(10);
    }
  });

  it('classifies a wrong value planted in a patched block as silent wrong', async () => {
    // apply, then make profile.scores log the totals map instead of the scorer's own scores
    const planted = await runCase({
      shape: 'g12',
      kind: 'rename-scores-local',
      instrument: BIN,
      afterApply: (dir) => {
        const path = join(dir, 'pkg/epp/scheduling/framework/scheduler_profile.go');
        const source = readFileSync(path, 'utf8');
        const wrong = source.replace('for instrEndpoint, instrScore := range raw {', 'for instrEndpoint, instrScore := range weightedScorePerPod {');
        expect(wrong).not.toBe(source);
        writeFileSync(path, wrong);
      },
    });
    expect(planted.outcome, planted.reason).toBe('silent-wrong');
    expect(planted.reason).toMatch(/^profile\.scores req-1 /);
  });

  it('runs every kind once: each is refused or correct, none silent wrong', async () => {
    const results = await pool(
      KINDS.map((_, i) => i),
      JOBS,
      runKindOnce,
    );
    const byOutcome = (o: string) => results.filter((r) => r.outcome === o);
    const table = results.map((r) => `${r.kind} on ${r.shape}: ${r.outcome}${r.reason ? ` (${r.reason.slice(0, 300)})` : ''}`).join('\n');
    console.log(`drift subset: ${results.length} cases, ${byOutcome('correct').length} correct, ${byOutcome('refused').length} refused, ${byOutcome('silent-wrong').length} silent wrong, ${byOutcome('invalid').length} invalid`);
    expect(byOutcome('silent-wrong'), table).toEqual([]);
    expect(byOutcome('broken'), table).toEqual([]);
    expect(byOutcome('error'), table).toEqual([]);
    // a mutation that no longer builds or no shape can take is a fault of the suite, not of apply
    expect(byOutcome('invalid').concat(byOutcome('n/a')), table).toEqual([]);
    expect(byOutcome('correct').length).toBeGreaterThan(10);
    expect(byOutcome('refused').length).toBeGreaterThan(0);
    expect(new Set(results.map((r) => r.shape)).size).toBe(SHAPES.length);
  });
});
