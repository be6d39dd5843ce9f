import type { Check, RequestRecord } from '../../analyze/model.ts';
import { scorerLabel } from '../../analyze/summary.ts';

/** One profile's run as the page shows it. */
export interface PageRun {
  readonly name: string;
  readonly status: string;
  readonly error: string | undefined;
  readonly picked: readonly string[];
  readonly margin: number | undefined;
  readonly tie: boolean;
  readonly totals: Readonly<Record<string, number>>;
  /** Raw scores by scorer instance label (`type`, or `name (type)`); only `active-request-scorer` ones past the table's rows. */
  readonly scores: Readonly<Record<string, Readonly<Record<string, number>>>>;
  readonly weights: Readonly<Record<string, number | undefined>>;
}

/** What was sent to the proxy, and whether it is the pick it should be. */
export interface Sent {
  readonly endpoint: string;
  readonly check: Check['result'] | undefined;
  readonly detail: string | undefined;
}

export interface PageRequest {
  readonly id: string;
  /** The first line's timestamp in ms since the epoch, when it reads as one. */
  readonly time: number | undefined;
  readonly timeText: string | undefined;
  readonly line: number;
  readonly primary: string | undefined;
  readonly prefillProfile: string | undefined;
  readonly envoy: Sent | undefined;
  readonly prefill: Sent | undefined;
  readonly problems: readonly string[];
  readonly runs: readonly PageRun[];
  /** Whether the request has a row in the tables (the first PAGE_REQUEST_LIMIT do); the rest feed only the charts. */
  readonly inTable: boolean;
}

export const isActiveRequestScorer = (label: string) => /(^|\()active-request-scorer\)?$/.test(label);

/**
 * A logged timestamp in ms: RFC3339 (zap's ISO8601 with `+0100` offsets too) or epoch seconds,
 * milliseconds, microseconds or nanoseconds (told apart by size, as zap's epoch encoders write them).
 */
export function timeMs(text: string | undefined): number | undefined {
  if (text === undefined || text === '') return undefined;
  if (/^\d+(\.\d+)?([eE][+-]?\d+)?$/.test(text)) {
    const n = Number(text);
    return n > 1e17 ? n / 1e6 : n > 1e14 ? n / 1e3 : n > 1e11 ? n : n * 1000;
  }
  const ms = Date.parse(text.replace(' ', 'T').replace(/([+-]\d\d)(\d\d)$/, '$1:$2'));
  return Number.isNaN(ms) ? undefined : ms;
}

function sent(endpoint: string | undefined, name: string | undefined, check: Check | undefined): Sent | undefined {
  if (endpoint === undefined) return undefined;
  return { endpoint: name ?? endpoint, check: check?.result, detail: check?.detail };
}

/** The page's view of a record; past the table's rows only what the charts draw is kept. */
export function pageRequest(record: RequestRecord, inTable: boolean): PageRequest {
  const check = (kind: Check['check']) => record.checks.find((c) => c.check === kind);
  const prefillCheck = check('prefill-is-prefill-pick');
  return {
    id: record.requestId,
    time: timeMs(record.time),
    timeText: record.time,
    line: record.firstLine,
    primary: record.primaryProfile,
    prefillProfile: prefillCheck?.profile,
    envoy: sent(record.envoyEndpoint, record.envoyEndpointName, check('envoy-is-primary-pick')),
    prefill: sent(record.prefillEndpoint, record.prefillEndpointName, prefillCheck),
    problems: inTable ? [...record.failures.map((f) => `failure ${f.kind}${f.profile ? ` [${f.profile}]` : ''}: ${f.message}`), ...record.problems.map((p) => `${p.kind}: ${p.detail}`)] : [],
    runs: Object.values(record.profiles).map((p) => {
      const scorers = p.scorers.map((s) => ({ label: scorerLabel(s.scorer, s.name), s })).filter(({ label }) => inTable || isActiveRequestScorer(label));
      return {
        name: p.name,
        status: p.status,
        error: p.error,
        picked: p.picked ?? [],
        margin: p.margin,
        tie: p.tie !== undefined,
        totals: inTable ? (p.totals ?? {}) : {},
        scores: Object.fromEntries(scorers.map(({ label, s }) => [label, s.scores])),
        weights: Object.fromEntries(scorers.map(({ label, s }) => [label, s.weight])),
      };
    }),
    inTable,
  };
}

/** Time order (the first line's timestamp) when every request has one, else the order of the first lines. */
export function inTimeOrder(requests: readonly PageRequest[]): { requests: PageRequest[]; byTime: boolean } {
  const byTime = requests.every((r) => r.time !== undefined);
  const sorted = [...requests].sort((a, b) => (byTime ? a.time! - b.time! : 0) || a.line - b.line);
  return { requests: sorted, byTime };
}
