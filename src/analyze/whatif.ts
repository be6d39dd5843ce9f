/**
 * What if the scorers had other weights: every request's weighted totals and max-score pick,
 * recomputed from the raw scores the lines carry, with the EPP's own arithmetic (docs/what-if.md).
 *
 * The EPP's arithmetic, per GIE version (upstream-facts §2.2, §8; read in GIE's
 * scheduler_profile.go and max_score_picker.go at v0.4.0, v0.5.1, v1.0.0, v1.2.0, v1.3.1, v1.5.0
 * and llm-d-router HEAD):
 * - total[e] = Σ over the scorers, in the order they ran, of f(raw[e]) × weight, starting from 0,
 *   over the endpoints each scorer returned; f clamps to [0,1] from v1.0 on (`enforceScoreRange`)
 *   and is the identity in v0.4/v0.5.
 * - the weight is an int up to v1.3.1 and a float64 from the v1.4 pre-release on; float64(int) is
 *   exact, so the two differ only in which weights can be configured.
 * - the max-score picker keeps the N highest totals; equal totals are ordered at random (v0.4.0: a
 *   random pick among the highest; v0.5 on: a shuffle, then a stable sort), so a tie at the pick
 *   leaves the pick to chance.
 * The lines do not say the version, so the arithmetic is the one that reproduces every logged total.
 */
import { OperationError, UsageError } from '../errors.ts';
import type { ProfileRun, RequestRecord, ScorerScores } from './model.ts';
import { scorerLabel } from './summary.ts';

/** The version of the what-if `--json` document (docs/what-if.md). */
export const WHATIF_VERSION = 1;

/** One `scorer=W` (or `profile/scorer=W`) of `--weights`. */
export interface WeightSetting {
  /** What the user wrote before `=`: a scorer's type or name, optionally `profile/` first. */
  readonly key: string;
  readonly weight: number;
}

/** How the totals are summed: raw scores clamped to [0,1] (GIE v1.0 on) or not (v0.4, v0.5). */
export type Arithmetic = 'clamped' | 'unclamped';

export interface Shape {
  /** The arithmetic that reproduces every logged total; `either` when both do (no raw score outside [0,1] mattered). */
  readonly arithmetic: Arithmetic | 'either';
  /** `int` (GIE ≤ v1.3.1, proven by unclamped totals), `float` (a logged weight has a fraction), or not shown by the lines. */
  readonly weightType: 'int' | 'float' | 'unknown';
}

/** One scorer instance whose weight changes, in one profile. */
export interface WeightChange {
  readonly profile: string;
  readonly scorer: string;
  /** The weights the lines carry for it (one, unless the configuration changed during the log). */
  readonly logged: readonly number[];
  readonly whatIf: number;
}

export interface Flip {
  readonly requestId: string;
  readonly profile: string;
  /** Whether the profile's pick is the one that went to Envoy. */
  readonly primary: boolean;
  readonly from: readonly string[];
  readonly to: readonly string[];
  /** The pick's lead over the best endpoint outside it, as logged and with the new weights. */
  readonly loggedMargin: number | undefined;
  readonly whatIfMargin: number;
  /** The totals of the old and of the new pick's first endpoint, as logged and with the new weights. */
  readonly totals: { readonly from: readonly [number, number]; readonly to: readonly [number, number] };
}

/**
 * A run whose change the weights do not decide: the new totals tie at the pick (`new-tie`), or the
 * logged totals did and the new pick is one of the endpoints that tied (`logged-tie`: the EPP
 * could have picked it with the old weights too).
 */
export interface Undetermined {
  readonly requestId: string;
  readonly profile: string;
  readonly reason: 'new-tie' | 'logged-tie';
  readonly from: readonly string[];
  /** The new pick, when the new totals decide it (`logged-tie`). */
  readonly to: readonly string[] | undefined;
  /** The endpoints that share the deciding total (new or logged), among which the picker chooses at random. */
  readonly tied: readonly string[];
  readonly total: number;
}

