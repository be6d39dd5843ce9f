import type { ProfileSummary, RequestRecord, Summary } from '../analyze/model.ts';
import { activeFirst } from '../analyze/summary.ts';
import { type Axis, type ChartPoint, histogramChart, type Layout, picksChart, scoreChart, shareChart } from './html/charts.ts';
import { esc, num, tag } from './html/markup.ts';
import { inTimeOrder, isActiveRequestScorer, type PageRequest, pageRequest } from './html/model.ts';
import { endpointColours, RAMP } from './html/scale.ts';
import { STYLES } from './html/styles.ts';
import { checksTable, failuresTable, requestTable } from './html/tables.ts';

/** At most this many requests get rows in the tables; the summary always covers all of them. */
export const PAGE_REQUEST_LIMIT = 2000;
/** At most this many requests are drawn in the charts. */
export const CHART_REQUEST_LIMIT = 20_000;

/** A part of the page: a heading and its markup (already escaped), linked from the page's top. */
export interface PageSection {
  /** The anchor (`id`) of the section. */
  readonly id: string;
  readonly title: string;
  readonly html: string;
}

/**
 * Collects what the HTML page shows while the analysis streams (bounded), then renders one
 * self-contained page: styles inline, charts as SVG drawn here, no script and nothing fetched, so
 * it reads the same with JavaScript off.
 */
export class PageCollector {
  private readonly requests: PageRequest[] = [];
  private tableRows = 0;
  private dropped = 0;

  add(record: RequestRecord): void {
    if (this.requests.length >= CHART_REQUEST_LIMIT) {
      this.dropped++;
      return;
    }
    const inTable = this.tableRows < PAGE_REQUEST_LIMIT;
    if (inTable) this.tableRows++;
    this.requests.push(pageRequest(record, inTable));
  }

  /** The page; `extra` sections (another reporter's) follow the profiles. */
  render(summary: Summary, extra: readonly PageSection[] = []): string {
    return renderPage(summary, this.requests, { dropped: this.dropped, tableRows: this.tableRows }, extra);
  }
}

/** When every endpoint is `namespace/name` in one namespace, the name alone. */
function shortener(endpoints: readonly string[]): (endpoint: string) => string {
  const namespaces = new Set(endpoints.map((e) => (e.includes('/') ? e.slice(0, e.indexOf('/')) : '')));
  const [only] = namespaces;
  return namespaces.size === 1 && only ? (e) => (e.startsWith(`${only}/`) ? e.slice(only.length + 1) : e) : (e) => e;
}

function axisOf(requests: readonly PageRequest[], byTime: boolean): { axis: Axis; x: (r: PageRequest, index: number) => number; start: number | undefined } {
  if (byTime && requests.length > 0) {
    const start = requests[0]!.time!;
    const end = (requests[requests.length - 1]!.time! - start) / 1000;
    return { axis: { lo: 0, hi: end || 1, label: `s since ${new Date(start).toISOString()}`, unit: 's' }, x: (r) => (r.time! - start) / 1000, start };
  }
  return { axis: { lo: 0, hi: Math.max(1, requests.length - 1), label: 'requests in the order of their first line (the lines carry no timestamps)', unit: 'requests' }, x: (_, i) => i, start: undefined };
}

