import type { Check, KindCount, ProfileRun, ProfileSummary, RequestRecord, Spread, Summary } from '../analyze/model.ts';
import { filterLabel, scorerLabel } from '../analyze/summary.ts';
import type { Style } from './text.ts';

const num = (value: number | undefined) => (value === undefined ? '-' : Number.isInteger(value) ? String(value) : value.toFixed(3));

/** At most this many endpoint names in one list of a line; the rest are counted. */
const NAMES_SHOWN = 6;
const list = (names: readonly string[]) => (names.length <= NAMES_SHOWN ? names.join(', ') : `${names.slice(0, NAMES_SHOWN).join(', ')}, … (${names.length - NAMES_SHOWN} more)`);

/** A profile run's endpoints, highest weighted total first. */
function endpointsOf(p: ProfileRun): string[] {
  const all = new Set<string>([...Object.keys(p.totals ?? {}), ...p.scorers.flatMap((s) => Object.keys(s.scores)), ...(p.picked ?? [])]);
  return [...all].sort((a, b) => (p.totals?.[b] ?? -Infinity) - (p.totals?.[a] ?? -Infinity) || a.localeCompare(b));
}

function statusText(p: ProfileRun): string | undefined {
  if (p.status === 'failed') return `failed: ${p.error ?? 'no error text'}`;
  if (p.status === 'not-run') return 'not run';
  return p.status === 'ok' ? 'ok' : undefined;
}

/** The heading of a profile's section, and its filters. */
function profileHead(r: RequestRecord, p: ProfileRun, style: Style): string[] {
  const facts = [
    p.name === r.primaryProfile ? (r.primarySource === 'only-profile' ? 'primary (the only profile)' : 'primary') : undefined,
    p.round ? `round ${p.round}` : undefined,
    statusText(p),
    p.candidates ? `${p.candidates.length} candidates` : undefined,
  ].filter(Boolean);
  const lines = [`  ${style.bold(p.named ? p.name : `${p.name} (unnamed)`)}  ${facts.join(' · ')}`.trimEnd()];
  if (p.filters.length > 0) {
    const steps = p.filters.map((f) => {
      const removed = f.removed === undefined ? '' : f.removed.length === 0 ? ' removed none' : ` removed ${list(f.removed)}`;
      return `${filterLabel(f.filter, f.name)} kept ${f.kept ?? '?'}${removed}`;
    });
    lines.push(`    filters  ${steps.join(' · ')}`);
  }
  return lines;
}