export interface ProfileWhatIf {
  /** Runs of the profile that the new weights apply to (all recomputed). */
  readonly recomputed: number;
  /** Of those, runs whose logged pick came out of a tie (the EPP chose at random). */
  readonly loggedTies: number;
  readonly changed: number;
  /** Runs whose change is not decided (both reasons of `Undetermined`). */
  readonly undetermined: number;
  /** Of those, runs whose new totals tie at the pick (their new pick is left to chance). */
  readonly newTies: number;
  /** Picks per endpoint (first target) as logged, over the recomputed runs. */
  readonly logged: Readonly<Record<string, number>>;
  /** The same with the new weights; runs whose new totals tie are not counted. */
  readonly whatIf: Readonly<Record<string, number>>;
  /** Per endpoint: picks won from others, lost to others, and left to a tie. */
  readonly gained: Readonly<Record<string, number>>;
  readonly lost: Readonly<Record<string, number>>;
}

export interface WhatIfReport {
  readonly version: typeof WHATIF_VERSION;
  readonly weights: readonly WeightSetting[];
  readonly changes: readonly WeightChange[];
  readonly shape: Shape;
  readonly requests: number;
  /** Profile runs recomputed (those the weights apply to), changed, and left to a tie. */
  readonly recomputed: number;
  readonly changed: number;
  readonly undetermined: number;
  readonly profiles: Readonly<Record<string, ProfileWhatIf>>;
  readonly flips: readonly Flip[];
  readonly undeterminedRuns: readonly Undetermined[];
  /** Things the reader should know (a fractional weight on a shape whose weight type is not known, ...). */
  readonly notes: readonly string[];
}

/** Totals this close are equal: Go may fuse the multiply-add (arm64), the log may round. */
const EPSILON = 1e-9;
const near = (a: number, b: number) => Math.abs(a - b) <= EPSILON * Math.max(1, Math.abs(a), Math.abs(b));
/** The max-score picker's type: `max-score-picker` from GIE v0.5 on, `Name()` = `max_score` in v0.4.0. */
const MAX_SCORE_PICKERS = new Set(['max-score-picker', 'max_score']);
/** At most this many examples per reason in a refusal. */
const EXAMPLES = 5;

const WEIGHTS_HINT = 'Write --weights scorer=W[,scorer=W] (a scorer\'s type or name; profile/scorer=W for one profile), e.g. --weights active-request-scorer=3.';

/** Parses the `--weights` values (repeatable, each a comma-separated list). Exit 2 on bad syntax. */
export function parseWeights(values: readonly string[]): WeightSetting[] {
  const settings: WeightSetting[] = [];
  for (const value of values) {
    for (const part of value.split(',')) {
      const item = part.trim();
      if (item === '') continue;
      const eq = item.lastIndexOf('=');
      const key = eq > 0 ? item.slice(0, eq).trim() : '';
      const text = eq > 0 ? item.slice(eq + 1).trim() : '';
      const weight = Number(text);
      if (key === '' || text === '' || !Number.isFinite(weight)) throw new UsageError(`--weights ${item}: expected scorer=W with a number W`, WEIGHTS_HINT);
      if (weight < 0) throw new UsageError(`--weights ${item}: the weight is negative`, 'Weights are 0 or more (0 turns a scorer off).');
      if (settings.some((s) => s.key === key)) throw new UsageError(`--weights: ${key} is given twice`, 'Give each scorer one weight.');
      settings.push({ key, weight });
    }
  }
  if (settings.length === 0) throw new UsageError('--weights: no scorer=W given', WEIGHTS_HINT);
  return settings;
}

const clamp = (x: number) => (x < 0 ? 0 : x > 1 ? 1 : x);

/** The weighted totals of a run's endpoints, summed the EPP's way. */
export function weightedTotals(endpoints: readonly string[], scorers: readonly ScorerScores[], weightOf: (s: ScorerScores) => number, arithmetic: Arithmetic): Record<string, number> {
  const totals: Record<string, number> = {};
  for (const e of endpoints) totals[e] = 0;
  for (const s of scorers) {
    const w = weightOf(s);
    for (const e of endpoints) {
      const raw = s.scores[e];
      if (raw !== undefined) totals[e]! += (arithmetic === 'clamped' ? clamp(raw) : raw) * w;
    }
  }
  return totals;
}

export interface PickResult {
  readonly picked: readonly string[];
  /** False when equal totals straddle the pick: the picker's random tie-break decides. */
  readonly determined: boolean;
  /** The endpoints that share the deciding total, when not determined. */
  readonly tied: readonly string[];
  /** The first target's lead over the best endpoint outside the pick. */
  readonly margin: number;
}

