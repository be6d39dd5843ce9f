/**
 * The what-if and the comparison as HTML sections: self-contained fragments (tables, no script)
 * that the analyze page can append, and a minimal page around them for `--html` on its own.
 */
import type { CompareReport } from '../analyze/compare.ts';
import type { WhatIfReport } from '../analyze/whatif.ts';
import { FLIPS_SHOWN, num, shapeText, signed, undeterminedText } from './whatif.ts';

const escape = (text: string) => text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

function table(head: readonly string[], rows: readonly (readonly string[])[]): string {
  const tr = (cells: readonly string[], tag: 'th' | 'td') => `<tr>${cells.map((c, i) => `<${tag}${i === 0 ? ' class="name"' : ''}>${escape(c)}</${tag}>`).join('')}</tr>`;
  return `<table>\n<thead>${tr(head, 'th')}</thead>\n<tbody>\n${rows.map((r) => tr(r, 'td')).join('\n')}\n</tbody>\n</table>`;
}

/** The what-if: weights, arithmetic, per profile the picks before and after, the flips. */
export function renderWhatIfSection(report: WhatIfReport): string {
  const parts = [
    `<section class="whatif" id="what-if">`,
    `<h2>What if: ${escape(report.weights.map((w) => `${w.key}=${num(w.weight)}`).join(','))}</h2>`,
    `<ul>`,
    ...report.changes.map((c) => `<li>weight of ${escape(c.scorer)} in ${escape(c.profile)}: ${escape(c.logged.map(num).join('/'))} → ${escape(num(c.whatIf))}</li>`),
    `<li>checked: in ${report.recomputed} profile runs the logged weights and raw scores give the logged totals and picks</li>`,
    `<li>arithmetic: ${escape(shapeText(report.shape))}</li>`,
    `<li>${report.changed} of ${report.recomputed} profile runs change their pick${report.undetermined ? `, ${report.undetermined} undetermined (${undeterminedText(report)})` : ''} (${report.requests} requests)</li>`,
    ...report.notes.map((n) => `<li>${escape(n)}</li>`),
    `</ul>`,
  ];
  for (const [name, p] of Object.entries(report.profiles)) {
    const endpoints = [...new Set([...Object.keys(p.logged), ...Object.keys(p.whatIf)])].sort();
    const rows = endpoints.map((e) => [e, String(p.logged[e] ?? 0), String(p.whatIf[e] ?? 0), signed((p.whatIf[e] ?? 0) - (p.logged[e] ?? 0)), String(p.gained[e] ?? 0), String(p.lost[e] ?? 0)]);
    if (p.newTies) rows.push(['(left to a tie)', '', String(p.newTies), '', '', '']);
    parts.push(`<h3>Profile ${escape(name)}: ${p.recomputed} runs recomputed</h3>`, table(['endpoint', 'logged', 'what-if', 'change', 'gains', 'losses'], rows));
  }
  if (report.flips.length > 0) {
    const rows = report.flips.slice(0, FLIPS_SHOWN * 25).map((f) => [
      f.requestId,
      f.primary ? `${f.profile} (primary)` : f.profile,
      `${f.from.join(',')} → ${f.to.join(',')}`,
      `${num(f.loggedMargin)} → ${num(f.whatIfMargin)}`,
      `${num(f.totals.from[0])} → ${num(f.totals.from[1])}`,
      `${num(f.totals.to[0])} → ${num(f.totals.to[1])}`,
    ]);
    parts.push(`<h3>Flips (${report.flips.length})</h3>`, table(['request', 'profile', 'logged → what-if', 'margin', 'totals old pick', 'totals new pick'], rows));
  }
  if (report.undeterminedRuns.length > 0) {
    const rows = report.undeterminedRuns.slice(0, FLIPS_SHOWN * 25).map((u) => [u.requestId, u.profile, `${u.from.join(',')} → ${u.to ? u.to.join(',') : '?'}`, u.reason === 'new-tie' ? 'what-if' : 'logged', num(u.total), u.tied.join(', ')]);
    parts.push(`<h3>Undetermined (${report.undeterminedRuns.length}): equal totals at the pick</h3>`, table(['request', 'profile', 'logged → what-if', 'tie', 'at', 'between'], rows));
  }
  parts.push('</section>');
  return parts.join('\n');
}

/** The comparison: per profile the picks, margins, spreads and failures of both runs, and the differences. */
export function renderCompareSection(report: CompareReport): string {
  const [a, b] = report.labels;
  const parts = [`<section class="compare" id="compare">`, `<h2>Compare: ${escape(a)} → ${escape(b)}</h2>`];
  parts.push(table(['', a, b, 'difference'], [['requests', String(report.requests[0]), String(report.requests[1]), signed(report.requests[1] - report.requests[0])], ...report.failures.map((f) => [`failures ${f.kind}`, String(f.counts[0]), String(f.counts[1]), signed(f.counts[1] - f.counts[0])])]));
  for (const p of report.profiles) {
    parts.push(`<h3>Profile ${escape(p.name)}</h3>`);
    parts.push(table(['endpoint', `picks ${a}`, `picks ${b}`, 'difference', 'share difference'], p.picks.map((x) => [x.endpoint, `${x.counts[0]} (${pct(x.shares[0])})`, `${x.counts[1]} (${pct(x.shares[1])})`, signed(x.counts[1] - x.counts[0]), `${signed(100 * (x.shares[1] - x.shares[0]))} pts`])));
    parts.push(table(['margin', a, b, 'difference'], ['min', 'median', 'max'].map((k) => [k, num(p.margin[0]?.[k as 'min']), num(p.margin[1]?.[k as 'min']), diff(p.margin[0]?.[k as 'min'], p.margin[1]?.[k as 'min'])])));
    const spreadRows = p.scorers.flatMap((s) => s.endpoints.map((e) => [`${s.scorer} · ${e.endpoint}`, spread(e.spreads[0]), spread(e.spreads[1]), diff(e.spreads[0]?.median, e.spreads[1]?.median)]));
    if (spreadRows.length > 0) parts.push(table(['scorer · endpoint', `min/median/max ${a}`, `min/median/max ${b}`, 'median difference'], spreadRows));
  }
  parts.push('</section>');
  return parts.join('\n');
}

const pct = (share: number) => `${Math.round(1000 * share) / 10}%`;
const diff = (x: number | undefined, y: number | undefined) => (x === undefined || y === undefined ? '-' : signed(y - x));
const spread = (s: { min: number; median: number; max: number } | undefined) => (s === undefined ? '-' : `${num(s.min)} / ${num(s.median)} / ${num(s.max)}`);

/** A page holding only the given sections (for `--html` with `--weights` or `--compare`). */
export function renderSectionsPage(title: string, sections: readonly string[]): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escape(title)}</title>
<style>
  body { font: 14px/1.4 system-ui, sans-serif; margin: 24px; color: #1d2430; }
  h2 { font-size: 18px; } h3 { font-size: 15px; margin-top: 20px; }
  table { border-collapse: collapse; font-variant-numeric: tabular-nums; margin: 8px 0; }
  th, td { padding: 2px 8px; border: 1px solid #e3e6eb; text-align: right; white-space: nowrap; }
  th.name, td.name { text-align: left; }
</style>
</head>
<body>
${sections.join('\n')}
</body>
</html>
`;
}
