import type { AddressBook } from './addresses.ts';
import type { Failure, FilterStep, ProfileStatus, ScorerScores } from './model.ts';
import { endpointName, endpointRef, UPSTREAM } from './parse.ts';

type Fields = Readonly<Record<string, unknown>>;

/** One profile's run as its lines arrive. */
export interface ProfileState {
  readonly name: string;
  readonly named: boolean;
  round: number | undefined;
  status: ProfileStatus;
  error: string | undefined;
  candidates: string[] | undefined;
  filters: FilterStep[];
  /** The survivors of the last filter, to work out what the next one removed (upstream's lines). */
  survivors: string[] | undefined;
  scorers: Map<string, ScorerScores>;
  totals: Record<string, number> | undefined;
  picker: string | undefined;
  pickerName: string | undefined;
  picked: string[] | undefined;
  /** Format 2: the run's own line was read; upstream's lines about it no longer count. */
  complete: boolean;
  /** Whose lines filled it: upstream's (read before the log showed ours) give way to ours. */
  origin: Origin;
}

type Origin = 'ours' | 'upstream';

/** A request as its lines arrive. */
export interface OpenRequest {
  readonly requestId: string;
  readonly firstLine: number;
  lastLine: number;
  lastSeenMs: number;
  time: string | undefined;
  path: string | undefined;
  incomingModel: string | undefined;
  targetModel: string | undefined;
  /** Insertion order is the order the profiles ran in. */
  profiles: Map<string, ProfileState>;
  unnamedRuns: number;
  /** The profile whose unnamed lines (format 1, upstream's) are arriving. */
  current: ProfileState | undefined;
  /** Named by upstream's "Running scheduler profile" until its end. */
  upstreamProfile: string | undefined;
  decisionSeen: boolean;
  primary: string | undefined;
  decisionError: string | undefined;
  envoyEndpoint: string | undefined;
  envoyEndpointName: string | undefined;
  prefillEndpoint: string | undefined;
  /** The prefill endpoint's name as the address book had it when the header was sent. */
  prefillNameAtSend: string | undefined;
  failures: Failure[];
  sources: Set<'format-1' | 'format-2' | 'upstream'>;
  /** Whether any line said something about its scheduling (not only "received"). */
  scheduling: boolean;
  answered: boolean;
}

export function openRequest(requestId: string, line: number, time: string | undefined): OpenRequest {
  return {
    requestId,
    firstLine: line,
    lastLine: line,
    lastSeenMs: Date.now(),
    time,
    path: undefined,
    incomingModel: undefined,
    targetModel: undefined,
    profiles: new Map(),
    unnamedRuns: 0,
    current: undefined,
    upstreamProfile: undefined,
    decisionSeen: false,
    primary: undefined,
    decisionError: undefined,
    envoyEndpoint: undefined,
    envoyEndpointName: undefined,
    prefillEndpoint: undefined,
    prefillNameAtSend: undefined,
    failures: [],
    sources: new Set(),
    scheduling: false,
    answered: false,
  };
}

const str = (value: unknown) => (typeof value === 'string' ? value : undefined);
const num = (value: unknown) => (typeof value === 'number' ? value : undefined);

function freshProfile(name: string, named: boolean, origin: Origin = 'ours'): ProfileState {
  return {
    origin,
    name,
    named,
    round: undefined,
    status: 'unknown',
    error: undefined,
    candidates: undefined,
    filters: [],
    survivors: undefined,
    scorers: new Map(),
    totals: undefined,
    picker: undefined,
    pickerName: undefined,
    picked: undefined,
    complete: false,
  };
}

const hasData = (p: ProfileState) => p.candidates !== undefined || p.scorers.size > 0 || p.picked !== undefined || p.totals !== undefined || p.filters.length > 0;

/**
 * Our line about a run that upstream's lines began (only before the log has shown ours: the first
 * requests): ours say the same and more, so upstream's data gives way; the V3 outcome stays.
 */
function adopt(p: ProfileState, origin: Origin): ProfileState {
  if (p.origin === origin || origin === 'upstream') return p;
  Object.assign(p, { origin, candidates: undefined, filters: [], survivors: undefined, scorers: new Map(), totals: undefined, picker: undefined, pickerName: undefined, picked: undefined });
  return p;
}

/** A profile by name, created in run order; a run that starts again replaces the last one's data. */
function named(r: OpenRequest, name: string, startsRun: boolean, origin: Origin): ProfileState {
  let p = r.profiles.get(name);
  if (p && p.origin !== origin && origin === 'ours') p = adopt(p, origin);
  else if (!p || (startsRun && (p.complete || hasData(p)))) {
    p = freshProfile(name, true, origin);
    r.profiles.set(name, p);
  }
  r.current = p;
  return p;
}