/** The max-score picker's choice of `count` endpoints. */
export function maxScorePick(totals: Readonly<Record<string, number>>, count: number): PickResult {
  const order = Object.keys(totals).sort((a, b) => totals[b]! - totals[a]! || a.localeCompare(b));
  const n = Math.min(count, order.length);
  const picked = order.slice(0, n);
  const first = totals[picked[0]!]!;
  const edge = totals[picked[n - 1]!]!;
  // The set is open where an endpoint outside it equals the last one in; the first target is open where another equals it.
  const tiedAtEdge = order.filter((e) => near(totals[e]!, edge));
  const tiedAtTop = order.filter((e) => near(totals[e]!, first));
  const setOpen = tiedAtEdge.some((e) => !picked.includes(e));
  const firstOpen = tiedAtTop.length > 1;
  const best = order[n] === undefined ? undefined : totals[order[n]!];
  return {
    picked,
    determined: !setOpen && !firstOpen,
    tied: setOpen ? tiedAtEdge : firstOpen ? tiedAtTop : [],
    margin: best === undefined ? 0 : first - best,
  };
}

/** Why a recomputation cannot be trusted, with where. */
interface Refusal {
  readonly reason: string;
  readonly where: string;
}

const REASON_TEXT: Readonly<Record<string, string>> = {
  picker: 'the profile does not use the max-score picker: a random or weighted-random picker draws its pick, so no recomputation can say what it would have been',
  'no-picker': 'the lines do not name the picker, so the pick cannot be recomputed',
  'no-weight': "a scorer's weight is not logged (upstream's own lines carry no weights; instrument's lines do)",
  'no-totals': 'the lines carry no weighted totals or no pick to check the recomputation against',
  'scorer-missing': 'a scorer that the profile logs elsewhere did not log in this run, so its part of the totals is unknown',
  totals: 'the logged weights and raw scores do not add up to the logged totals (a scorer that did not log, or another arithmetic)',
  pick: 'the logged pick is not the highest total: another picker, or a profile that does not pick by total',
  mixed: 'some runs add up only with clamped scores and others only without: the log mixes EPP versions',
  ambiguous: 'raw scores outside [0,1] change the result, and the log does not show whether this EPP clamps them (both arithmetics reproduce the logged totals)',
};

function refuse(refusals: readonly Refusal[]): never {
  const byReason = new Map<string, string[]>();
  for (const r of refusals) byReason.set(r.reason, [...(byReason.get(r.reason) ?? []), r.where]);
  const lines = [...byReason].map(([reason, where]) => `  - ${REASON_TEXT[reason] ?? reason}: ${where.slice(0, EXAMPLES).join('; ')}${where.length > EXAMPLES ? `; … (${where.length} runs)` : ''}`);
  throw new OperationError(
    `--weights: the log does not allow recomputing the picks:\n${lines.join('\n')}`,
    'The what-if needs instrument\'s lines (format 1 or 2) with every scorer\'s raw scores, weights, the totals and a max-score pick. Nothing was recomputed.',
  );
}

interface Run {
  readonly record: RequestRecord;
  readonly profile: ProfileRun;
  readonly where: string;
}

/** The scorer instances in a log, per profile (for matching `--weights` keys and for the usage error). */
function scorersByProfile(records: readonly RequestRecord[]): Map<string, Map<string, ScorerScores>> {
  const byProfile = new Map<string, Map<string, ScorerScores>>();
  for (const r of records) {
    for (const p of Object.values(r.profiles)) {
      let known = byProfile.get(p.name);
      if (!known) byProfile.set(p.name, (known = new Map()));
      for (const s of p.scorers) known.set(scorerLabel(s.scorer, s.name), s);
    }
  }
  return byProfile;
}

const matches = (key: string, s: ScorerScores) => key === s.scorer || key === s.name;

/**
 * Resolves the settings to a weight per (profile, scorer instance): `profile/scorer=W` for one
 * profile wins over `scorer=W`. Exit 2 when a key names no scorer of the log.
 */
