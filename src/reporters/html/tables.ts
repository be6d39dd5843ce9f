import type { CheckKind, KindCount, Summary } from '../../analyze/model.ts';
import { activeFirst } from '../../analyze/summary.ts';
import { esc, num, tag } from './markup.ts';
import type { PageRequest, PageRun, Sent } from './model.ts';
import { DARK_FROM, rawScale, type Scale, step, totalScale } from './scale.ts';

export function checksTable(summary: Summary): string {
  const head = tag('tr', {}, ['check', 'ok', 'problem', 'unverified', 'not applicable'].map((h, i) => tag('th', { class: i === 0 ? 'id' : undefined }, h)).join(''));
  const rows = (Object.keys(summary.checks) as CheckKind[]).map((kind) => {
    const c = summary.checks[kind];
    const cells = [c.ok, c.problem, c.unverified, c['not-applicable']].map((n, i) => tag('td', { class: i === 1 && n > 0 ? 'bad' : i === 0 && n > 0 ? 'ok' : undefined }, String(n)));
    return tag('tr', { 'data-check': kind }, tag('td', { class: 'id' }, kind) + cells.join(''));
  });
  return tag('table', { id: 'check-table', class: 'plain' }, tag('thead', {}, head) + tag('tbody', {}, rows.join('')));
}

export function failuresTable(summary: Summary): string {
  const kinds: Array<[string, Readonly<Record<string, KindCount>>]> = [
    ['failure', summary.failuresByKind],
    ['problem', summary.problemsByKind],
  ];
  const rows = kinds.flatMap(([what, byKind]) =>
    Object.entries(byKind).map(([kind, k]) =>
      tag('tr', { 'data-kind': kind }, tag('td', { class: 'id bad' }, esc(`${what}: ${kind}`)) + tag('td', {}, String(k.count)) + tag('td', { class: 'id ids' }, esc(k.requestIds.join(', ') + (k.count > k.requestIds.length ? ', …' : '')))),
    ),
  );
  if (rows.length === 0) return tag('p', { class: 'ok' }, 'none');
  const head = tag('tr', {}, tag('th', { class: 'id' }, 'kind') + tag('th', {}, 'count') + tag('th', { class: 'id' }, 'request ids'));
  return tag('table', { id: 'failure-table', class: 'plain' }, tag('thead', {}, head) + tag('tbody', {}, rows.join('')));
}

/** A gradient bar of the ramp with the scale's ends: the legend of one map. */
export function rampLegend(scale: Scale): string {
  if (scale.constant !== undefined) return tag('span', { class: 'scale constant' }, esc(scale.label));
  return tag('span', { class: 'scale' }, tag('span', { class: 'ramp' }) + ' ' + esc(scale.label));
}

interface Group {
  readonly label: string;
  /** `×2`, `weight varies`, or nothing. */
  readonly weight: string;
  readonly scale: Scale;
  readonly values: (run: PageRun) => Readonly<Record<string, number>>;
  readonly kind: 'scorer' | 'total';
}

function groupsOf(runs: readonly PageRun[]): Group[] {
  const weights = new Map<string, Set<number | undefined>>();
  for (const run of runs) {
    for (const [label, w] of Object.entries(run.weights)) {
      const seen = weights.get(label) ?? new Set();
      weights.set(label, seen.add(w));
    }
  }
  const weightText = (label: string) => {
    const seen = [...(weights.get(label) ?? [])];
    return seen.length > 1 ? 'weight varies' : seen[0] === undefined ? '' : `×${num(seen[0])}`;
  };
  const scorers = [...weights.keys()].sort(activeFirst).map((label): Group => {
    const values = (run: PageRun) => run.scores[label] ?? {};
    return { label, weight: weightText(label), scale: rawScale(runs.flatMap((r) => Object.values(values(r)))), values, kind: 'scorer' };
  });
  const totals = (run: PageRun) => run.totals;
  return [...scorers, { label: 'weighted total', weight: '', scale: totalScale(runs.flatMap((r) => Object.values(r.totals))), values: totals, kind: 'total' }];
}

function sentCell(sent: Sent | undefined, role: string, short: (e: string) => string): string {
  if (sent === undefined) return tag('td', { class: 'sent none', title: role ? `nothing sent (${role})` : undefined }, role ? '–' : '');
  const mark = sent.check === 'ok' ? ' ✓' : sent.check === 'problem' ? ' ✗' : sent.check === 'unverified' ? ' ?' : '';
  const cls = sent.check === 'problem' ? 'sent bad' : sent.check === 'ok' ? 'sent ok' : 'sent';
  // The check's detail only where it says something the mark does not (a page has thousands of rows).
  return tag('td', { class: cls, title: sent.check === 'ok' ? undefined : `${role}${sent.detail ? `: ${sent.detail}` : ''}` }, esc(short(sent.endpoint)) + mark);
}

