import type { AddressBook } from './addresses.ts';
import type { Check, Failure, Problem, ProfileRun, RequestRecord } from './model.ts';
import type { OpenRequest, ProfileState } from './request.ts';

/** Profile runs close enough to count as equal totals (floating-point sums of weights). */
const EPSILON = 1e-9;

export const FAILURE_KINDS: ReadonlyArray<[RegExp, string]> = [
  [/InferencePoolResourceExhausted/, 'InferencePoolResourceExhausted'],
  [/failed to run scheduler profile/i, 'scheduler-profile-failed'],
  [/no (pods|endpoints) available/i, 'no-endpoints-available'],
  [/failed to find available decode workers/i, 'no-decode-workers'],
  [/ServiceUnavailable/, 'ServiceUnavailable'],
  [/BadConfiguration/, 'BadConfiguration'],
  [/ModelServerError/, 'ModelServerError'],
  [/BadRequest/, 'BadRequest'],
];

export function failureKind(text: string, fallback: string): string {
  return FAILURE_KINDS.find(([pattern]) => pattern.test(text))?.[1] ?? fallback;
}

/** A profile's state as the record shows it, with its runner-up, margin and tie. */
function profileRun(p: ProfileState): ProfileRun {
  let runnerUp: string | undefined;
  let margin: number | undefined;
  let tie: string[] | undefined;
  const totals = p.totals;
  if (totals !== undefined) {
    // One pass: the highest total, how many share it, and the best endpoint outside the pick.
    let best = -Infinity;
    let other = -Infinity;
    for (const key in totals) {
      const v = totals[key]!;
      if (v > best) best = v;
      if (v > other && !p.picked?.includes(key)) [other, runnerUp] = [v, key];
    }
    for (const key in totals) if (Math.abs(totals[key]! - best) < EPSILON) (tie ??= []).push(key);
    if (tie !== undefined && tie.length > 1) tie.sort();
    else tie = undefined;
    const pick = p.picked?.[0];
    const picked = pick === undefined ? undefined : totals[pick];
    if (pick === undefined) runnerUp = undefined;
    else if (runnerUp !== undefined && picked !== undefined) margin = picked - other;
  }
  return {
    name: p.name,
    named: p.named,
    round: p.round,
    status: p.status,
    error: p.error,
    candidates: p.candidates,
    filters: p.filters,
    scorers: [...p.scorers.values()],
    totals: p.totals,
    picker: p.picker,
    pickerName: p.pickerName,
    picked: p.picked,
    runnerUp,
    margin,
    tie,
  };
}

const isMaxScore = (picker: string | undefined) => picker === undefined || /max[-_ ]?score/i.test(picker);

/** Is the pick the highest total within its profile (max-score-picker; a tie is a tie)? */
function pickCheck(run: ProfileRun): Check {
  const base = { check: 'pick-is-highest', profile: run.name } as const;
  if (run.status === 'failed' || run.status === 'not-run') return { ...base, result: 'not-applicable', detail: run.status === 'failed' ? `failed: ${run.error ?? 'no error text'}` : 'not run' };
  const pick = run.picked?.[0];
  if (pick === undefined) return { ...base, result: 'unverified', detail: 'no pick logged' };
  if (!run.totals || run.totals[pick] === undefined && Object.keys(run.totals).length === 0) return { ...base, result: 'unverified', detail: 'no weighted totals logged' };
  if (!isMaxScore(run.picker)) return { ...base, result: 'not-applicable', detail: `${run.picker} does not pick by the highest total` };
  let best = -Infinity;
  for (const key in run.totals) if (run.totals[key]! > best) best = run.totals[key]!;
  const total = run.totals[pick];
  if (total === undefined) return { ...base, result: 'problem', detail: `picked ${pick}, which has no weighted total (the highest is ${best})` };
  if (total < best - EPSILON) {
    const top = Object.keys(run.totals).filter((k) => Math.abs(run.totals![k]! - best) < EPSILON);
    return { ...base, result: 'problem', detail: `picked ${pick} (${total}) but ${top.join(', ')} had ${best}` };
  }
  return { ...base, result: 'ok', detail: run.tie ? `tie at ${best}: ${run.tie.join(', ')}` : `highest total ${best}` };
}

/**
 * The ip of `ip:port`. An endpoint's port can differ from its object's where the EPP rewrites it
 * (llm-d's data-parallel `primaryPort`), so an address is proven another endpoint's only by its ip.
 */
