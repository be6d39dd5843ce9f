import type { CompareReport, Pair, Stat } from '../analyze/compare.ts';
import type { Shape, WhatIfReport } from '../analyze/whatif.ts';
import type { Style } from './text.ts';

export const num = (value: number | undefined) => (value === undefined ? '-' : Number.isInteger(value) ? String(value) : String(Number(value.toFixed(3))));
export const signed = (value: number) => (value > 0 ? `+${num(value)}` : value < 0 ? `−${num(-value)}` : '0');

/** At most this many flips in the text; `--json` has them all. */
export const FLIPS_SHOWN = 40;

/** Rows of cells as aligned columns: `align` has an `l` or `r` per column (default: the first left, the others right). */
export function columns(rows: readonly (readonly string[])[], style: Style, align = 'l'): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => (row[i] ?? '').length)));
  const left = (i: number) => (align[i] ?? 'r') === 'l';
  const lines = rows.map((row) => '  ' + row.map((c, i) => (left(i) ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd());
  return lines.map((line, i) => (i === 0 ? style.dim(line) : line));
}

export function shapeText(shape: Shape): string {
  const arithmetic =
    shape.arithmetic === 'clamped'
      ? 'raw scores clamped to [0,1] (GIE v1.0 on)'
      : shape.arithmetic === 'unclamped'
        ? 'raw scores not clamped (GIE v0.4/v0.5)'
        : 'clamping not shown (no raw score outside [0,1]; both give the same picks)';
  const weights = shape.weightType === 'unknown' ? 'weight type not shown (int up to GIE v1.3.1, float64 after)' : shape.weightType === 'int' ? 'int weights' : 'float64 weights';
  return `${arithmetic} · ${weights}`;
}

const short = (endpoints: readonly string[]) => endpoints.join(',');

/** How many runs are undetermined for each reason. */
export function undeterminedText(report: WhatIfReport): string {
  const newTies = report.undeterminedRuns.filter((u) => u.reason === 'new-tie').length;
  const loggedTies = report.undeterminedRuns.length - newTies;
  return [newTies ? `${newTies} tie in the new totals` : '', loggedTies ? `${loggedTies} changed within a logged tie` : ''].filter(Boolean).join(', ');
}

/** The what-if as text: the weights, the arithmetic, per profile the picks before and after, and the flips. */
export function renderWhatIf(report: WhatIfReport, style: Style): string {
  const lines = [style.bold(`what if: ${report.weights.map((w) => `${w.key}=${num(w.weight)}`).join(',')}`)];
  for (const c of report.changes) lines.push(`  weight      ${c.profile}: ${c.scorer} ${c.logged.map(num).join('/')} → ${num(c.whatIf)}`);
  lines.push(`  checked     ${report.recomputed} profile runs: the logged weights and raw scores give the logged totals and picks`);
  lines.push(`  arithmetic  ${shapeText(report.shape)}`);
  lines.push(
    `  picks       ${report.changed} of ${report.recomputed} profile runs change` +
      (report.undetermined ? `, ${report.undetermined} undetermined (${undeterminedText(report)})` : '') +
      ` (${report.requests} requests)`,
  );
  for (const note of report.notes) lines.push(style.dim(`  note        ${note}`));
  for (const [name, p] of Object.entries(report.profiles)) {
    lines.push(style.bold(`profile ${name}`) + `  ${p.recomputed} runs recomputed${p.loggedTies ? `, ${p.loggedTies} logged picks came out of a tie` : ''}`);
    const endpoints = [...new Set([...Object.keys(p.logged), ...Object.keys(p.whatIf)])].sort();
    const rows = [['endpoint', 'logged', 'what-if', 'change', 'gains', 'losses']];
    for (const e of endpoints) {
      const before = p.logged[e] ?? 0;
      const after = p.whatIf[e] ?? 0;
      rows.push([e, String(before), String(after), signed(after - before), String(p.gained[e] ?? 0), String(p.lost[e] ?? 0)]);
    }
    if (p.newTies) rows.push(['(left to a tie)', '', String(p.newTies), '', '', '']);
    lines.push(...columns(rows, style));
  }
  if (report.flips.length > 0) {
    lines.push(style.bold(`flips (${report.flips.length})`));
    const rows = [['request', 'profile', 'logged → what-if', 'margin logged → what-if', 'totals old pick', 'totals new pick']];
    for (const f of report.flips.slice(0, FLIPS_SHOWN)) {
      rows.push([
        f.requestId,
        f.primary ? `${f.profile}*` : f.profile,
        `${short(f.from)} → ${short(f.to)}`,
        `${num(f.loggedMargin)} → ${num(f.whatIfMargin)}`,
        `${num(f.totals.from[0])} → ${num(f.totals.from[1])}`,
        `${num(f.totals.to[0])} → ${num(f.totals.to[1])}`,
      ]);
    }
    lines.push(...columns(rows, style, 'lllrrr'));
    if (report.flips.length > FLIPS_SHOWN) lines.push(style.dim(`  … ${report.flips.length - FLIPS_SHOWN} more (--json has them all)`));
    if (report.flips.some((f) => f.primary)) lines.push(style.dim('  * the primary profile: its pick is the endpoint Envoy gets'));
  }
  if (report.undeterminedRuns.length > 0) {
    lines.push(style.bold(`undetermined (${report.undeterminedRuns.length})`) + style.dim('  equal totals at the pick: the picker chooses among them at random'));
    const rows = [['request', 'profile', 'logged → what-if', 'tie', 'at', 'between']];
    for (const u of report.undeterminedRuns.slice(0, FLIPS_SHOWN)) rows.push([u.requestId, u.profile, `${short(u.from)} → ${u.to ? short(u.to) : '?'}`, u.reason === 'new-tie' ? 'what-if' : 'logged', num(u.total), short(u.tied)]);
    lines.push(...columns(rows, style, 'lllrrl'));
    if (report.undeterminedRuns.length > FLIPS_SHOWN) lines.push(style.dim(`  … ${report.undeterminedRuns.length - FLIPS_SHOWN} more (--json has them all)`));
  }
  return lines.join('\n') + '\n';
}

const pct = (share: number) => `${Math.round(1000 * share) / 10}%`;
const delta = (pair: Pair<number>) => signed(pair[1] - pair[0]);
const statText = (s: Stat | undefined) => (s === undefined ? '-' : `${num(s.min)}/${num(s.median)}/${num(s.max)}`);
const medianDelta = (pair: Pair<Stat | undefined>) => (pair[0] === undefined || pair[1] === undefined ? '-' : signed(pair[1].median - pair[0].median));

/** Two runs side by side: per profile the picks, margins, spreads (min/median/max) and failures, with the differences. */
export function renderCompare(report: CompareReport, style: Style): string {
  const [a, b] = report.labels;
  const lines = [style.bold(`compare: A = ${a}, B = ${b}`)];
  const head = ['', 'A', 'B', 'B − A'];
  const top = [head, ['requests', String(report.requests[0]), String(report.requests[1]), delta(report.requests)], ['with a pick', String(report.picked[0]), String(report.picked[1]), delta(report.picked)]];
  for (const f of report.failures) top.push([`failures ${f.kind}`, String(f.counts[0]), String(f.counts[1]), delta(f.counts)]);
  for (const f of report.problems) top.push([`problems ${f.kind}`, String(f.counts[0]), String(f.counts[1]), delta(f.counts)]);
  lines.push(...columns(top, style));
  for (const p of report.profiles) {
    lines.push(style.bold(`profile ${p.name}`) + `  picks ${p.ok[0]} → ${p.ok[1]}, failed ${p.failed[0]} → ${p.failed[1]}, ties ${p.ties[0]} → ${p.ties[1]}`);
    const picks = [['endpoint', 'picks A', 'picks B', 'B − A', 'share B − A']];
    for (const x of p.picks) picks.push([x.endpoint, `${x.counts[0]} (${pct(x.shares[0])})`, `${x.counts[1]} (${pct(x.shares[1])})`, delta(x.counts), `${signed(Math.round(1000 * (x.shares[1] - x.shares[0])) / 10)} pts`]);
    picks.push(['margin min/median/max', statText(p.margin[0]), statText(p.margin[1]), medianDelta(p.margin)]);
    lines.push(...columns(picks, style));
    const spreads = [['scorer · endpoint', 'A min/median/max', 'B min/median/max', 'median B − A']];
    for (const s of p.scorers) {
      const weights = s.weights[0].join('/') === s.weights[1].join('/') ? `×${s.weights[0].map(num).join('/')}` : `×${s.weights[0].map(num).join('/') || '-'} → ×${s.weights[1].map(num).join('/') || '-'}`;
      for (const e of s.endpoints) spreads.push([`${s.scorer} ${weights} · ${e.endpoint}`, statText(e.spreads[0]), statText(e.spreads[1]), medianDelta(e.spreads)]);
    }
    if (spreads.length > 1) lines.push(...columns(spreads, style));
    for (const f of p.failures) lines.push(style.bad(`  failures ${f.kind}: ${f.counts[0]} → ${f.counts[1]} (${delta(f.counts)})`));
  }
  return lines.join('\n') + '\n';
}