export interface TableOptions {
  /** A row's time as the table shows it. */
  readonly time: (request: PageRequest) => string;
  readonly short: (endpoint: string) => string;
  readonly colours: ReadonlyMap<string, string>;
}

/**
 * One profile's requests, in time order: what was sent to the proxy, the pick and its margin, then
 * a heat map per scorer instance and one for the weighted totals (a column per endpoint), each with
 * its range in the header; a constant one is one grey column that says so.
 */
export function requestTable(profile: string, rows: ReadonlyArray<{ request: PageRequest; run: PageRun }>, options: TableOptions): string {
  const runs = rows.map((r) => r.run);
  const endpoints = [...new Set(runs.flatMap((r) => [...Object.values(r.scores).flatMap((s) => Object.keys(s)), ...Object.keys(r.totals), ...r.picked]))].sort();
  const groups = groupsOf(runs);
  const columns = groups.reduce((n, g) => n + (g.scale.constant !== undefined ? 1 : endpoints.length), 0);
  const fixed = [
    ['request', 'the x-request-id'],
    ['t (s)', 'seconds since the first request of the page (the first line of the request)'],
    ['sent to proxy', 'primary profile: the endpoint Envoy got; prefill profile: the x-prefiller-host-port header. ✓ the pick, ✗ not the pick, ? cannot tell'],
    ['picked', "the profile's first target"],
    ['margin', "the pick's total minus the runner-up's"],
  ];
  const top = [
    ...fixed.map(([h, title], i) => tag('th', { rowspan: 2, class: i === 0 ? 'id sticky-col' : 'id', title }, h!)),
    ...groups.map((g) => {
      const constant = g.scale.constant !== undefined;
      const attrs = { class: `group${constant ? ' constant' : ''}${g.kind === 'total' ? ' total' : ''}`, colspan: constant ? 1 : endpoints.length, rowspan: constant ? 2 : 1, 'data-scorer': g.label, 'data-scale': g.scale.label };
      return tag('th', attrs, tag('span', { class: 'group-name' }, esc(g.label) + (g.weight ? ` <span class="weight">${esc(g.weight)}</span>` : '')) + '<br>' + rampLegend(g.scale));
    }),
    tag('th', { rowspan: 2, class: 'id' }, 'problems'),
  ];
  const second = groups.flatMap((g) => (g.scale.constant !== undefined ? [] : endpoints.map((e) => tag('th', { class: 'endpoint', title: e, 'data-endpoint': e }, tag('i', { class: 'swatch', style: `background:${options.colours.get(e) ?? '#999'}` }) + esc(options.short(e))))));
  const body = rows.map(({ request: r, run }) => {
    const role = r.primary === profile ? 'primary: what Envoy got' : r.prefillProfile === profile ? 'prefill: the x-prefiller-host-port header' : '';
    const sent = role.startsWith('primary') ? r.envoy : role ? r.prefill : undefined;
    const cells = [
      tag('td', { class: 'id sticky-col' }, esc(r.id)),
      tag('td', { class: 'time', title: r.timeText }, options.time(r)),
      sentCell(sent, role, options.short),
      tag('td', { class: 'id picked' }, esc(run.picked[0] === undefined ? '' : options.short(run.picked[0]))),
      tag('td', { class: run.tie ? 'margin tie' : 'margin' }, run.tie ? 'tie' : num(run.margin)),
    ];
    if (run.status === 'failed' || run.status === 'not-run') {
      cells.push(tag('td', { class: 'status', colspan: columns }, esc(run.status === 'failed' ? `failed: ${run.error ?? ''}` : 'not run')));
    } else {
      for (const g of groups) {
        const values = g.values(run);
        if (g.scale.constant !== undefined) {
          const present = Object.keys(values).length > 0;
          cells.push(tag('td', { class: 'const' }, present ? g.scale.constant.toFixed(g.scale.decimals) : ''));
          continue;
        }
        for (const e of endpoints) {
          const v = values[e];
          const picked = run.picked[0] === e;
          if (v === undefined) {
            cells.push(tag('td', { class: picked ? 'none pick' : 'none' }));
            continue;
          }
          const q = step(g.scale, v);
          cells.push(tag('td', { class: `q${q}${q >= DARK_FROM ? ' dark' : ''}${picked ? ' pick' : ''}` }, v.toFixed(g.scale.decimals)));
        }
      }
    }
    cells.push(tag('td', { class: 'id problem' }, esc(r.problems.join('; '))));
    return tag('tr', { 'data-request': r.id, 'data-status': run.status, 'data-time': r.time }, cells.join(''));
  });
  const thead = tag('thead', {}, tag('tr', { class: 'groups' }, top.join('')) + tag('tr', { class: 'endpoints' }, second.join('')));
  return tag('div', { class: 'table-box', 'data-profile': profile }, tag('table', { class: 'requests', 'data-profile': profile }, thead + tag('tbody', {}, body.join(''))));
}
