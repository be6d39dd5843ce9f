/**
 * A run under load, as an instrumented EPP (format 2) would log it: requests arrive at seeded
 * random times, each stays in flight on the endpoint it was sent to for a random while, and
 * `active-request-scorer`'s raw score follows the in-flight counts: (most - count) / most, 1 for
 * every endpoint when none is busy. `queue-scorer` counts what is past four in flight the same
 * way, and `prefix-cache-scorer` scores 0 everywhere (random prompts share no prefix), the constant
 * column a report must not paint as a top score. The picks follow from the scores (runProfile).
 */
import { ADDRESS, ALL, DECODE_FILTER, EppLog, type Encoder, isDecode, isPrefill, PREFILL_FILTER, type RunResult, type RunSpec, runProfile, type ScorerSpec } from './epp-log.ts';
import { seededRandom } from '../../bench/lib/seeded-random.mjs';

export interface LoadOptions {
  readonly requests: number;
  readonly seed?: number;
  /** A prefill profile before the decode one (P/D). */
  readonly pd?: boolean;
  /** The logs of this many EPP replicas, requests dealt out in turn, one log after the other. */
  readonly replicas?: number;
  readonly encoder?: Encoder;
  /** Arrivals per second at the quietest and the busiest moment (mid-run). */
  readonly rate?: readonly [number, number];
  /** Mean seconds a request stays in flight on its decode endpoint. */
  readonly decodeSeconds?: number;
}

/** What the log says, request by request, in arrival order. */
export interface LoadRequest {
  readonly id: string;
  readonly at: number;
  readonly decode: RunResult;
  readonly prefill: RunResult | undefined;
}

export interface LoadRun {
  readonly text: string;
  readonly requests: readonly LoadRequest[];
  readonly start: number;
}

const byLoad = (counts: ReadonlyMap<string, number>, over = 0) => (e: string) => {
  const load = (n: number) => Math.max(0, n - over);
  const most = Math.max(0, ...[...counts.values()].map(load));
  return most === 0 ? 1 : (most - load(counts.get(e) ?? 0)) / most;
};

/** As max-score-picker does, a tie goes to one of the tied endpoints at random. */
function pickAmongTies(rand: () => number, spec: RunSpec): RunResult {
  const run = runProfile(spec);
  const best = Math.max(...run.totals);
  const tied = run.scored.filter((_, i) => run.totals[i] === best);
  return tied.length > 1 ? runProfile({ ...spec, pickOverride: tied[Math.floor(rand() * tied.length)] }) : run;
}

export function loadRun(options: LoadOptions): LoadRun {
  const rand = seededRandom(options.seed ?? 1);
  const [quiet, busy] = options.rate ?? [1.5, 6];
  const decodeSeconds = options.decodeSeconds ?? 2.5;
  const replicas = options.replicas ?? 1;
  const logs = Array.from({ length: replicas }, () => new EppLog(options.encoder ?? 'console'));
  const start = Date.parse('2026-12-01T10:00:00.000Z');
  const inFlight: Array<{ endpoint: string; until: number }> = [];
  const events: Array<{ at: number; order: number; log: EppLog; write: (log: EppLog) => void }> = [];
  const requests: LoadRequest[] = [];
  let now = start;
  // Upstream's V2 "Starting refresher" lines at start-up: the analyzer learns each address from them.
  for (const log of logs) {
    log.at = start;
    for (const e of ALL) log.refresher(e);
  }
  for (let n = 0; n < options.requests; n++) {
    const phase = Math.sin((Math.PI * n) / options.requests);
    const rate = quiet + (busy - quiet) * phase;
    now += Math.round((-Math.log(1 - rand()) / rate) * 1000);
    for (let i = inFlight.length - 1; i >= 0; i--) if (inFlight[i]!.until <= now) inFlight.splice(i, 1);
    const counts = new Map(ALL.map((e) => [e, inFlight.filter((f) => f.endpoint === e).length]));
    const decodeCounts = new Map([...counts].filter(([e]) => isDecode(e)));
    const prefillCounts = new Map([...counts].filter(([e]) => isPrefill(e)));
    const scorers = (profile: string, load: ReadonlyMap<string, number>): ScorerSpec[] => [
      { type: 'active-request-scorer', name: 'active-request-scorer', weight: 2, score: byLoad(load) },
      { type: 'queue-scorer', name: 'queue-scorer', weight: 1, score: byLoad(load, 4) },
      { type: 'prefix-cache-scorer', name: `${profile}-prefix`, weight: 3, score: () => 0 },
    ];
    const decode = pickAmongTies(rand, { profile: 'decode', round: 1, filters: [DECODE_FILTER], scorers: scorers('decode', decodeCounts) });
    const prefill = options.pd ? pickAmongTies(rand, { profile: 'prefill', round: 2, filters: [PREFILL_FILTER], scorers: scorers('prefill', prefillCounts) }) : undefined;
    const id = `load-${String(n).padStart(4, '0')}`;
    const log = logs[n % replicas]!;
    inFlight.push({ endpoint: decode.picked[0]!, until: now + Math.round(-Math.log(1 - rand()) * decodeSeconds * 1000) });
    if (prefill) inFlight.push({ endpoint: prefill.picked[0]!, until: now + 300 + Math.round(rand() * 400) });
    requests.push({ id, at: now, decode, prefill });
    const at = now;
    events.push({
      at,
      order: events.length,
      log,
      write: (l) => {
        l.serverRequest(id);
        l.profileRun(id, decode);
        if (prefill) l.profileRun(id, prefill);
        const profiles = [{ name: 'decode', status: 'ok' as const, round: 1 }, ...(prefill ? [{ name: 'prefill', status: 'ok' as const, round: 2 }] : [])];
        l.decision(id, profiles, 'decode');
      },
    });
    // The answer goes out a few ms later, often after the next request's first lines.
    events.push({ at: at + 2 + Math.round(rand() * 40), order: events.length, log, write: (l) => l.serverSelected(id, ADDRESS[decode.picked[0]!]!, decode.picked[0], prefill ? ADDRESS[prefill.picked[0]!] : undefined) });
  }
  events.sort((a, b) => a.at - b.at || a.order - b.order);
  for (const e of events) {
    e.log.at = e.at;
    e.write(e.log);
  }
  return { text: logs.map((l) => l.text()).join(''), requests, start };
}
