import type { CheckCounts, CheckKind, Histogram, KindCount, ProfileRun, ProfileStatus, ProfileSummary, RequestRecord, Spread } from './model.ts';

/** How many request ids a summary keeps per failure or problem kind (the count is exact). */
const IDS_KEPT = 50;
/** Values kept for the median and p95 of a spread. */
const RESERVOIR = 10_000;
/** The most bins a spread's histogram shows: up to this many distinct values are kept as they are, more are binned. */
export const HISTOGRAM_LIMIT = 50;
/** Bins kept while counting; past them the bins grow tenfold (memory stays flat, every value is counted). */
const COUNTING_BINS = 5_000;

/**
 * Counts every value, rounded to 3 decimals, in bins whose width is a power of ten thousandths
 * (one thousandth at first, so each distinct value has its own bin). The result shows them as they
 * are when there are at most HISTOGRAM_LIMIT, else in at most HISTOGRAM_LIMIT bins of a round width
 * (1, 2 or 5 times a power of ten): those widths are whole multiples of the counting width, so
 * merging loses no value.
 */
export class HistogramAccumulator {
  /** The counting width, in thousandths. */
  private unit = 1;
  private bins = new Map<number, number>();

  add(value: number): void {
    const key = Math.floor(Math.round(value * 1000) / this.unit);
    this.bins.set(key, (this.bins.get(key) ?? 0) + 1);
    if (this.bins.size > COUNTING_BINS) this.coarsen();
  }

  private coarsen(): void {
    const wider = new Map<number, number>();
    for (const [key, n] of this.bins) wider.set(Math.floor(key / 10), (wider.get(Math.floor(key / 10)) ?? 0) + n);
    this.unit *= 10;
    this.bins = wider;
  }

  result(): Histogram {
    const keys = [...this.bins.keys()].sort((a, b) => a - b);
    if (this.unit === 1 && keys.length <= HISTOGRAM_LIMIT) return { binWidth: 0, bins: keys.map((k) => [k / 1000, this.bins.get(k)!]) };
    const lo = keys[0]! * this.unit;
    const hi = keys[keys.length - 1]! * this.unit;
    let width = this.unit;
    for (let step = 0; Math.floor(hi / width) - Math.floor(lo / width) + 1 > HISTOGRAM_LIMIT; step++) width = [2, 5, 10][step % 3]! * this.unit * 10 ** Math.floor(step / 3);
    const merged = new Map<number, number>();
    for (const k of keys) {
      const bin = Math.floor((k * this.unit) / width);
      merged.set(bin, (merged.get(bin) ?? 0) + this.bins.get(k)!);
    }
    // Thousandths are whole numbers: dividing them by 1000 gives the shortest decimal (0.07, not 0.07000000000000001).
    return { binWidth: width / 1000, bins: [...merged].map(([bin, n]) => [(bin * width) / 1000, n]) };
  }
}

/** Exact count, min and max, and a bounded sample for the median and p95: memory stays flat. */
export class SpreadAccumulator {
  count = 0;
  min = Infinity;
  max = -Infinity;
  private readonly sample: number[] = [];
  private readonly histogram = new HistogramAccumulator();
  private seed = 1;

  add(value: number): void {
    this.count++;
    this.min = Math.min(this.min, value);
    this.max = Math.max(this.max, value);
    if (this.sample.length < RESERVOIR) this.sample.push(value);
    else {
      // Reservoir sampling with a small deterministic generator: the same log gives the same report.
      this.seed = (this.seed * 1103515245 + 12345) % 2 ** 31;
      const slot = this.seed % this.count;
      if (slot < RESERVOIR) this.sample[slot] = value;
    }
    this.histogram.add(value);
  }

  result(): Spread {
    const sorted = [...this.sample].sort((a, b) => a - b);
    const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
    return {
      count: this.count,
      min: this.min,
      median: at(0.5),
      p95: at(0.95),
      max: this.max,
      histogram: this.histogram.result(),
    };
  }
}

export class KindCounter {
  private readonly kinds = new Map<string, { count: number; requestIds: string[] }>();

  add(kind: string, requestId: string | undefined): void {
    const entry = this.kinds.get(kind) ?? { count: 0, requestIds: [] };
    entry.count++;
    if (requestId !== undefined && entry.requestIds.length < IDS_KEPT && !entry.requestIds.includes(requestId)) entry.requestIds.push(requestId);
    this.kinds.set(kind, entry);
  }

  get size(): number {
    return this.kinds.size;
  }

  result(): Record<string, KindCount> {
    return Object.fromEntries([...this.kinds].map(([k, v]) => [k, { count: v.count, requestIds: [...v.requestIds] }]));
  }
}

/** The label of a scorer instance: its type, or `name (type)` when the config named it otherwise. */
export function scorerLabel(scorer: string, name: string | undefined): string {
  return name && name !== scorer ? `${name} (${scorer})` : scorer;
}