function host(address: string): string {
  return /^(.*):\d+$/.exec(address)?.[1] ?? address;
}

/** The name behind an address, as the record or the address book can prove it. */
function resolve(address: string | undefined, book: AddressBook): string | undefined {
  return address === undefined ? undefined : book.nameOf(address);
}

/** Is Envoy's endpoint the primary profile's pick? */
function envoyCheck(r: OpenRequest, runs: readonly ProfileRun[], primary: ProfileRun | undefined, book: AddressBook): Check | undefined {
  const base = { check: 'envoy-is-primary-pick', profile: primary?.name } as const;
  const first = r.envoyEndpoint?.split(',')[0];
  if (first === undefined) {
    if (runs.length === 0) return undefined;
    if (r.decisionError !== undefined || primary?.status === 'failed') return { ...base, result: 'not-applicable', detail: `no endpoint sent: ${r.decisionError ?? `${primary!.name} failed`}` };
    return { ...base, result: 'unverified', detail: 'no line says what Envoy was sent' };
  }
  if (runs.length === 0) return { ...base, result: 'not-applicable', detail: 'not scheduled (no profile ran): the EPP chose the endpoint without its profiles' };
  const sentName = r.envoyEndpointName ?? resolve(first, book);
  if (primary === undefined) {
    const matching = sentName === undefined ? [] : runs.filter((p) => p.picked?.[0] === sentName).map((p) => p.name);
    return { ...base, result: 'unverified', detail: `no line names the primary profile${matching.length ? `; Envoy's endpoint is the pick of ${matching.join(', ')}` : ''}` };
  }
  const pick = primary.picked?.[0];
  if (pick === undefined) return { ...base, result: 'unverified', detail: `${primary.name} ${primary.status === 'failed' ? 'failed' : 'logged no pick'}, yet Envoy was sent ${r.envoyEndpoint}` };
  if (sentName === undefined) {
    const known = book.addressOf(pick);
    if (known !== undefined && host(known) !== host(first)) return { ...base, result: 'problem', detail: `${primary.name} picked ${pick} (${known}) but Envoy was sent ${r.envoyEndpoint}` };
    return { ...base, result: known === first ? 'ok' : 'unverified', detail: known === first ? `${first} is ${pick}` : `no line names the endpoint at ${first}` };
  }
  if (sentName !== pick) return { ...base, result: 'problem', detail: `${primary.name} picked ${primary.picked!.join(', ')} but Envoy was sent ${r.envoyEndpoint} (${sentName})` };
  return { ...base, result: 'ok', detail: `${primary.name}'s pick` };
}

/** The profile whose pick the P/D pre-request plugin puts in the prefill header. */
function prefillProfile(runs: readonly ProfileRun[], primary: ProfileRun | undefined): ProfileRun | undefined {
  const byName = runs.find((p) => p.name === 'prefill');
  if (byName) return byName;
  const others = runs.filter((p) => p !== primary);
  return primary !== undefined && others.length === 1 ? others[0] : undefined;
}

/** Is the prefill header the prefill profile's pick? */
function prefillCheck(r: OpenRequest, runs: readonly ProfileRun[], primary: ProfileRun | undefined, book: AddressBook): { check: Check | undefined; name: string | undefined } {
  const prefill = prefillProfile(runs, primary);
  const base = { check: 'prefill-is-prefill-pick', profile: prefill?.name } as const;
  const header = r.prefillEndpoint;
  const headerName = header === undefined ? undefined : (r.prefillNameAtSend ?? resolve(header, book));
  if (header === undefined) {
    if (prefill === undefined) return { check: undefined, name: undefined };
    if (prefill.status === 'ok' && prefill.picked?.length && r.sources.has('format-2') && r.answered)
      return { check: { ...base, result: 'unverified', detail: `${prefill.name} picked ${prefill.picked[0]} but no prefill header was sent (is a P/D pre-request plugin configured?)` }, name: undefined };
    return { check: { ...base, result: 'not-applicable', detail: prefill.status === 'ok' ? 'no prefill header sent' : `${prefill.name} ${prefill.status === 'not-run' ? 'not run' : prefill.status}: no prefill header` }, name: undefined };
  }
  if (prefill === undefined) return { check: { ...base, result: 'unverified', detail: `prefill header ${header}${headerName ? ` (${headerName})` : ''}, but no profile is known to be the prefill one` }, name: headerName };
  if (prefill.status === 'failed' || prefill.status === 'not-run') {
    // The pre-request plugin writes the header only from a prefill result.
    return { check: { ...base, result: 'problem', detail: `prefill header ${header} was sent, but ${prefill.name} ${prefill.status === 'failed' ? 'failed' : 'did not run'}` }, name: headerName };
  }
  const pick = prefill.picked?.[0];
  if (pick === undefined) return { check: { ...base, result: 'unverified', detail: `${prefill.name} logged no pick` }, name: headerName };
  if (headerName !== undefined) {
    return headerName === pick
      ? { check: { ...base, result: 'ok', detail: `${prefill.name}'s pick` }, name: headerName }
      : { check: { ...base, result: 'problem', detail: `${prefill.name} picked ${pick} but the prefill header is ${header} (${headerName})` }, name: headerName };
  }
  const known = book.addressOf(pick);
  if (known !== undefined && host(known) !== host(header)) return { check: { ...base, result: 'problem', detail: `${prefill.name} picked ${pick} (${known}) but the prefill header is ${header}` }, name: undefined };
  return { check: { ...base, result: 'unverified', detail: `no line maps ${header} to an endpoint name (upstream logs every endpoint's address at --v=2 when the EPP starts: capture from the start, or read upstream's --v=4 lines)` }, name: undefined };
}

const PROBLEM_OF = { 'pick-is-highest': 'pick-not-highest', 'envoy-is-primary-pick': 'envoy-mismatch', 'prefill-is-prefill-pick': 'prefill-mismatch' } as const;

/** The record of a completed request: its profiles in run order, the checks, the problems. */
export function finishRecord(r: OpenRequest, book: AddressBook): RequestRecord {
  const ran = [...r.profiles.values()].filter((p) => p.status !== 'not-run');
  const notRun = [...r.profiles.values()].filter((p) => p.status === 'not-run');
  const runs = [...ran, ...notRun].map(profileRun);
  const profiles = Object.fromEntries(runs.map((p) => [p.name, p]));
  const active = runs.filter((p) => p.status !== 'not-run');
  let primaryProfile: string | undefined;
  let primarySource: RequestRecord['primarySource'];
  if (r.decisionSeen && r.primary !== undefined) [primaryProfile, primarySource] = [r.primary, 'decision'];
  else if (!r.decisionSeen && active.length === 1) [primaryProfile, primarySource] = [active[0]!.name, 'only-profile'];
  const primary = primaryProfile === undefined ? undefined : profiles[primaryProfile];

  const checks: Check[] = runs.map(pickCheck);
  const envoy = envoyCheck(r, active, primary, book);
  if (envoy) checks.push(envoy);
  const prefill = prefillCheck(r, runs, primary, book);
  if (prefill.check) checks.push(prefill.check);

  const failures: Failure[] = [...r.failures];
  for (const p of runs) {
    if (p.status !== 'failed') continue;
    const message = p.error ?? 'the run returned an error';
    failures.push({ kind: failureKind(message, 'profile-failed'), requestId: r.requestId, profile: p.name, message, line: r.firstLine });
  }
  if (r.decisionError !== undefined) failures.push({ kind: failureKind(r.decisionError, 'scheduling-failed'), requestId: r.requestId, profile: undefined, message: r.decisionError, line: r.firstLine });

  const problems: Problem[] = checks.filter((c) => c.result === 'problem').map((c) => ({ kind: PROBLEM_OF[c.check], requestId: r.requestId, profile: c.profile, detail: c.detail }));
  const picked = primary?.picked;
  const anyPick = runs.some((p) => p.picked?.length);
  if (r.scheduling && failures.length === 0 && r.envoyEndpoint === undefined && !picked?.length && !anyPick) {
    problems.push({ kind: 'no-pick', requestId: r.requestId, profile: primaryProfile, detail: 'the request never got a pick' });
  }
  return {
    requestId: r.requestId,
    firstLine: r.firstLine,
    time: r.time,
    path: r.path,
    incomingModel: r.incomingModel,
    targetModel: r.targetModel,
    profiles,
    primaryProfile,
    primarySource,
    decisionError: r.decisionError,
    picked,
    envoyEndpoint: r.envoyEndpoint,
    envoyEndpointName: r.envoyEndpointName ?? resolve(r.envoyEndpoint?.split(',')[0], book),
    prefillEndpoint: r.prefillEndpoint,
    prefillEndpointName: prefill.name,
    checks,
    failures,
    problems,
    sources: [...r.sources].sort(),
  };
}