function resolveWeights(settings: readonly WeightSetting[], byProfile: Map<string, Map<string, ScorerScores>>): (profile: string, s: ScorerScores) => number | undefined {
  const scoped: Array<{ profile: string; scorer: string; weight: number }> = [];
  const global: WeightSetting[] = [];
  const unknown: string[] = [];
  for (const setting of settings) {
    const slash = setting.key.indexOf('/');
    const profile = slash > 0 ? setting.key.slice(0, slash) : undefined;
    const rest = slash > 0 ? setting.key.slice(slash + 1) : setting.key;
    const anyMatch = (profiles: Iterable<Map<string, ScorerScores>>, key: string) => [...profiles].some((scorers) => [...scorers.values()].some((s) => matches(key, s)));
    if (profile !== undefined && byProfile.has(profile) && anyMatch([byProfile.get(profile)!], rest)) scoped.push({ profile, scorer: rest, weight: setting.weight });
    else if (anyMatch(byProfile.values(), setting.key)) global.push(setting);
    else unknown.push(setting.key);
  }
  if (unknown.length > 0) {
    const known = [...byProfile].map(([profile, scorers]) => {
      const names = [...new Set([...scorers.values()].flatMap((s) => (s.name && s.name !== s.scorer ? [s.scorer, s.name] : [s.scorer])))];
      return `  ${profile}: ${names.join(', ') || '(no scorer logged)'}`;
    });
    throw new UsageError(
      `--weights: no scorer of the log is called ${unknown.join(', ')}`,
      known.length > 0 ? `The scorers the log carries (type, and name where it differs), per profile:\n${known.join('\n')}\nUse one of them, or profile/scorer for one profile.` : 'The log carries no scorer scores: it needs instrument\'s lines.',
    );
  }
  return (profile, s) => scoped.find((x) => x.profile === profile && matches(x.scorer, s))?.weight ?? global.find((x) => matches(x.key, s))?.weight;
}

const count = (into: Record<string, number>, key: string, by = 1) => (into[key] = (into[key] ?? 0) + by);

type NewWeight = (profile: string, s: ScorerScores) => number | undefined;

/**
 * The runs to recompute (those of the profiles the weights apply to that ran), each checked for
 * what the recomputation needs; refuses the log where one lacks it.
 */
function runsToRecompute(records: readonly RequestRecord[], byProfile: Map<string, Map<string, ScorerScores>>, newWeight: NewWeight): Run[] {
  const touched = new Set<string>();
  for (const [profile, scorers] of byProfile) for (const s of scorers.values()) if (newWeight(profile, s) !== undefined) touched.add(profile);
  const runs: Run[] = [];
  const refusals: Refusal[] = [];
  for (const record of records) {
    for (const profile of Object.values(record.profiles)) {
      if (!touched.has(profile.name) || profile.status === 'failed' || profile.status === 'not-run') continue;
      const where = `${record.requestId} [${profile.name}]`;
      // Every scorer the profile logs elsewhere must have logged here too, or its part of the totals is unknown.
      const missing = [...byProfile.get(profile.name)!.values()].filter((s) => !profile.scorers.some((x) => x.scorer === s.scorer && x.name === s.name));
      const unweighted = profile.scorers.filter((s) => s.weight === undefined);
      if (missing.length > 0) refusals.push({ reason: 'scorer-missing', where: `${where}: ${missing.map((s) => scorerLabel(s.scorer, s.name)).join(', ')}` });
      else if (profile.picker === undefined) refusals.push({ reason: 'no-picker', where });
      else if (!MAX_SCORE_PICKERS.has(profile.picker)) refusals.push({ reason: 'picker', where: `${where}: ${profile.picker}` });
      else if (profile.totals === undefined || !profile.picked?.length) refusals.push({ reason: 'no-totals', where });
      else if (unweighted.length > 0) refusals.push({ reason: 'no-weight', where: `${where}: ${unweighted.map((s) => scorerLabel(s.scorer, s.name)).join(', ')}` });
      else runs.push({ record, profile, where });
    }
  }
  if (refusals.length > 0) refuse(refusals);
  return runs;
}