/** The label of a filter instance, the same way. */
export function filterLabel(filter: string, name: string | undefined): string {
  return scorerLabel(filter, name);
}

/** `active-request-scorer` first (what the issue is about), then by name. */
export function activeFirst(a: string, b: string): number {
  const rank = (label: string) => (/(^|\()active-request-scorer\)?$/.test(label) ? 0 : 1);
  return rank(a) - rank(b) || a.localeCompare(b);
}

class ProfileAccumulator {
  requests = 0;
  primary = 0;
  picked = 0;
  ties = 0;
  readonly statuses: Record<ProfileStatus, number> = { ok: 0, failed: 0, 'not-run': 0, unknown: 0 };
  readonly picks = new Map<string, number>();
  readonly spreads = new Map<string, SpreadAccumulator>();
  readonly removals = new Map<string, Map<string, number>>();
  readonly failures = new KindCounter();

  add(run: ProfileRun, isPrimary: boolean): void {
    this.requests++;
    if (isPrimary) this.primary++;
    this.statuses[run.status]++;
    if (run.picked?.length) {
      this.picked++;
      for (const p of run.picked) this.picks.set(p, (this.picks.get(p) ?? 0) + 1);
    }
    if (run.tie) this.ties++;
    for (const s of run.scorers) {
      const label = scorerLabel(s.scorer, s.name);
      let spread = this.spreads.get(label);
      if (!spread) this.spreads.set(label, (spread = new SpreadAccumulator()));
      for (const value of Object.values(s.scores)) spread.add(value);
    }
    for (const f of run.filters) {
      if (!f.removed?.length) continue;
      const label = filterLabel(f.filter, f.name);
      let counts = this.removals.get(label);
      if (!counts) this.removals.set(label, (counts = new Map()));
      for (const e of f.removed) counts.set(e, (counts.get(e) ?? 0) + 1);
    }
  }

  result(): ProfileSummary {
    const sorted = <T>(map: Map<string, T>) => [...map].sort((a, b) => a[0].localeCompare(b[0]));
    return {
      requests: this.requests,
      primary: this.primary,
      statuses: { ...this.statuses },
      picked: this.picked,
      picksPerEndpoint: Object.fromEntries(sorted(this.picks)),
      ties: this.ties,
      scorerSpread: Object.fromEntries([...this.spreads].sort((a, b) => activeFirst(a[0], b[0])).map(([k, v]) => [k, v.result()])),
      filterRemovals: Object.fromEntries(sorted(this.removals).map(([k, v]) => [k, Object.fromEntries(sorted(v))])),
      failuresByKind: this.failures.result(),
    };
  }
}

const CHECKS: readonly CheckKind[] = ['pick-is-highest', 'envoy-is-primary-pick', 'prefill-is-prefill-pick'];

/** Everything the summary counts over the completed requests. */
export class SummaryAccumulator {
  requests = 0;
  picked = 0;
  ties = 0;
  private readonly profiles = new Map<string, ProfileAccumulator>();
  private readonly checks = new Map<CheckKind, { ok: number; problem: number; unverified: number; 'not-applicable': number }>(
    CHECKS.map((c) => [c, { ok: 0, problem: 0, unverified: 0, 'not-applicable': 0 }]),
  );
  readonly failures = new KindCounter();
  readonly problems = new KindCounter();

  add(record: RequestRecord): void {
    this.requests++;
    if (record.picked?.length) this.picked++;
    let tie = false;
    for (const run of Object.values(record.profiles)) {
      let profile = this.profiles.get(run.name);
      if (!profile) this.profiles.set(run.name, (profile = new ProfileAccumulator()));
      profile.add(run, run.name === record.primaryProfile);
      if (run.tie) tie = true;
    }
    if (tie) this.ties++;
    for (const c of record.checks) this.checks.get(c.check)![c.result]++;
    for (const f of record.failures) {
      this.failures.add(f.kind, f.requestId);
      if (f.profile !== undefined) this.profiles.get(f.profile)?.failures.add(f.kind, f.requestId);
    }
    for (const p of record.problems) this.problems.add(p.kind, p.requestId);
  }

  profileSummaries(): Record<string, ProfileSummary> {
    // Named profiles by name, then the unnamed `#n` in order.
    const names = [...this.profiles.keys()].sort((a, b) => Number(a.startsWith('#')) - Number(b.startsWith('#')) || a.localeCompare(b, 'en', { numeric: true }));
    return Object.fromEntries(names.map((n) => [n, this.profiles.get(n)!.result()]));
  }

  checkCounts(): Record<CheckKind, CheckCounts> {
    return Object.fromEntries([...this.checks].map(([k, v]) => [k, { ...v }])) as Record<CheckKind, CheckCounts>;
  }
}