function legend(summary: Summary, colours: ReadonlyMap<string, string>, short: (e: string) => string): string {
  const samples = RAMP.map((c, i) => tag('span', { class: 'sample', style: `background:${c};${i >= 5 ? 'color:#fff' : ''}` }, num(i / (RAMP.length - 1), 2)));
  const rows = [
    ['colour', `${samples.join('')}<br>light is low, dark is high. Each map states its range in its header: raw scores on 0–1 (the range scorers return; values outside it take the end colours), weighted totals from 0 to the profile's highest total.`],
    [tag('span', { class: 'sample const' }, '0'), 'grey and striped: a <b>constant</b> map, the same value for every endpoint and request (its header says “constant 0”); it is not painted, since it tells the endpoints apart in no way.'],
    [tag('span', { class: 'sample', style: 'outline:2px solid #111;outline-offset:-2px;font-weight:700;background:#9ecae1' }, '0.500'), "outlined: the endpoint the profile picked (its first target). <b>margin</b>: the pick's total minus the runner-up's; <b>tie</b>: several endpoints share the highest total."],
    ['sent to proxy', '✓ what the proxy got is the pick, ✗ it is not (a problem), ? the lines cannot tell. The primary profile sends to Envoy; the prefill profile sets the x-prefiller-host-port header.'],
    [
      'endpoints',
      tag(
        'span',
        { class: 'swatches' },
        [...colours].map(([e, c]) => tag('span', { 'data-endpoint': e, title: e }, tag('i', { class: 'swatch', style: `background:${c}` }) + esc(short(e)))).join(''),
      ) + ' <span class="note">(the same colour in every chart)</span>',
    ],
  ];
  const profiles = Object.keys(summary.profiles).length;
  return tag('div', { class: 'legend', id: 'legend-body', 'data-profiles': profiles }, rows.map(([k, v]) => tag('div', { class: 'key' }, k!) + tag('div', {}, v!)).join(''));
}

function picksBars(p: ProfileSummary, colours: ReadonlyMap<string, string>): string {
  const entries = Object.entries(p.picksPerEndpoint);
  if (entries.length === 0) return tag('p', { class: 'note' }, 'no picks');
  const most = Math.max(1, ...entries.map(([, n]) => n));
  const total = entries.reduce((s, [, n]) => s + n, 0);
  return tag(
    'div',
    { class: 'bars' },
    entries
      .map(([e, n]) =>
        tag('div', { 'data-endpoint': e, 'data-picks': n }, tag('span', { class: 'bar', style: `width:${Math.round((320 * n) / most)}px;background:${colours.get(e) ?? '#4e79a7'}` }) + tag('span', {}, `${esc(e)} ${n} <span class="note">(${Math.round((100 * n) / total)} %)</span>`)),
      )
      .join(''),
  );
}

function profileSection(name: string, p: ProfileSummary, requests: readonly PageRequest[], chart: { layout: Layout; x: (r: PageRequest, i: number) => number; start: number | undefined }, short: (e: string) => string): string {
  const statuses = Object.entries(p.statuses)
    .filter(([, n]) => n > 0)
    .map(([k, n]) => `${n} ${k === 'not-run' ? 'not run' : k}`);
  const parts = [tag('h2', {}, `profile ${esc(name)}`), tag('p', { class: 'note' }, esc(`in ${p.requests} requests, primary in ${p.primary}: ${statuses.join(', ')}${p.ties ? `; ${p.ties} ties` : ''}`))];
  parts.push(tag('h3', {}, 'Picks per endpoint'), picksBars(p, chart.layout.colours));
  for (const [filter, removed] of Object.entries(p.filterRemovals)) {
    parts.push(tag('p', { class: 'note', 'data-filter': filter }, esc(`filter ${filter} removed ${Object.entries(removed).map(([e, n]) => `${e} ×${n}`).join(', ')}`)));
  }

  const runs = requests.flatMap((r, i) => r.runs.filter((run) => run.name === name).map((run) => ({ request: r, run, x: chart.x(r, i) })));
  const endpoints = [...new Set(runs.flatMap(({ run }) => [...run.picked, ...Object.values(run.scores).flatMap((s) => Object.keys(s))]))].sort();
  const point = (x: number, run: (typeof runs)[number]['run'], label?: string): ChartPoint => ({ x, picked: run.status === 'ok' ? run.picked[0] : undefined, scores: label === undefined ? undefined : run.scores[label] });
  parts.push(tag('h3', {}, 'Over the run'));
  const active = [...new Set(runs.flatMap(({ run }) => Object.keys(run.scores).filter(isActiveRequestScorer)))].sort(activeFirst);
  for (const label of active) parts.push(scoreChart(name, label, endpoints, runs.map(({ x, run }) => point(x, run, label)), chart.layout, short));
  if (active.length === 0) parts.push(tag('p', { class: 'note', 'data-chart': 'score-missing' }, 'No active-request-scorer in this profile: no score chart.'));
  const picks = runs.map(({ x, run }) => point(x, run));
  parts.push(picksChart(name, endpoints, picks, chart.layout, short), shareChart(name, endpoints, picks, chart.layout));

  const spreads = Object.entries(p.scorerSpread);
  if (spreads.length > 0) {
    parts.push(tag('h3', {}, 'Raw score distributions'), tag('div', { class: 'histograms' }, spreads.map(([label, s]) => histogramChart(name, label, s.histogram, s.count)).join('')));
  }

  const rows = runs.filter(({ request }) => request.inTable);
  const time = (r: PageRequest) => (chart.start === undefined || r.time === undefined ? `line ${r.line}` : ((r.time - chart.start) / 1000).toFixed(3));
  parts.push(tag('h3', {}, `Requests, in time order <span class="note">(${rows.length}${rows.length < runs.length ? ` of ${runs.length}` : ''})</span>`));
  parts.push(requestTable(name, rows, { time, short, colours: chart.layout.colours }));
  return tag('section', { class: 'profile', id: `profile-${name.replace(/[^\w-]/g, '_')}`, 'data-profile': name }, parts.join('\n'));
}

