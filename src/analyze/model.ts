/**
 * What `instrument analyze` knows about EPP logs: one record per request, each with one section per
 * scheduling profile, and a summary per profile. The reporters (table, JSON, HTML) read only these
 * types; docs/analyze-json.md documents them as the `--json` schema.
 */

/** The version of the `--json` document (docs/analyze-json.md). */
export const ANALYSIS_VERSION = 3;

/** One scorer instance's raw scores in one profile run. */
export interface ScorerScores {
  /** The scorer's type (`active-request-scorer`), or its name when only that is known. */
  readonly scorer: string;
  /** The instance's name (the config's plugin name), when logged. */
  readonly name: string | undefined;
  readonly weight: number | undefined;
  /** Raw score (before any clamping) per endpoint (`namespace/name`); endpoints it did not score are absent. */
  readonly scores: Readonly<Record<string, number>>;
}

/** One filter of a profile run, in the order the filters ran. */
export interface FilterStep {
  readonly filter: string;
  readonly name: string | undefined;
  /** How many endpoints it let through. */
  readonly kept: number | undefined;
  /** The endpoints it removed (its input minus its output), when known. */
  readonly removed: readonly string[] | undefined;
}

/**
 * `ok`: the run returned a result; `failed`: it returned an error; `not-run`: the profile handler
 * did not run it for this request; `unknown`: the lines do not say (format 1, or lines missing).
 */
export type ProfileStatus = 'ok' | 'failed' | 'not-run' | 'unknown';

/** One profile's run for one request. */
export interface ProfileRun {
  /** The profile's name (the key of the scheduler's profile map), or `#n` when no line names it. */
  readonly name: string;
  /** Whether the name comes from the lines (false for `#n`). */
  readonly named: boolean;
  /** The 1-based round of the profile handler's loop it ran in (format 2), 0 when not run. */
  readonly round: number | undefined;
  readonly status: ProfileStatus;
  readonly error: string | undefined;
  /** The endpoints given to the run, before any filter. */
  readonly candidates: readonly string[] | undefined;
  readonly filters: readonly FilterStep[];
  readonly scorers: readonly ScorerScores[];
  /** Weighted total per endpoint, as the picker received it. */
  readonly totals: Readonly<Record<string, number>> | undefined;
  readonly picker: string | undefined;
  readonly pickerName: string | undefined;
  /** The profile's target endpoints, in order. */
  readonly picked: readonly string[] | undefined;
  /** The endpoint with the highest total after the pick, and the pick's total minus its total. */
  readonly runnerUp: string | undefined;
  readonly margin: number | undefined;
  /** The endpoints with the highest total, when more than one share it. */
  readonly tie: readonly string[] | undefined;
}

/** A failure seen in the logs, tied to a request (and a profile) when the line says so. */
export interface Failure {
  /** `InferencePoolResourceExhausted`, `no-endpoints-available`, `profile-failed`, `scheduling-failed`, `error`, ... */
  readonly kind: string;
  readonly requestId: string | undefined;
  readonly profile: string | undefined;
  readonly message: string;
  readonly line: number;
}

export type ProblemKind = 'pick-not-highest' | 'envoy-mismatch' | 'prefill-mismatch' | 'no-pick' | 'failure' | 'no-scheduling-lines';

/** A finding that makes analyze exit 1. */
export interface Problem {
  readonly kind: ProblemKind;
  readonly requestId: string | undefined;
  readonly profile: string | undefined;
  readonly detail: string;
}

export type CheckKind = 'pick-is-highest' | 'envoy-is-primary-pick' | 'prefill-is-prefill-pick';

/**
 * One check on one request. `ok` and `problem` are proven from the lines; `unverified` means the
 * lines do not allow the check (the detail says why); `not-applicable` means there is nothing to
 * check (a profile that failed or did not run, a request that never reached the proxy).
 */
export interface Check {
  readonly check: CheckKind;
  readonly profile: string | undefined;
  readonly result: 'ok' | 'problem' | 'unverified' | 'not-applicable';
  readonly detail: string;
}

