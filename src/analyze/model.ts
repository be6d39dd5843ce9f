/**
 * What `instrument analyze` knows about EPP logs: one record per request, and a summary. The
 * reporters (table, JSON, HTML) read only these types.
 */

/** One scorer's raw scores for one request. */
export interface ScorerScores {
  /** The scorer's type (`active-request-scorer`), or its name when only that is known. */
  readonly scorer: string;
  readonly name: string | undefined;
  readonly weight: number | undefined;
  /** Raw score per endpoint (`namespace/name`). */
  readonly scores: Readonly<Record<string, number>>;
}

/** A failure seen in the logs, tied to a request when the line carries its id. */
export interface Failure {
  /** `InferencePoolResourceExhausted`, `scheduler-profile-failed`, `no-endpoints`, `error`, ... */
  readonly kind: string;
  readonly requestId: string | undefined;
  readonly message: string;
  readonly line: number;
}

/** A finding that makes analyze exit 1. */
export interface Problem {
  readonly kind: 'pick-not-highest' | 'envoy-mismatch' | 'no-pick' | 'failure';
  readonly requestId: string | undefined;
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
  /** Candidate endpoints before filtering, in the order logged. */
  readonly candidates: readonly string[] | undefined;
  readonly scorers: readonly ScorerScores[];
  readonly picker: string | undefined;
  readonly picked: readonly string[] | undefined;
  /** Weighted total per endpoint. */
  readonly totals: Readonly<Record<string, number>> | undefined;
  readonly runnerUp: string | undefined;
  /** Picked total minus runner-up total. */
  readonly margin: number | undefined;
  /** The endpoints with the highest total, when more than one share it. */
  readonly tie: readonly string[] | undefined;
  /** What went back to Envoy: `ip:port[,ip:port]`, and the endpoint name when logged. */
  readonly envoyEndpoint: string | undefined;
  readonly envoyEndpointName: string | undefined;
  readonly failures: readonly Failure[];
  readonly problems: readonly Problem[];
  /** Which kinds of lines the record was built from. */
  readonly sources: ReadonlyArray<'instrument' | 'upstream'>;
}

export interface Spread {
  readonly count: number;
  readonly min: number;
  readonly median: number;
  readonly p95: number;
  readonly max: number;
  /** [value, how many (endpoint, request) pairs had it], ascending, while there are few distinct values. */
  readonly histogram: ReadonlyArray<readonly [number, number]>;
}

export interface Summary {
  readonly lines: number;
  /** Lines that are not log records (and not stack-trace continuations). */
  readonly unreadable: number;
  readonly requests: number;
  readonly picked: number;
  readonly picksPerEndpoint: Readonly<Record<string, number>>;
  /** Per scorer type, the spread of its raw values over all requests and endpoints. */
  readonly scorerSpread: Readonly<Record<string, Spread>>;
  readonly failuresByKind: Readonly<Record<string, { readonly count: number; readonly requestIds: readonly string[] }>>;
  readonly problemsByKind: Readonly<Record<string, { readonly count: number; readonly requestIds: readonly string[] }>>;
  readonly ties: number;
}

export interface Analysis {
  readonly requests: readonly RequestRecord[];
  readonly summary: Summary;
}