/** The whole page: an overview, the legend, the checks and failures, one section per profile, then `extra`. */
export function renderPage(summary: Summary, collected: readonly PageRequest[], counts: { dropped: number; tableRows: number }, extra: readonly PageSection[] = []): string {
  const { requests, byTime } = inTimeOrder(collected);
  const { axis, x, start } = axisOf(requests, byTime);
  const all = [...new Set(requests.flatMap((r) => r.runs.flatMap((run) => [...run.picked, ...Object.keys(run.totals), ...Object.values(run.scores).flatMap((s) => Object.keys(s))])))].sort();
  const colours = endpointColours(all);
  const short = shortener(all);
  const left = Math.min(220, Math.max(52, 14 + 6.6 * Math.max(0, ...all.map((e) => short(e).length))));
  const layout: Layout = { axis, colours, left };

  const span = byTime && requests.length > 0 ? ` from ${requests[0]!.timeText} to ${requests[requests.length - 1]!.timeText} (${num(axis.hi, 1)} s)` : '';
  const limits = [
    counts.tableRows < collected.length ? `the tables show the first ${counts.tableRows} requests completed` : '',
    counts.dropped ? `the charts the first ${collected.length} (${counts.dropped} more are in the summary only)` : '',
  ].filter(Boolean);
  const overview =
    `${summary.requests} requests${span}: ${summary.picked} with a pick, ${summary.ties} ties; ${summary.lines} lines read, ${summary.unreadable} unreadable. ` +
    `Profiles: ${Object.entries(summary.profiles).map(([n, p]) => `${n} (primary in ${p.primary})`).join(', ') || 'none'}.` +
    (limits.length ? ` Of them, ${limits.join('; ')}.` : '') +
    (byTime ? '' : ' Not every request has a timestamp: rows and charts follow the order of the first lines.');

  const sections: PageSection[] = [
    { id: 'legend', title: 'How to read this page', html: legend(summary, colours, short) },
    { id: 'checks', title: 'Checks', html: checksTable(summary) },
    { id: 'failures', title: 'Failures and problems', html: failuresTable(summary) },
  ];
  const profiles = Object.entries(summary.profiles).map(([name, p]) => ({ id: `profile-${name.replace(/[^\w-]/g, '_')}`, title: `profile ${name}`, html: profileSection(name, p, requests, { layout, x, start }, short) }));
  const nav = [...sections, ...profiles, ...extra].map((s) => tag('a', { href: `#${s.id}` }, esc(s.title))).join('');
  const body = [
    tag('header', {}, tag('h1', {}, 'EPP scoring, request by request and profile by profile') + tag('p', { id: 'overview', class: 'note' }, esc(overview)) + tag('nav', {}, nav)),
    ...sections.map((s) => tag('section', { id: s.id }, tag('h2', {}, esc(s.title)) + s.html)),
    ...profiles.map((s) => s.html),
    ...extra.map((s) => tag('section', { id: s.id, class: 'extra' }, tag('h2', {}, esc(s.title)) + s.html)),
  ];
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>instrument analyze: EPP scoring</title>
<style>${STYLES}</style>
</head>
<body>
${body.join('\n')}
</body>
</html>
`;
}