export interface RequestRecord {
  readonly requestId: string;
  /** 1-based line of the first line that mentions the request. */
  readonly firstLine: number;
  readonly time: string | undefined;
  readonly path: string | undefined;
  readonly incomingModel: string | undefined;
  readonly targetModel: string | undefined;
  /** One entry per profile, keyed by name, in the order they ran (profiles that did not run last). */
  readonly profiles: Readonly<Record<string, ProfileRun>>;
  /** The profile whose pick goes to Envoy. */
  readonly primaryProfile: string | undefined;
  /** How the primary is known: the handler's decision line, or the only profile that ran. */
  readonly primarySource: 'decision' | 'only-profile' | undefined;
  /** The error of the scheduling decision (format 2 `scheduler.decision`), when it failed. */
  readonly decisionError: string | undefined;
  /** The primary profile's pick (the same as `profiles[primaryProfile].picked`). */
  readonly picked: readonly string[] | undefined;
  /** What went back to Envoy: `ip:port[,ip:port]`, and the first target's name when known. */
  readonly envoyEndpoint: string | undefined;
  readonly envoyEndpointName: string | undefined;
  /** The `x-prefiller-host-port` header sent to the proxy (`ip:port`), and its endpoint's name when proven. */
  readonly prefillEndpoint: string | undefined;
  readonly prefillEndpointName: string | undefined;
  readonly checks: readonly Check[];
  readonly failures: readonly Failure[];
  readonly problems: readonly Problem[];
  /** Which kinds of lines the record was built from. */
  readonly sources: ReadonlyArray<'format-1' | 'format-2' | 'upstream'>;
}

export interface Spread {
  readonly count: number;
  readonly min: number;
  readonly median: number;
  readonly p95: number;
  readonly max: number;
  /** Every value, counted: its bins' counts sum to `count`. */
  readonly histogram: Histogram;
}

/**
 * Values rounded to 3 decimals, counted by bin. `binWidth` 0: one bin per distinct value (at most
 * 50 of them), `start` is the value. Otherwise every bin is `binWidth` wide (1, 2 or 5 times a power
 * of ten, at most 50 bins between the lowest and the highest) and holds the values from `start` up
 * to, not including, `start + binWidth`.
 */
export interface Histogram {
  readonly binWidth: number;
  /** [start, how many (endpoint, request) pairs], ascending; empty bins are left out. */
  readonly bins: ReadonlyArray<readonly [number, number]>;
}

export interface KindCount {
  readonly count: number;
  /** The first request ids (at most 50; `count` is exact). */
  readonly requestIds: readonly string[];
}

/** Per profile, over every request that configured or ran it. */
export interface ProfileSummary {
  /** Requests in which the profile appears (ran, failed, or was reported not run). */
  readonly requests: number;
  /** Requests in which it was the primary profile. */
  readonly primary: number;
  readonly statuses: Readonly<Record<ProfileStatus, number>>;
  readonly picked: number;
  readonly picksPerEndpoint: Readonly<Record<string, number>>;
  readonly ties: number;
  /** Per scorer instance (`type`, or `name (type)` when the name differs), the spread of its raw values. */
  readonly scorerSpread: Readonly<Record<string, Spread>>;
  /** Per filter instance, how often it removed each endpoint. */
  readonly filterRemovals: Readonly<Record<string, Readonly<Record<string, number>>>>;
  readonly failuresByKind: Readonly<Record<string, KindCount>>;
}

/** What the input held, said when it held no scheduling lines at all. */
export interface InputCensus {
  /** Log records (zap lines) read. */
  readonly records: number;
  /** Records per level as printed (`INFO`, `LEVEL(-2)`, `info`, ...). */
  readonly levels: Readonly<Record<string, number>>;
  /** The most common messages, most common first. */
  readonly messages: ReadonlyArray<readonly [string, number]>;
  /** Requests seen only through "EPP received request". */
  readonly requestsReceived: number;
}

export interface CheckCounts {
  readonly ok: number;
  readonly problem: number;
  readonly unverified: number;
  readonly 'not-applicable': number;
}

export interface Summary {
  readonly lines: number;
  /** Lines that are not log records (and not stack-trace continuations). */
  readonly unreadable: number;
  /** Lines about scheduling (ours of either format, and upstream's scheduling lines). */
  readonly schedulingLines: number;
  readonly requests: number;
  /** Requests seen only as "EPP received request", with no line about their scheduling (not in `requests`). */
  readonly receivedOnly: number;
  /** Requests whose primary profile picked an endpoint. */
  readonly picked: number;
  /** Requests with a tie in any profile. */
  readonly ties: number;
  readonly profiles: Readonly<Record<string, ProfileSummary>>;
  readonly checks: Readonly<Record<CheckKind, CheckCounts>>;
  readonly failuresByKind: Readonly<Record<string, KindCount>>;
  readonly problemsByKind: Readonly<Record<string, KindCount>>;
  /** Set when the input held no scheduling lines (then `problemsByKind` has `no-scheduling-lines`). */
  readonly input: InputCensus | undefined;
}

export interface Analysis {
  readonly version: typeof ANALYSIS_VERSION;
  readonly requests: readonly RequestRecord[];
  readonly summary: Summary;
}