/** A profile run as an aligned table: a column per scorer instance, the total, and the pick. */
function profileTable(p: ProfileRun, style: Style): string[] {
  const endpoints = endpointsOf(p);
  if (endpoints.length === 0) return [];
  const header = ['endpoint', ...p.scorers.map((s) => `${scorerLabel(s.scorer, s.name)}${s.weight === undefined ? '' : ` ×${num(s.weight)}`}`), 'total', ''];
  const rows = endpoints.map((e) => {
    const notes: string[] = [];
    if (p.picked?.includes(e)) notes.push('picked');
    if (e === p.runnerUp) notes.push(`runner-up, margin ${num(p.margin)}`);
    if (p.tie?.includes(e)) notes.push('tie');
    return [e, ...p.scorers.map((s) => num(s.scores[e])), num(p.totals?.[e]), notes.join(', ')];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const format = (cells: string[], paint?: (s: string) => string) =>
    '    ' +
    cells
      .map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : i === cells.length - 1 ? (paint ? paint(c) : c) : c.padStart(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [style.dim(format(header)), ...rows.map((row) => format(row, row.at(-1)!.startsWith('picked') ? style.ok : undefined))];
}

/** What a check says after an endpoint line: nothing when it held, `(unverified: ...)` otherwise. */
function verdict(check: Check | undefined, style: Style): string {
  if (check === undefined || check.result === 'problem' || check.result === 'not-applicable') return '';
  return check.result === 'ok' ? style.dim(`  = ${check.detail}`) : style.warn(`  (unverified: ${check.detail})`);
}

/** One request: its head line, a section per profile, what the proxy got, and what is wrong. */
export function renderRequest(r: RequestRecord, style: Style): string {
  const model = r.incomingModel === undefined ? '' : r.targetModel && r.targetModel !== r.incomingModel ? `${r.incomingModel} → ${r.targetModel}` : r.incomingModel;
  const head = [style.bold(r.requestId), model, r.path ?? '', style.dim(`line ${r.firstLine}`)].filter(Boolean).join('  ');
  const lines = [head];
  for (const p of Object.values(r.profiles)) lines.push(...profileHead(r, p, style), ...profileTable(p, style));
  const check = (kind: Check['check']) => r.checks.find((c) => c.check === kind);
  if (r.envoyEndpoint !== undefined) lines.push(`  envoy ← ${r.envoyEndpoint}${r.envoyEndpointName ? ` (${r.envoyEndpointName})` : ''}${verdict(check('envoy-is-primary-pick'), style)}`);
  else if (Object.keys(r.profiles).length > 0) lines.push(style.dim('  envoy ← nothing logged'));
  if (r.prefillEndpoint !== undefined) lines.push(`  prefill ← ${r.prefillEndpoint}${r.prefillEndpointName ? ` (${r.prefillEndpointName})` : ''}${verdict(check('prefill-is-prefill-pick'), style)}`);
  for (const c of r.checks) if (c.result === 'unverified' && c.check === 'pick-is-highest') lines.push(style.warn(`  ? ${c.check}${c.profile ? ` [${c.profile}]` : ''}: ${c.detail}`));
  if (r.prefillEndpoint === undefined) for (const c of r.checks) if (c.result === 'unverified' && c.check === 'prefill-is-prefill-pick') lines.push(style.warn(`  ? ${c.check}: ${c.detail}`));
  if (r.envoyEndpoint === undefined) for (const c of r.checks) if (c.result === 'unverified' && c.check === 'envoy-is-primary-pick') lines.push(style.warn(`  ? ${c.check}: ${c.detail}`));
  for (const f of r.failures) lines.push(style.bad(`  ! failure ${f.kind}${f.profile ? ` [${f.profile}]` : ''}: ${f.message}`));
  for (const p of r.problems) lines.push(style.bad(`  ! ${p.kind}${p.profile ? ` [${p.profile}]` : ''}: ${p.detail}`));
  return lines.join('\n') + '\n';
}

function kinds(byKind: Readonly<Record<string, KindCount>>, style: Style): string {
  const entries = Object.entries(byKind);
  if (entries.length === 0) return style.ok('none');
  return entries
    .map(([kind, { count, requestIds }]) => style.bad(`${kind} ${count}`) + (requestIds.length ? ` (${requestIds.slice(0, 8).join(', ')}${requestIds.length > 8 || count > requestIds.length ? ', …' : ''})` : ''))
    .join('; ');
}

function spreadLine(label: string, spread: Spread): string {
  const { binWidth, bins } = spread.histogram;
  const bin = (start: number) => (binWidth === 0 ? num(start) : `${num(start)}–${num(start + binWidth)}`);
  const histogram = bins.length > 0 && bins.length <= 12 ? `  [${bins.map(([start, n]) => `${bin(start)}: ${n}`).join(', ')}]` : binWidth > 0 ? `  [${bins.length} bins ${num(binWidth)} wide]` : '';
  return `  ${label}: n=${spread.count} min ${num(spread.min)} median ${num(spread.median)} p95 ${num(spread.p95)} max ${num(spread.max)}${histogram}`;
}

function profileSummary(name: string, p: ProfileSummary, style: Style): string[] {
  const statuses = (['ok', 'failed', 'not-run', 'unknown'] as const).filter((s) => p.statuses[s] > 0).map((s) => `${p.statuses[s]} ${s === 'not-run' ? 'not run' : s}`);
  const lines = [`${style.bold(`profile ${name}`)}  in ${p.requests} requests (primary in ${p.primary}): ${statuses.join(', ')}${p.ties ? `; ${p.ties} ties` : ''}`];
  lines.push(`  picks     ${Object.entries(p.picksPerEndpoint).map(([e, n]) => `${e} ${n}`).join(' · ') || 'none'}`);
  for (const [filter, removed] of Object.entries(p.filterRemovals)) lines.push(`  filter ${filter} removed  ${Object.entries(removed).map(([e, n]) => `${e} ×${n}`).join(' · ')}`);
  for (const [label, spread] of Object.entries(p.scorerSpread)) lines.push(spreadLine(label, spread));
  if (Object.keys(p.failuresByKind).length > 0) lines.push(`  failures  ${kinds(p.failuresByKind, style)}`);
  return lines;
}

function checkLine(s: Summary): string {
  const names = { 'pick-is-highest': 'pick', 'envoy-is-primary-pick': 'envoy', 'prefill-is-prefill-pick': 'prefill' } as const;
  const parts = Object.entries(s.checks)
    .map(([kind, counts]) => {
      const shown = (['ok', 'problem', 'unverified', 'not-applicable'] as const).filter((k) => counts[k] > 0).map((k) => `${counts[k]} ${k}`);
      return shown.length ? `${names[kind as keyof typeof names]} ${shown.join(', ')}` : undefined;
    })
    .filter(Boolean);
  return `  checks    ${parts.join(' · ') || 'none'}`;
}

export function renderSummary(s: Summary, style: Style): string {
  const lines = [
    style.bold('summary'),
    `  requests  ${s.requests} (${s.picked} with a pick, ${s.ties} ties); ${s.lines} lines read, ${s.unreadable} unreadable${s.receivedOnly ? `; ${s.receivedOnly} more only received` : ''}`,
    checkLine(s),
    `  failures  ${kinds(s.failuresByKind, style)}`,
    `  problems  ${kinds(s.problemsByKind, style)}`,
  ];
  for (const [name, p] of Object.entries(s.profiles)) lines.push(...profileSummary(name, p, style));
  return lines.join('\n') + '\n';
}

/**
 * What to say when the input held no scheduling lines at all (analyze then exits 1): what it saw,
 * and what to do.
 */
export function renderNoScheduling(s: Summary, source: string): string {
  const input = s.input;
  const saw: string[] = [];
  if (s.lines === 0) saw.push(`${source} is empty.`);
  else {
    saw.push(`${source}: ${s.lines} lines, ${input?.records ?? 0} log records, ${s.unreadable} unreadable.`);
    if (input && input.records > 0) {
      saw.push(`  levels: ${Object.entries(input.levels).map(([l, n]) => `${l} ×${n}`).join(', ')}`);
      saw.push(`  most common messages: ${input.messages.map(([m, n]) => `${JSON.stringify(m)} ×${n}`).join(', ')}`);
    }
    if (input?.requestsReceived) saw.push(`  ${input.requestsReceived} requests were received ("EPP received request"), but no line says how they were scheduled.`);
  }
  const todo =
    s.lines === 0
      ? ['Check the command or file that produced it: `instrument logs --since 10m --save epp.log` captures the EPP\'s logs.']
      : !input || input.records === 0
        ? ['None of its lines is a zap log record: is this the EPP\'s log? (`kubectl logs -n <namespace> deploy/<epp>`, or `instrument logs`.)']
        : [
            'The EPP is not instrumented, or its log level hides the lines:',
            '  - instrumented? `instrument status` in the workspace; `instrument apply`, then build, load and deploy the image;',
            "  - `instrument apply --verbosity N` writes at V(N): the EPP prints them only with --v >= N (its default is --v=2, the default of --verbosity; GIE v1.3.1 prints only V0: apply with --verbosity 0);",
            "  - uninstrumented, upstream's own lines need the EPP's --v=3 (profile runs) or --v=4 (filters, scores, picks).",
          ];
  return `${['no scheduling lines in the input: nothing to analyze.', ...saw, ...todo].join('\n')}\n`;
}
