import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { Analyzer } from '../../src/analyze/analyzer.ts';
import type { RequestRecord } from '../../src/analyze/model.ts';
import { maxScorePick, parseWeights, whatIf, type WhatIfReport } from '../../src/analyze/whatif.ts';
import { OperationError, UsageError } from '../../src/errors.ts';
import { cli } from '../helpers/cli.ts';
import { ALL, DECODE_FILTER, EppLog, PREFILL_FILTER, runProfile, type RunSpec, type ScorerSpec } from '../helpers/epp-log.ts';

// Fixture logs whose recomputation is worked out by hand (or by the helper's own model of the EPP,
// run again with the new weights), read back through the analyzer, then recomputed.

const A = 'llm-d/decode-a';
const B = 'llm-d/decode-b';
const C = 'llm-d/decode-c';
const DECODE = [A, B, C];

function records(log: EppLog): RequestRecord[] {
  const out: RequestRecord[] = [];
  const analyzer = new Analyzer({ onRequest: (r) => out.push(r) });
  for (const line of log.lines) analyzer.push(line);
  analyzer.finish();
  return out;
}

const table = (scores: Record<string, number | undefined>) => (e: string) => scores[e];
const scorer = (type: string, weight: number, scores: Record<string, number | undefined>, name = type): ScorerSpec => ({ type, name, weight, score: table(scores) });

/** One request per spec, each a single-profile (`default`) run, in format 2. */
function logOf(specs: ReadonlyArray<Omit<RunSpec, 'profile' | 'round'>>, encoder: 'console' | 'json' = 'console'): EppLog {
  const log = new EppLog(encoder);
  specs.forEach((spec, n) => {
    const id = `req-${n + 1}`;
    const run = runProfile({ profile: 'default', round: 1, candidates: DECODE, ...spec });
    log.profileRun(id, run).decision(id, [{ name: 'default', status: 'ok', round: 1 }], 'default');
  });
  return log;
}

/** The worked example: A's raw score for C is −1 (clamped to 0 from GIE v1.0 on). */
const RAW_A = { [A]: 1, [B]: 0.8, [C]: -1 };
const RAW_B = { [A]: 0, [B]: 0.5, [C]: 1 };
const worked = (clamp: boolean) => [{ clamp, scorers: [scorer('active-request-scorer', 2, RAW_A), scorer('queue-scorer', 1, RAW_B)] }];

