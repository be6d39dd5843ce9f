/**
 * Two captured runs side by side (for example before and after a weight change): per profile the
 * picks per endpoint, the margins, every scorer's spread per endpoint, and the failures, with the
 * differences (docs/what-if.md).
 */
import type { RequestRecord, Summary } from './model.ts';
import { scorerLabel, SpreadAccumulator } from './summary.ts';

/** The version of the compare `--json` document (docs/what-if.md). */
export const COMPARE_VERSION = 1;

export type Pair<T> = readonly [T, T];

export interface Stat {
  readonly count: number;
  readonly min: number;
  readonly median: number;
  readonly max: number;
}

export interface EndpointPicks {
  readonly endpoint: string;
  readonly counts: Pair<number>;
  /** The endpoint's part of the profile's picks (0..1) in each run. */
  readonly shares: Pair<number>;
}

export interface ScorerCompare {
  /** The scorer instance's label (`type`, or `name (type)`). */
  readonly scorer: string;
  readonly weights: Pair<readonly number[]>;
  readonly endpoints: ReadonlyArray<{ readonly endpoint: string; readonly spreads: Pair<Stat | undefined> }>;
}

export interface KindCounts {
  readonly kind: string;
  readonly counts: Pair<number>;
}

export interface ProfileCompare {
  readonly name: string;
  /** Runs that returned a pick, failed, and whose pick came out of a tie. */
  readonly ok: Pair<number>;
  readonly failed: Pair<number>;
  readonly ties: Pair<number>;
  readonly picks: readonly EndpointPicks[];
  /** The pick's lead over the runner-up. */
  readonly margin: Pair<Stat | undefined>;
  readonly scorers: readonly ScorerCompare[];
  readonly failures: readonly KindCounts[];
}

export interface CompareReport {
  readonly version: typeof COMPARE_VERSION;
  /** What the two runs are called (their file names). */
  readonly labels: Pair<string>;
  readonly requests: Pair<number>;
  readonly picked: Pair<number>;
  readonly failures: readonly KindCounts[];
  readonly problems: readonly KindCounts[];
  readonly profiles: readonly ProfileCompare[];
}

export interface RunInput {
  readonly label: string;
  readonly records: readonly RequestRecord[];
  readonly summary: Summary;
}

interface ProfileTally {
  ok: number;
  failed: number;
  ties: number;
  picks: Map<string, number>;
  margin: SpreadAccumulator;
  scorers: Map<string, { weights: Set<number>; endpoints: Map<string, SpreadAccumulator> }>;
  failures: Map<string, number>;
}

const stat = (acc: SpreadAccumulator | undefined): Stat | undefined => {
  if (acc === undefined || acc.count === 0) return undefined;
  const s = acc.result();
  return { count: s.count, min: s.min, median: s.median, max: s.max };
};

function tally(records: readonly RequestRecord[]): Map<string, ProfileTally> {
  const profiles = new Map<string, ProfileTally>();
  for (const r of records) {
    for (const p of Object.values(r.profiles)) {
      let t = profiles.get(p.name);
      if (!t) profiles.set(p.name, (t = { ok: 0, failed: 0, ties: 0, picks: new Map(), margin: new SpreadAccumulator(), scorers: new Map(), failures: new Map() }));
      if (p.status === 'failed') t.failed++;
      const pick = p.picked?.[0];
      if (pick !== undefined) {
        t.ok++;
        t.picks.set(pick, (t.picks.get(pick) ?? 0) + 1);
        if (p.margin !== undefined) t.margin.add(p.margin);
        if (p.tie !== undefined) t.ties++;
      }
      for (const s of p.scorers) {
        const label = scorerLabel(s.scorer, s.name);
        let sc = t.scorers.get(label);
        if (!sc) t.scorers.set(label, (sc = { weights: new Set(), endpoints: new Map() }));
        if (s.weight !== undefined) sc.weights.add(s.weight);
        for (const [e, v] of Object.entries(s.scores)) {
          let acc = sc.endpoints.get(e);
          if (!acc) sc.endpoints.set(e, (acc = new SpreadAccumulator()));
          acc.add(v);
        }
      }
    }
    for (const f of r.failures) {
      if (f.profile === undefined) continue;
      const t = profiles.get(f.profile);
      if (t) t.failures.set(f.kind, (t.failures.get(f.kind) ?? 0) + 1);
    }
  }
  return profiles;
}

const union = <T>(a: Iterable<T>, b: Iterable<T>) => [...new Set([...a, ...b])];
const kindCounts = (a: ReadonlyMap<string, number>, b: ReadonlyMap<string, number>): KindCounts[] =>
  union(a.keys(), b.keys())
    .sort()
    .map((kind) => ({ kind, counts: [a.get(kind) ?? 0, b.get(kind) ?? 0] as const }));
const countsOf = (byKind: Summary['failuresByKind']) => new Map(Object.entries(byKind).map(([k, v]) => [k, v.count]));

/** Compares two analyzed runs. Pure: reads the records and summaries only. */
export function compare(a: RunInput, b: RunInput): CompareReport {
  const [ta, tb] = [tally(a.records), tally(b.records)];
  const empty: ProfileTally = { ok: 0, failed: 0, ties: 0, picks: new Map(), margin: new SpreadAccumulator(), scorers: new Map(), failures: new Map() };
  const profiles = union(ta.keys(), tb.keys()).map((name): ProfileCompare => {
    const [x, y] = [ta.get(name) ?? empty, tb.get(name) ?? empty];
    const totals = [[...x.picks.values()].reduce((n, v) => n + v, 0), [...y.picks.values()].reduce((n, v) => n + v, 0)] as const;
    const picks = union(x.picks.keys(), y.picks.keys())
      .sort()
      .map((endpoint): EndpointPicks => {
        const counts = [x.picks.get(endpoint) ?? 0, y.picks.get(endpoint) ?? 0] as const;
        return { endpoint, counts, shares: [totals[0] ? counts[0] / totals[0] : 0, totals[1] ? counts[1] / totals[1] : 0] };
      });
    const scorers = union(x.scorers.keys(), y.scorers.keys()).map((scorer): ScorerCompare => {
      const [sx, sy] = [x.scorers.get(scorer), y.scorers.get(scorer)];
      const endpoints = union(sx?.endpoints.keys() ?? [], sy?.endpoints.keys() ?? [])
        .sort()
        .map((endpoint) => ({ endpoint, spreads: [stat(sx?.endpoints.get(endpoint)), stat(sy?.endpoints.get(endpoint))] as const }));
      const weights = (s: typeof sx) => [...(s?.weights ?? [])].sort((m, n) => m - n);
      return { scorer, weights: [weights(sx), weights(sy)], endpoints };
    });
    return { name, ok: [x.ok, y.ok], failed: [x.failed, y.failed], ties: [x.ties, y.ties], picks, margin: [stat(x.margin), stat(y.margin)], scorers, failures: kindCounts(x.failures, y.failures) };
  });
  return {
    version: COMPARE_VERSION,
    labels: [a.label, b.label],
    requests: [a.summary.requests, b.summary.requests],
    picked: [a.summary.picked, b.summary.picked],
    failures: kindCounts(countsOf(a.summary.failuresByKind), countsOf(b.summary.failuresByKind)),
    problems: kindCounts(countsOf(a.summary.problemsByKind), countsOf(b.summary.problemsByKind)),
    profiles,
  };
}