/** Whether the max-score picker can have made the logged pick from the logged totals (ties allowed). */
function pickFits(totals: Readonly<Record<string, number>>, logged: readonly string[]): boolean {
  const first = totals[logged[0]!];
  const highest = Math.max(...Object.values(totals));
  const worstIn = Math.min(...logged.map((x) => totals[x] ?? -Infinity));
  const outside = Object.keys(totals).filter((x) => !logged.includes(x));
  return first !== undefined && near(first, highest) && !outside.some((x) => totals[x]! > worstIn && !near(totals[x]!, worstIn));
}

/** Which arithmetic reproduces every logged total and pick, and what the weights are; refuses where none does. */
function inferShape(runs: readonly Run[]): Shape {
  const refusals: Refusal[] = [];
  const onlyClamped: string[] = [];
  const onlyUnclamped: string[] = [];
  for (const run of runs) {
    const totals = run.profile.totals!;
    const sums = (arithmetic: Arithmetic) => weightedTotals(Object.keys(totals), run.profile.scorers, (s) => s.weight!, arithmetic);
    const [clamped, unclamped] = [sums('clamped'), sums('unclamped')];
    const fits = (computed: Record<string, number>) => Object.keys(totals).every((e) => near(computed[e]!, totals[e]!));
    const [c, u] = [fits(clamped), fits(unclamped)];
    if (c && !u) onlyClamped.push(run.where);
    if (u && !c) onlyUnclamped.push(run.where);
    if (!c && !u) {
      const e = Object.keys(totals).find((x) => !near(clamped[x]!, totals[x]!))!;
      refusals.push({ reason: 'totals', where: `${run.where}: ${e} logged ${totals[e]}, the logged scores give ${clamped[e]} (clamped) or ${unclamped[e]} (not clamped)` });
    }
    if (!pickFits(totals, run.profile.picked!)) {
      const best = maxScorePick(totals, 1).picked[0]!;
      refusals.push({ reason: 'pick', where: `${run.where}: picked ${run.profile.picked!.join(', ')} (${totals[run.profile.picked![0]!] ?? 'no total'}), highest ${best} (${totals[best]})` });
    }
  }
  if (refusals.length > 0) refuse(refusals);
  if (onlyClamped.length > 0 && onlyUnclamped.length > 0) refuse([{ reason: 'mixed', where: `clamped only: ${onlyClamped.slice(0, 2).join(', ')}; unclamped only: ${onlyUnclamped.slice(0, 2).join(', ')}` }]);
  const arithmetic: Shape['arithmetic'] = onlyClamped.length > 0 ? 'clamped' : onlyUnclamped.length > 0 ? 'unclamped' : 'either';
  const fractional = runs.some((run) => run.profile.scorers.some((s) => !Number.isInteger(s.weight)));
  return { arithmetic, weightType: fractional ? 'float' : arithmetic === 'unclamped' ? 'int' : 'unknown' };
}

/** A fractional weight: refused where the weights are ints, noted where the lines do not say. */
function weightNotes(settings: readonly WeightSetting[], shape: Shape): string[] {
  const fractions = settings.filter((s) => !Number.isInteger(s.weight));
  if (fractions.length > 0 && shape.weightType === 'int') {
    throw new UsageError(
      `--weights ${fractions.map((s) => `${s.key}=${s.weight}`).join(',')}: this EPP's weights are whole numbers`,
      'Its totals add up without clamping, which only GIE v0.4/v0.5 do, and there a weight is an int. Use whole numbers.',
    );
  }
  if (fractions.length > 0 && shape.weightType === 'unknown') {
    return ['A fractional weight can be configured only where weights are float64 (GIE after v1.3.1, llm-d v0.6.0 on); up to GIE v1.3.1 they are ints, and the lines do not show which this EPP is.'];
  }
  return [];
}

type ProfileStats = { -readonly [K in keyof ProfileWhatIf]: ProfileWhatIf[K] extends number ? number : Record<string, number> };

/**
 * Recomputes every request's picks with new weights. Throws a UsageError (exit 2) for a weight
 * the log has no scorer for, or a fraction where the weights are ints, and an OperationError
 * (exit 1) where the logged weights do not reproduce the logged totals and picks.
 */
