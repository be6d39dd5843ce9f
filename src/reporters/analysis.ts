import type { RequestRecord, Summary } from '../analyze/model.ts';
import type { Style } from './text.ts';

const num = (value: number | undefined) => (value === undefined ? '-' : Number.isInteger(value) ? String(value) : value.toFixed(3));

/** The endpoints of a request, highest weighted total first. */
function endpointsOf(r: RequestRecord): string[] {
  const all = new Set<string>([...(r.candidates ?? []), ...Object.keys(r.totals ?? {}), ...r.scorers.flatMap((s) => Object.keys(s.scores)), ...(r.picked ?? [])]);
  return [...all].sort((a, b) => (r.totals?.[b] ?? -Infinity) - (r.totals?.[a] ?? -Infinity) || a.localeCompare(b));
}

/** One request as a compact aligned table: a column per scorer, the total, and what was picked. */
export function renderRequest(r: RequestRecord, style: Style): string {
  const model = r.incomingModel === undefined ? '' : r.targetModel && r.targetModel !== r.incomingModel ? `${r.incomingModel} → ${r.targetModel}` : r.incomingModel;
  const head = [style.bold(r.requestId), model, r.path ?? '', style.dim(`line ${r.firstLine}`)].filter(Boolean).join('  ');
  const scorerColumns = r.scorers.map((s) => `${s.name && s.name !== s.scorer ? `${s.name} (${s.scorer})` : s.scorer}${s.weight === undefined ? '' : ` ×${num(s.weight)}`}`);
  const endpoints = endpointsOf(r);
  const header = ['endpoint', ...scorerColumns, 'total', ''];
  const rows = endpoints.map((e) => {
    const notes: string[] = [];
    if (r.picked?.includes(e)) notes.push('picked');
    if (e === r.runnerUp) notes.push(`runner-up, margin ${num(r.margin)}`);
    if (r.tie?.includes(e)) notes.push('tie');
    return [e, ...r.scorers.map((s) => num(s.scores[e])), num(r.totals?.[e]), notes.join(', ')];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const format = (cells: string[], paint?: (s: string) => string) =>
    '  ' +
    cells
      .map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : i === cells.length - 1 ? (paint ? paint(c) : c) : c.padStart(widths[i]!)))
      .join('  ')
      .trimEnd();
  const lines = [head];
  if (endpoints.length > 0) {
    lines.push(style.dim(format(header)));
    for (const row of rows) lines.push(format(row, row.at(-1)!.startsWith('picked') ? style.ok : undefined));
  }
  if (r.envoyEndpoint !== undefined) lines.push(`  envoy ← ${r.envoyEndpoint}${r.envoyEndpointName ? ` (${r.envoyEndpointName})` : ''}`);
  for (const p of r.problems) lines.push(style.bad(`  ! ${p.kind}: ${p.detail}`));
  return lines.join('\n') + '\n';
}

function kinds(byKind: Summary['failuresByKind'], style: Style): string {
  const entries = Object.entries(byKind);
  if (entries.length === 0) return style.ok('none');
  return entries
    .map(([kind, { count, requestIds }]) => style.bad(`${kind} ${count}`) + (requestIds.length ? ` (${requestIds.slice(0, 8).join(', ')}${requestIds.length > 8 || count > requestIds.length ? ', …' : ''})` : ''))
    .join('; ');
}

export function renderSummary(s: Summary, style: Style): string {
  const lines = [
    style.bold('summary'),
    `  requests  ${s.requests} (${s.picked} with a pick, ${s.ties} ties); ${s.lines} lines read, ${s.unreadable} unreadable`,
    `  picks     ${Object.entries(s.picksPerEndpoint).map(([e, n]) => `${e} ${n}`).join(' · ') || 'none'}`,
  ];
  const spreads = Object.entries(s.scorerSpread).sort(([a], [b]) => (a === 'active-request-scorer' ? -1 : b === 'active-request-scorer' ? 1 : a.localeCompare(b)));
  for (const [scorer, spread] of spreads) {
    const values = spread.histogram;
    const histogram = values.length > 0 && values.length <= 12 ? `  [${values.map(([v, n]) => `${num(v)}: ${n}`).join(', ')}]` : '';
    lines.push(`  ${scorer}: n=${spread.count} min ${num(spread.min)} median ${num(spread.median)} p95 ${num(spread.p95)} max ${num(spread.max)}${histogram}`);
  }
  lines.push(`  failures  ${kinds(s.failuresByKind, style)}`);
  lines.push(`  problems  ${kinds(s.problemsByKind, style)}`);
  return lines.join('\n') + '\n';
}