/**
 * The profile a line without a profile name belongs to: the one upstream named, or the current
 * unnamed run; a line that starts a run after one was complete opens the next (`#2`, ...).
 */
function profileOf(r: OpenRequest, f: Fields, startsRun: boolean, origin: Origin): ProfileState {
  const name = str(f.profile) ?? r.upstreamProfile;
  if (name !== undefined && name !== '') return named(r, name, startsRun, origin);
  const current = r.current;
  if (current && !current.named) {
    if (current.origin === 'upstream' && origin === 'ours') return adopt(current, origin);
    if (current.picked === undefined && !(startsRun && hasData(current))) return current;
  }
  const p = freshProfile(`#${++r.unnamedRuns}`, false, origin);
  r.profiles.set(p.name, p);
  r.current = p;
  return p;
}

function names(value: unknown): string[] | undefined {
  return Array.isArray(value) ? value.map((v) => endpointName(v) ?? String(v)) : undefined;
}

function numberRecord(value: unknown): Record<string, number> | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const out: Record<string, number> = {};
  for (const [key, v] of Object.entries(value)) if (typeof v === 'number') out[key] = v;
  return out;
}

/** `plugin` as upstream logs it: TypedName's String `"<name>/<type>"`, an object, or a bare name. */
function plugin(value: unknown): { type: string; name: string | undefined } | undefined {
  if (typeof value === 'string') {
    const slash = value.lastIndexOf('/');
    return slash === -1 ? { type: value, name: value } : { type: value.slice(slash + 1), name: value.slice(0, slash) };
  }
  if (typeof value === 'object' && value !== null) {
    const o = value as Record<string, unknown>;
    const type = str(o.type) ?? str(o.Type);
    if (type !== undefined) return { type, name: str(o.name) ?? str(o.Name) };
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Our lines, format 1: one line per point, no profile name.

export function takeFormat1(r: OpenRequest, point: string, f: Fields, book: AddressBook): void {
  r.sources.add('format-1');
  switch (point) {
    case 'profile.candidates': {
      const p = profileOf(r, f, true, 'ours');
      p.candidates = names(f.endpoints);
      r.scheduling = true;
      break;
    }
    case 'profile.scores': {
      const p = profileOf(r, f, false, 'ours');
      const scorer = str(f.scorer) ?? '(unnamed)';
      const name = str(f.scorerName);
      p.scorers.set(`${scorer}\u0000${name ?? ''}`, { scorer, name, weight: num(f.weight), scores: numberRecord(f.scores) ?? {} });
      r.scheduling = true;
      break;
    }
    case 'profile.picked': {
      const p = profileOf(r, f, false, 'ours');
      p.picker = str(f.picker);
      p.pickerName = str(f.pickerName);
      p.totals = numberRecord(f.weightedScores);
      p.picked = names(f.picked);
      if (p.status === 'unknown' && p.picked?.length) p.status = 'ok';
      r.scheduling = true;
      break;
    }
    default:
      takeServer(r, point, f, book);
  }
}

/** `server.request` and `server.selected`, the same in both formats (format 2 adds the prefill header). */
export function takeServer(r: OpenRequest, point: string, f: Fields, book: AddressBook): void {
  if (point === 'server.request') {
    r.path = str(f.path);
    r.incomingModel = str(f.incomingModel);
    r.targetModel = str(f.targetModel);
    r.scheduling = true;
  } else if (point === 'server.selected') {
    r.envoyEndpoint = str(f.endpoint) || undefined;
    r.envoyEndpointName = str(f.endpointName) || undefined;
    // The EPP wrote both from the same target: the first address is that endpoint's.
    const first = r.envoyEndpoint?.split(',')[0];
    if (first && r.envoyEndpointName) book.learn(first, r.envoyEndpointName);
    r.prefillEndpoint = str(f.prefillEndpoint) || undefined;
    if (r.prefillEndpoint !== undefined) r.prefillNameAtSend = book.nameOf(r.prefillEndpoint);
    r.answered = true;
    r.scheduling = true;
  }
}

// ---------------------------------------------------------------------------------------------
// Our lines, format 2 (docs/line-format.md): one line per profile run, one for the decision.

const STATUSES = new Set<ProfileStatus>(['ok', 'failed', 'not-run']);

export function takeFormat2(r: OpenRequest, point: string, f: Fields, book: AddressBook): void {
  r.sources.add('format-2');
  r.scheduling = true;
  if (point === 'scheduler.profile') {
    const name = str(f.profile) ?? '';
    const p = freshProfile(name === '' ? `#${++r.unnamedRuns}` : name, name !== '');
    p.complete = true;
    p.round = num(f.round);
    const status = str(f.status);
    p.status = status === 'ok' || status === 'failed' ? status : 'unknown';
    p.error = str(f.error);
    p.candidates = names(f.endpoints);
    if (Array.isArray(f.filters)) {
      for (const step of f.filters as unknown[]) {
        if (typeof step !== 'object' || step === null) continue;
        const s = step as Record<string, unknown>;
        p.filters.push({ filter: str(s.type) ?? str(s.name) ?? '(unnamed)', name: str(s.name), kept: num(s.kept), removed: names(s.removed) ?? [] });
      }
    }
    // `scored` is left out when it equals `endpoints` (docs/line-format.md).
    const scored = names(f.scored) ?? p.candidates ?? [];
    if (Array.isArray(f.scorers)) {
      for (const entry of f.scorers as unknown[]) {
        if (typeof entry !== 'object' || entry === null) continue;
        const s = entry as Record<string, unknown>;
        const scores: Record<string, number> = {};
        if (Array.isArray(s.scores)) s.scores.forEach((v: unknown, i: number) => typeof v === 'number' && scored[i] !== undefined && (scores[scored[i]!] = v));
        const scorer = str(s.type) ?? str(s.name) ?? '(unnamed)';
        p.scorers.set(`${scorer}\u0000${str(s.name) ?? ''}`, { scorer, name: str(s.name), weight: num(s.weight), scores });
      }
    }
    if (Array.isArray(f.totals)) {
      p.totals = {};
      f.totals.forEach((v: unknown, i: number) => typeof v === 'number' && scored[i] !== undefined && (p.totals![scored[i]!] = v));
    }
    const picker = plugin(f.picker);
    p.picker = picker?.type;
    p.pickerName = picker?.name;
    p.picked = names(f.picked);
    // Upstream's lines about this run (read before this line came) are replaced by it.
    const previous = r.profiles.get(p.name);
    if (previous) r.profiles.delete(p.name);
    r.profiles.set(p.name, p);
    if (r.current === previous) r.current = undefined;
  } else if (point === 'scheduler.decision') {
    r.decisionSeen = true;
    r.primary = str(f.primary) || undefined;
    r.decisionError = str(f.error) || undefined;
    if (Array.isArray(f.profiles)) {
      for (const entry of f.profiles as unknown[]) {
        if (typeof entry !== 'object' || entry === null) continue;
        const e = entry as Record<string, unknown>;
        const name = str(e.name);
        const status = str(e.status) as ProfileStatus | undefined;
        if (name === undefined || status === undefined || !STATUSES.has(status)) continue;
        let p = r.profiles.get(name);
        if (!p) r.profiles.set(name, (p = freshProfile(name, true)));
        // The profile line is the detail; the decision says how the run ended when that line is missing.
        if (p.status === 'unknown' || status === 'not-run') p.status = status;
        p.round ??= num(e.round);
      }
    }
  } else {
    takeServer(r, point, f, book);
  }
}

// ---------------------------------------------------------------------------------------------
// Upstream's own lines (upstream-facts §3, §10): an EPP without our lines, or V3/V4 lines among format 1.

/** Learns the addresses of the endpoint objects in a value (a list, or one object). */
function learnAll(value: unknown, book: AddressBook): string[] | undefined {
  if (!Array.isArray(value)) return undefined;
  const out: string[] = [];
  for (const item of value) {
    const ref = endpointRef(item);
    if (!ref) continue;
    out.push(ref.name);
    if (ref.address) book.learn(ref.address, ref.name);
  }
  return out;
}

/** The endpoint list under whichever key the version uses. */
const endpointsField = (f: Fields) => f.endpoints ?? f.pods;

export function takeUpstream(r: OpenRequest, msg: string, f: Fields, book: AddressBook): void {
  r.sources.add('upstream');
  if (msg === UPSTREAM.received) return;
  r.scheduling = true;
  if (msg === UPSTREAM.profileStart) {
    const name = str(f.profile) ?? str(f.name);
    if (name === undefined) return;
    r.upstreamProfile = name;
    named(r, name, true, 'upstream');
  } else if (msg === UPSTREAM.profileFailed || UPSTREAM.profileDone.test(msg)) {
    const name = str(f.profile) ?? str(f.name) ?? r.upstreamProfile;
    r.upstreamProfile = undefined;
    if (name === undefined) return;
    const p = r.profiles.get(name) ?? named(r, name, false, 'upstream');
    if (p.complete) return;
    if (msg === UPSTREAM.profileFailed) {
      p.status = 'failed';
      p.error = str(f.error) ?? str(f.err);
    } else p.status = 'ok';
  } else if (msg === UPSTREAM.requestHandled) {
    const endpoint = f.endpoint;
    if (typeof endpoint === 'string' && /NamespacedName:/.test(endpoint)) {
      // G040/G05: the picked *backend.Pod, printed with its Stringer, at V2.
      const ref = endpointRef(endpoint)!;
      if (r.profiles.size === 0) {
        const p = profileOf(r, f, true, 'upstream');
        p.picked = [ref.name];
        p.status = 'ok';
      }
      r.envoyEndpoint ??= ref.address;
      r.envoyEndpointName ??= ref.name;
    } else if (typeof endpoint === 'string') {
      r.envoyEndpoint ??= endpoint;
    }
    r.incomingModel ??= str(f.incomingModelName) ?? str(f.model);
    r.targetModel ??= str(f.targetModel) ?? str(f.targetModelName) ?? str(f.resolvedTargetModel);
    r.answered = true;
  } else {
    takeUpstreamRun(r, msg, f, book);
  }
}

/** The lines inside a profile's run (V4 unless said otherwise). */
function takeUpstreamRun(r: OpenRequest, msg: string, f: Fields, book: AddressBook): void {
  if (msg === UPSTREAM.filtersBefore) {
    const p = profileOf(r, f, true, 'upstream');
    if (p.complete) return;
    p.candidates = learnAll(endpointsField(f), book);
    p.survivors = p.candidates;
  } else if (UPSTREAM.filterDone.test(msg)) {
    const p = profileOf(r, f, false, 'upstream');
    const which = plugin(f.plugin);
    if (p.complete || !which) return;
    const survivors = learnAll(endpointsField(f), book);
    const before = p.survivors;
    const kept = survivors === undefined ? undefined : new Set(survivors);
    p.filters.push({ filter: which.type, name: which.name, kept: survivors?.length, removed: before && kept ? before.filter((e) => !kept.has(e)) : undefined });
    p.survivors = survivors;
  } else if (msg === UPSTREAM.score) {
    const p = profileOf(r, f, false, 'upstream');
    const which = plugin(f.plugin);
    const endpoint = endpointName(f.endpoint);
    const score = num(f.score);
    if (p.complete || !which || endpoint === undefined || score === undefined) return;
    const key = `${which.type}\u0000${which.name ?? ''}`;
    let scorer = p.scorers.get(key);
    if (!scorer) p.scorers.set(key, (scorer = { scorer: which.type, name: which.name, weight: undefined, scores: {} }));
    // Our own object, filled one endpoint per line.
    (scorer.scores as Record<string, number>)[endpoint] = score;
  } else if (msg === UPSTREAM.llmdScores) {
    // llm-d's active-request scorer says the same as "Calculated score" does for it (from G10 on).
    const p = profileOf(r, f, false, 'upstream');
    const scores = numberRecord(f.scores);
    if (p.complete || !scores || [...p.scorers.values()].some((s) => s.scorer === 'active-request-scorer')) return;
    p.scorers.set('active-request-scorer\u0000', { scorer: 'active-request-scorer', name: undefined, weight: undefined, scores });
  } else if (msg === UPSTREAM.candidatesForPicking) {
    const p = profileOf(r, f, false, 'upstream');
    const scored = f['endpoints-weighted-score'] ?? f['pods-weighted-score'];
    if (p.complete || !Array.isArray(scored)) return;
    p.totals = {};
    for (const item of scored) {
      const ref = endpointRef(item);
      const score = num((item as Record<string, unknown> | null)?.Score);
      if (!ref || score === undefined) continue;
      p.totals[ref.name] = score;
      if (ref.address) book.learn(ref.address, ref.name);
    }
  } else if (UPSTREAM.pickerDone.test(msg)) {
    const p = profileOf(r, f, false, 'upstream');
    if (p.complete) return;
    const which = plugin(f.plugin) ?? plugin(f.picker);
    if (which) {
      p.picker = which.type;
      p.pickerName = which.name;
    }
    const result = f.result as Record<string, unknown> | null | undefined;
    if (typeof result !== 'object' || result === null) return;
    // G05+: TargetPods / TargetEndpoints; G040: one TargetPod.
    const targets = result.TargetEndpoints ?? result.TargetPods ?? (result.TargetPod ? [result.TargetPod] : undefined);
    const picked = learnAll(targets, book);
    if (picked?.length) {
      p.picked = picked;
      if (p.status === 'unknown') p.status = 'ok';
    }
  }
}

/** `Starting refresher` / `Stopping refresher` (V2): an endpoint object with its address. */
export function takeRefresher(msg: string, f: Fields, book: AddressBook): void {
  const ref = endpointRef(f.pod ?? f.metadata ?? f.endpoint);
  if (!ref?.address) return;
  if (msg === UPSTREAM.refresherStart) book.learn(ref.address, ref.name);
  else book.forget(ref.address, ref.name);
}