export function whatIf(records: readonly RequestRecord[], settings: readonly WeightSetting[]): WhatIfReport {
  const byProfile = scorersByProfile(records);
  const newWeight = resolveWeights(settings, byProfile);
  const runs = runsToRecompute(records, byProfile, newWeight);
  const shape = inferShape(runs);
  const notes = weightNotes(settings, shape);

  const weightOf = (profile: string) => (s: ScorerScores) => newWeight(profile, s) ?? s.weight!;
  const flips: Flip[] = [];
  const undeterminedRuns: Undetermined[] = [];
  const profiles: Record<string, ProfileStats> = {};
  const changes = new Map<string, { profile: string; scorer: string; logged: Set<number>; whatIf: number }>();
  const ambiguous: Refusal[] = [];
  for (const run of runs) {
    const p = run.profile;
    const endpoints = Object.keys(p.totals!);
    for (const s of p.scorers) {
      const w = newWeight(p.name, s);
      if (w === undefined) continue;
      const key = `${p.name}\u0000${scorerLabel(s.scorer, s.name)}`;
      const change = changes.get(key) ?? { profile: p.name, scorer: scorerLabel(s.scorer, s.name), logged: new Set<number>(), whatIf: w };
      change.logged.add(s.weight!);
      changes.set(key, change);
    }
    const totals = weightedTotals(endpoints, p.scorers, weightOf(p.name), shape.arithmetic === 'unclamped' ? 'unclamped' : 'clamped');
    const pick = maxScorePick(totals, p.picked!.length);
    if (shape.arithmetic === 'either') {
      // Both arithmetics reproduced the log; where they part on the new weights, the log cannot say which holds.
      const other = maxScorePick(weightedTotals(endpoints, p.scorers, weightOf(p.name), 'unclamped'), p.picked!.length);
      if (other.determined !== pick.determined || other.picked.join() !== pick.picked.join()) ambiguous.push({ reason: 'ambiguous', where: run.where });
    }
    const stats = (profiles[p.name] ??= { recomputed: 0, loggedTies: 0, changed: 0, undetermined: 0, newTies: 0, logged: {}, whatIf: {}, gained: {}, lost: {} });
    const from = p.picked!;
    stats.recomputed++;
    count(stats.logged, from[0]!);
    const loggedTie = maxScorePick(p.totals!, from.length);
    if (!loggedTie.determined) stats.loggedTies++;
    const base = { requestId: run.record.requestId, profile: p.name, from };
    if (!pick.determined) {
      stats.undetermined++;
      stats.newTies++;
      undeterminedRuns.push({ ...base, reason: 'new-tie', to: undefined, tied: pick.tied, total: totals[pick.tied[0]!]! });
      continue;
    }
    count(stats.whatIf, pick.picked[0]!);
    const same = pick.picked[0] === from[0] && pick.picked.length === from.length && pick.picked.every((e) => from.includes(e));
    if (same) continue;
    if (!loggedTie.determined && pick.picked.every((e) => from.includes(e) || loggedTie.tied.includes(e))) {
      stats.undetermined++;
      undeterminedRuns.push({ ...base, reason: 'logged-tie', to: pick.picked, tied: loggedTie.tied, total: p.totals![loggedTie.tied[0]!]! });
      continue;
    }
    stats.changed++;
    if (pick.picked[0] !== from[0]) {
      count(stats.gained, pick.picked[0]!);
      count(stats.lost, from[0]!);
    }
    flips.push({
      requestId: run.record.requestId,
      profile: p.name,
      primary: run.record.primaryProfile === p.name,
      from,
      to: pick.picked,
      loggedMargin: p.margin,
      whatIfMargin: pick.margin,
      totals: { from: [p.totals![from[0]!]!, totals[from[0]!]!], to: [p.totals![pick.picked[0]!]!, totals[pick.picked[0]!]!] },
    });
  }
  if (ambiguous.length > 0) refuse(ambiguous);
  const sum = (key: 'recomputed' | 'changed' | 'undetermined') => Object.values(profiles).reduce((n, p) => n + p[key], 0);
  return {
    version: WHATIF_VERSION,
    weights: settings,
    changes: [...changes.values()].map((c) => ({ profile: c.profile, scorer: c.scorer, logged: [...c.logged].sort((a, b) => a - b), whatIf: c.whatIf })),
    shape,
    requests: records.length,
    recomputed: sum('recomputed'),
    changed: sum('changed'),
    undetermined: sum('undetermined'),
    profiles,
    flips,
    undeterminedRuns,
    notes,
  };
}