function expectRefusal(run: () => unknown, pattern: RegExp): void {
  let thrown: unknown;
  try {
    run();
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(OperationError);
  expect((thrown as Error).message).toMatch(pattern);
}

describe('what-if weights: the arithmetic per shape', () => {
  it('a clamping log (GIE v1.0 on): the totals add up only with C clamped to 0, and weights 1/3 move the pick from B to C', () => {
    // Logged: A = 1×2 + 0 = 2, B = 0.8×2 + 0.5 = 2.1, C = 0×2 + 1 = 1 → B. What-if: A = 1, B = 0.8 + 1.5 = 2.3, C = 0 + 3 = 3 → C.
    const report = whatIf(records(logOf(worked(true))), parseWeights(['active-request-scorer=1,queue-scorer=3']));
    expect(report.shape).toEqual({ arithmetic: 'clamped', weightType: 'unknown' });
    expect(report.flips).toEqual([
      { requestId: 'req-1', profile: 'default', primary: true, from: [B], to: [C], loggedMargin: expect.closeTo(0.1, 9), whatIfMargin: expect.closeTo(0.7, 9), totals: { from: [expect.closeTo(2.1, 9), expect.closeTo(2.3, 9)], to: [1, 3] } },
    ]);
    expect(report.profiles.default).toMatchObject({ recomputed: 1, changed: 1, undetermined: 0, logged: { [B]: 1 }, whatIf: { [C]: 1 }, gained: { [C]: 1 }, lost: { [B]: 1 } });
  });

  it('the same raw scores in a GIE v0.4/v0.5 log (no clamping): other logged totals, another arithmetic, another answer', () => {
    // Logged: A = 2, B = 2.1, C = −2 + 1 = −1 → B. What-if: A = 1, B = 2.3, C = −1 + 3 = 2 → B stays.
    const report = whatIf(records(logOf(worked(false))), parseWeights(['active-request-scorer=1', 'queue-scorer=3']));
    expect(report.shape).toEqual({ arithmetic: 'unclamped', weightType: 'int' });
    expect(report.changed).toBe(0);
    expect(report.profiles.default!.whatIf).toEqual({ [B]: 1 });
    // And a raw score above 1: a clamping EPP counts 1.6 as 1.
    const high = [{ clamp: true, scorers: [scorer('active-request-scorer', 1, { [A]: 1.6, [B]: 0.9, [C]: 0 }), scorer('queue-scorer', 1, { [A]: 0, [B]: 0.2, [C]: 0 })] }];
    // Logged clamped: A = 1, B = 1.1 → B. What-if active ×3: A = 3, B = 2.9 → A (unclamped would be 4.8 → A too, but the margin says which).
    const clamped = whatIf(records(logOf(high)), parseWeights(['active-request-scorer=3']));
    expect(clamped.shape.arithmetic).toBe('clamped');
    expect(clamped.flips[0]).toMatchObject({ from: [B], to: [A], whatIfMargin: expect.closeTo(0.1, 9) });
  });

  it('weights: a fraction is refused where they are ints (unclamped totals prove GIE v0.4/v0.5), noted where the lines do not say, and plain where a logged weight has one', () => {
    expect(() => whatIf(records(logOf(worked(false))), parseWeights(['queue-scorer=1.5']))).toThrow(UsageError);
    expect(() => whatIf(records(logOf(worked(false))), parseWeights(['queue-scorer=1.5']))).toThrow(/whole numbers/);
    const unknown = whatIf(records(logOf(worked(true))), parseWeights(['queue-scorer=1.5']));
    expect(unknown.shape.weightType).toBe('unknown');
    expect(unknown.notes.join(' ')).toMatch(/float64.*GIE after v1\.3\.1/);
    // A logged weight of 0.5: float64 weights (GIE after v1.3.1).
    const float = whatIf(records(logOf([{ clamp: true, scorers: [scorer('active-request-scorer', 0.5, RAW_A), scorer('queue-scorer', 1, RAW_B)] }])), parseWeights(['queue-scorer=0.25']));
    expect(float.shape.weightType).toBe('float');
    expect(float.notes.some((n) => n.includes('float64'))).toBe(false);
    // Logged: A = 0.5, B = 0.9, C = 1 → C; what-if queue ×0.25: A = 0.5, B = 0.525, C = 0.25 → B.
    expect(float.flips[0]).toMatchObject({ from: [C], to: [B] });
  });
});

describe('what-if weights: ties', () => {
  it('a tie in the new totals leaves the pick undetermined (not a flip); a logged tie is counted as one', () => {
    // Request 1: A = 1×2 + 0 = 2, B = 0.5×2 + 0.5 = 1.5 → A; with active ×1: A = 1, B = 1, a tie.
    // Request 2: all scores 1, a logged tie (the EPP chose A at random); with active ×1 still a tie.
    // Request 3: A = 0, B = 2×0.5 + 0.5 = 1.5 → B; with active ×1: B = 1, A = 0 → B stays.
    const log = logOf([
      { scorers: [scorer('active-request-scorer', 2, { [A]: 1, [B]: 0.5, [C]: 0 }), scorer('queue-scorer', 1, { [A]: 0, [B]: 0.5, [C]: 0 })] },
      { scorers: [scorer('active-request-scorer', 2, { [A]: 1, [B]: 1, [C]: 1 }), scorer('queue-scorer', 1, { [A]: 1, [B]: 1, [C]: 1 })] },
      { scorers: [scorer('active-request-scorer', 2, { [A]: 0, [B]: 0.5, [C]: 0 }), scorer('queue-scorer', 1, { [A]: 0, [B]: 0.5, [C]: 0 })] },
    ]);
    const report = whatIf(records(log), parseWeights(['active-request-scorer=1']));
    expect(report.changed).toBe(0);
    expect(report.flips).toEqual([]);
    expect(report.undeterminedRuns).toEqual([
      { requestId: 'req-1', profile: 'default', reason: 'new-tie', from: [A], to: undefined, tied: [A, B], total: 1 },
      { requestId: 'req-2', profile: 'default', reason: 'new-tie', from: [A], to: undefined, tied: [A, B, C], total: 2 },
    ]);
    expect(report.profiles.default).toMatchObject({ recomputed: 3, loggedTies: 1, undetermined: 2, newTies: 2, logged: { [A]: 2, [B]: 1 }, whatIf: { [B]: 1 }, gained: {}, lost: {} });
  });

  it('a logged tie: a new pick among the endpoints that tied is undetermined (the EPP could have picked it before), one outside them is a flip', () => {
    // Request 1: A = 1×2 + 0 = 2, B = 0.5×2 + 1 = 2: a tie, the EPP picked A. Active ×0: A = 0, B = 1 → B, one of the tied.
    // Request 2: A = 2, B = 2, C = 0 + 1 = 1: a tie of A and B, A picked. Active ×0: C = 1 → C, outside the tie.
    const log = logOf([
      { scorers: [scorer('active-request-scorer', 2, { [A]: 1, [B]: 0.5, [C]: 0 }), scorer('queue-scorer', 1, { [A]: 0, [B]: 1, [C]: 0 })] },
      { scorers: [scorer('active-request-scorer', 2, { [A]: 1, [B]: 1, [C]: 0 }), scorer('queue-scorer', 1, { [A]: 0, [B]: 0, [C]: 1 })] },
    ]);
    const report = whatIf(records(log), parseWeights(['active-request-scorer=0']));
    expect(report.undeterminedRuns).toEqual([{ requestId: 'req-1', profile: 'default', reason: 'logged-tie', from: [A], to: [B], tied: [A, B], total: 2 }]);
    expect(report.flips.map((f) => [f.requestId, f.from, f.to])).toEqual([['req-2', [A], [C]]]);
    expect(report.profiles.default).toMatchObject({ recomputed: 2, loggedTies: 2, changed: 1, undetermined: 1, newTies: 0, whatIf: { [B]: 1, [C]: 1 }, gained: { [C]: 1 }, lost: { [A]: 1 } });
  });

  it('maxScorePick: the N highest; open where equal totals straddle the N-th place or share the first', () => {
    expect(maxScorePick({ a: 3, b: 2, c: 1 }, 1)).toEqual({ picked: ['a'], determined: true, tied: [], margin: 1 });
    expect(maxScorePick({ a: 3, b: 2, c: 2 }, 2)).toMatchObject({ picked: ['a', 'b'], determined: false, tied: ['b', 'c'] });
    expect(maxScorePick({ a: 3, b: 3, c: 1 }, 2)).toMatchObject({ determined: false, tied: ['a', 'b'] });
    // 0.1 + 0.2 and 0.3 differ in the last bit: the EPP's sums may differ the same way, so they count as equal.
    expect(maxScorePick({ a: 0.1 + 0.2, b: 0.3 }, 1).determined).toBe(false);
  });
});

describe('what-if weights: refusals (exit 1) and usage errors (exit 2)', () => {
  const twoScorers = { scorers: [scorer('active-request-scorer', 2, RAW_B), scorer('queue-scorer', 1, RAW_B)] };

  it('a random or weighted-random picker is refused: its pick was drawn', () => {
    expectRefusal(() => whatIf(records(logOf([twoScorers, { ...twoScorers, picker: 'random-picker' }])), parseWeights(['queue-scorer=2'])), /random.*req-2 \[default\]: random-picker/s);
    expectRefusal(() => whatIf(records(logOf([{ ...twoScorers, picker: 'weighted-random-picker' }])), parseWeights(['queue-scorer=2'])), /weighted-random-picker/);
  });

  it('a scorer that did not log is refused: in one run (the others show it), or everywhere (the totals do not add up)', () => {
    const log = new EppLog('console');
    const full = runProfile({ profile: 'default', round: 1, candidates: DECODE, ...twoScorers });
    log.profileRun('req-1', full);
    log.profileRun('req-2', { ...full, scorers: full.scorers.slice(1) });
    expectRefusal(() => whatIf(records(log), parseWeights(['active-request-scorer=3'])), /did not log.*req-2 \[default\]: active-request-scorer/s);
    const everywhere = new EppLog('console').profileRun('req-1', { ...full, scorers: full.scorers.slice(1) });
    expectRefusal(() => whatIf(records(everywhere), parseWeights(['queue-scorer=3'])), /do not add up.*req-1 \[default\]: llm-d\/decode-b logged 1\.5, the logged scores give 0\.5/s);
  });

  it('a pick that is not the highest total is refused (another picker)', () => {
    expectRefusal(() => whatIf(records(logOf([{ ...twoScorers, pickOverride: A }])), parseWeights(['queue-scorer=3'])), /not the highest total.*picked llm-d\/decode-a/s);
  });

  it('a log that adds up clamped in one request and unclamped in another is refused', () => {
    expectRefusal(() => whatIf(records(logOf([...worked(true), ...worked(false)])), parseWeights(['queue-scorer=3'])), /mixes EPP versions/);
  });

  it('an unknown scorer is a usage error that lists the known ones per profile', () => {
    const run = () => whatIf(records(logOf(worked(true))), parseWeights(['prefix-cache-scorer=3']));
    expect(run).toThrow(UsageError);
    expect(run).toThrow(/no scorer of the log is called prefix-cache-scorer/);
    try {
      run();
    } catch (error) {
      expect((error as UsageError).hint).toContain('default: active-request-scorer, queue-scorer');
    }
  });

  it('parseWeights: bad syntax, negative and repeated weights are usage errors', () => {
    expect(parseWeights(['a=1,b=2.5', 'decode/c=0'])).toEqual([
      { key: 'a', weight: 1 },
      { key: 'b', weight: 2.5 },
      { key: 'decode/c', weight: 0 },
    ]);
    for (const bad of ['a', 'a=', '=3', 'a=x', 'a=-1', 'a=1,a=2', '']) expect(() => parseWeights([bad]), bad).toThrow(UsageError);
  });
});

describe('what-if weights: the line forms', () => {
  it("format 1 lines (one per scorer) recompute the same as format 2; upstream's own lines (no weights) are refused", () => {
    const run = runProfile({ profile: 'default', round: 1, candidates: DECODE, ...worked(true)[0]! });
    const format1 = new EppLog('json').format1Run('req-1', run);
    const report = whatIf(records(format1), parseWeights(['active-request-scorer=1,queue-scorer=3']));
    expect(report.shape.arithmetic).toBe('clamped');
    expect(report.flips.map((f) => [f.from, f.to])).toEqual([[[B], [C]]]);
    const upstream = new EppLog('json').upstreamRun('req-1', run);
    expectRefusal(() => whatIf(records(upstream), parseWeights(['queue-scorer=3'])), /weight is not logged.*req-1 \[default\]/s);
  });

  it('a run that picked two targets (maxNumOfEndpoints 2) is recomputed as a set of two', () => {
    // Logged clamped: A = 2, B = 2.1, C = 1 → B, A. What-if 1/3: A = 1, B = 2.3, C = 3 → C, B.
    const run = runProfile({ profile: 'default', round: 1, candidates: DECODE, ...worked(true)[0]! });
    const log = new EppLog('console').profileRun('req-1', { ...run, picked: [B, A] });
    const report = whatIf(records(log), parseWeights(['active-request-scorer=1,queue-scorer=3']));
    expect(report.flips).toEqual([expect.objectContaining({ from: [B, A], to: [C, B], whatIfMargin: expect.closeTo(2, 9) })]);
  });

  it('a raw score outside [0,1] hidden by a logged weight of 0: both arithmetics reproduce the log but disagree on the what-if, so it is refused', () => {
    // active-request-scorer ×0 gives C a raw 3: clamped or not, its part is 0. With ×1 it is 1 or 3.
    const hidden = [{ clamp: true, scorers: [scorer('active-request-scorer', 0, { [A]: 0, [B]: 0, [C]: 3 }), scorer('queue-scorer', 1, { [A]: 1, [B]: 0, [C]: 0 })] }];
    expect(whatIf(records(logOf(hidden)), parseWeights(['queue-scorer=2'])).shape.arithmetic).toBe('either');
    // ×0.5: C = 0.5 (clamped) or 1.5 (not) against A = 1.
    expectRefusal(() => whatIf(records(logOf(hidden)), parseWeights(['active-request-scorer=0.5'])), /does not show whether this EPP clamps/);
  });
});

describe('what-if weights: per profile on a P/D log', () => {
  /** The raw scores of request n: spread over [0,1] so that a weight change moves some picks. */
  const varied = (type: string, weight: number, n: number, k: number): ScorerSpec => ({ type, name: type, weight, score: (e) => ((n * k + ALL.indexOf(e) * 3) % 5) / 4 });
  /** 12 P/D requests (the same scorer instances in both profiles), and the helper's own EPP model rerun with new weights. */
  function pd(decodeActive: number, prefillActive: number) {
    const log = new EppLog('json');
    const truth: Array<{ id: string; profile: string; from: string; to: string | undefined }> = [];
    for (let n = 0; n < 12; n++) {
      const id = `pd-${n}`;
      const scorers = [varied('active-request-scorer', 2, n, 7), varied('queue-scorer', 1, n, 3)];
      const specs = { decode: { profile: 'decode', round: 1, filters: [DECODE_FILTER], scorers }, prefill: { profile: 'prefill', round: 2, filters: [PREFILL_FILTER], scorers } };
      const decode = runProfile(specs.decode);
      const prefill = runProfile(specs.prefill);
      log.profileRun(id, decode).profileRun(id, prefill);
      log.decision(id, [{ name: 'decode', status: 'ok', round: 1 }, { name: 'prefill', status: 'ok', round: 2 }], 'decode');
      for (const [spec, run, weight] of [[specs.decode, decode, decodeActive], [specs.prefill, prefill, prefillActive]] as const) {
        const again = runProfile({ ...spec, scorers: spec.scorers.map((s) => (s.type === 'active-request-scorer' ? { ...s, weight } : s)) });
        const best = Math.max(...again.totals);
        const unique = again.totals.filter((t) => Math.abs(t - best) < 1e-9).length === 1;
        truth.push({ id, profile: spec.profile, from: run.picked[0]!, to: unique ? again.picked[0] : undefined });
      }
    }
    return { log, truth };
  }

  function expectTruth(report: WhatIfReport, truth: ReturnType<typeof pd>['truth']): void {
    for (const t of truth) {
      const flip = report.flips.find((f) => f.requestId === t.id && f.profile === t.profile);
      const open = report.undeterminedRuns.find((u) => u.requestId === t.id && u.profile === t.profile);
      if (t.to === undefined) expect(open, `${t.id} ${t.profile}`).toBeDefined();
      else if (t.to === t.from) expect(flip ?? open, `${t.id} ${t.profile}`).toBeUndefined();
      else expect(flip, `${t.id} ${t.profile}`).toMatchObject({ from: [t.from], to: [t.to], primary: t.profile === 'decode' });
    }
  }

  it('decode/active-request-scorer=0 recomputes only the decode profile; active-request-scorer=0 both', () => {
    const only = pd(0, 2);
    const report = whatIf(records(only.log), parseWeights(['decode/active-request-scorer=0']));
    expect(report.changes).toEqual([{ profile: 'decode', scorer: 'active-request-scorer', logged: [2], whatIf: 0 }]);
    expect(Object.keys(report.profiles)).toEqual(['decode']);
    expect(report.changed).toBeGreaterThan(0);
    expectTruth(report, only.truth.filter((t) => t.profile === 'decode'));

    const both = pd(0, 0);
    const all = whatIf(records(both.log), parseWeights(['active-request-scorer=0']));
    expect(Object.keys(all.profiles).sort()).toEqual(['decode', 'prefill']);
    expect(all.profiles.prefill!.changed + all.profiles.prefill!.undetermined).toBeGreaterThan(0);
    expectTruth(all, both.truth);
    // The profile's own weight wins over the plain one.
    const mixed = pd(5, 0);
    const scoped = whatIf(records(mixed.log), parseWeights(['active-request-scorer=0,decode/active-request-scorer=5']));
    expect(scoped.changes.map((c) => `${c.profile} ${c.whatIf}`)).toEqual(['decode 5', 'prefill 0']);
    expectTruth(scoped, mixed.truth);
  });
});

describe('what-if weights through the CLI: text, --json, --html', () => {
  it('writes the three forms, and exits 1 on a refusal and 2 on an unknown scorer', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'instrument-whatif-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    writeFileSync(join(dir, 'epp.log'), logOf(worked(true)).text());
    const text = await cli(['analyze', '--weights', 'active-request-scorer=1,queue-scorer=3', 'epp.log'], { cwd: dir });
    expect(text.exitCode, text.stderr).toBe(0);
    expect(text.stdout).toContain('1 of 1 profile runs change');
    expect(text.stdout).toMatch(/req-1 +default\* +llm-d\/decode-b → llm-d\/decode-c +0\.1 → 0\.7/);
    const json = await cli(['analyze', '--weights', 'active-request-scorer=1,queue-scorer=3', '--json', '--html', 'w.html', 'epp.log'], { cwd: dir });
    expect(json.exitCode).toBe(0);
    const doc = JSON.parse(json.stdout) as WhatIfReport;
    expect(doc).toMatchObject({ version: 1, changed: 1, shape: { arithmetic: 'clamped' }, flips: [{ requestId: 'req-1', to: [C] }] });
    const page = readFileSync(join(dir, 'w.html'), 'utf8');
    expect(page).toContain('<section class="whatif" id="what-if">');
    expect(page).toMatch(/<td class="name">req-1<\/td><td>default \(primary\)<\/td><td>llm-d\/decode-b → llm-d\/decode-c<\/td>/);

    writeFileSync(join(dir, 'random.log'), logOf([{ ...worked(true)[0]!, picker: 'random-picker' }]).text());
    const refused = await cli(['analyze', '--weights', 'queue-scorer=3', 'random.log'], { cwd: dir });
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toMatch(/does not allow recomputing.*random-picker/s);
    const unknown = await cli(['analyze', '--weights', 'kv-cache=3', 'epp.log'], { cwd: dir });
    expect(unknown.exitCode).toBe(2);
    expect(unknown.stderr).toContain('default: active-request-scorer, queue-scorer');
  });
});
