import type { RequestRecord, Summary } from '../analyze/model.ts';

/** At most this many requests go into the page; the summary always covers all of them. */
export const PAGE_REQUEST_LIMIT = 2000;

interface PageRequest {
  readonly id: string;
  readonly picked: readonly string[];
  readonly envoy: string | undefined;
  readonly problems: readonly string[];
  readonly totals: Readonly<Record<string, number>>;
  /** Raw scores by scorer label. */
  readonly scores: Readonly<Record<string, Readonly<Record<string, number>>>>;
}

const scorerLabel = (scorer: string, weight: number | undefined) => (weight === undefined ? scorer : `${scorer} ×${weight}`);

/**
 * Collects what the HTML page shows while the analysis streams (bounded: the first
 * PAGE_REQUEST_LIMIT requests), then renders one self-contained page: data, styles and script
 * inline, nothing fetched.
 */
export class PageCollector {
  private readonly requests: PageRequest[] = [];
  private dropped = 0;

  add(record: RequestRecord): void {
    if (this.requests.length >= PAGE_REQUEST_LIMIT) {
      this.dropped++;
      return;
    }
    this.requests.push({
      id: record.requestId,
      picked: record.picked ?? [],
      envoy: record.envoyEndpoint,
      problems: record.problems.map((p) => `${p.kind}: ${p.detail}`),
      totals: record.totals ?? {},
      scores: Object.fromEntries(record.scorers.map((s) => [scorerLabel(s.scorer, s.weight), s.scores])),
    });
  }

  render(summary: Summary): string {
    const data = JSON.stringify({ requests: this.requests, dropped: this.dropped, summary }).replace(/</g, '\\u003c');
    return PAGE.replace('__DATA__', () => data);
  }
}

// The page: a heat map (requests × endpoints) per scorer and for the weighted totals, the picks
// per endpoint, and the failures and problems. Built by the script below from the JSON it carries.
const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>instrument analyze: EPP scoring</title>
<style>
  body { font: 14px/1.4 system-ui, sans-serif; margin: 24px; color: #1d2430; }
  h1 { font-size: 20px; } h2 { font-size: 16px; margin-top: 28px; }
  table { border-collapse: collapse; font-variant-numeric: tabular-nums; }
  th, td { padding: 2px 6px; border: 1px solid #e3e6eb; text-align: right; white-space: nowrap; }
  th { background: #f5f6f8; font-weight: 600; } td.id, th.id { text-align: left; }
  td.cell { min-width: 48px; } td.picked { outline: 2px solid #1d2430; outline-offset: -2px; font-weight: 700; }
  td.problem { color: #b3261e; text-align: left; }
  .bars div { display: flex; align-items: center; gap: 8px; margin: 3px 0; }
  .bars span.bar { display: inline-block; height: 14px; background: #3f6fd8; }
  .note { color: #5b6474; } .bad { color: #b3261e; } .ok { color: #1b7f3b; }
  .scroll { overflow-x: auto; max-height: 520px; overflow-y: auto; }
</style>
</head>
<body>
<h1>EPP scoring, request by request</h1>
<p id="overview" class="note"></p>
<h2>Picks per endpoint</h2>
<div id="picks" class="bars"></div>
<h2>Failures and problems</h2>
<div id="failures"></div>
<div id="heatmaps"></div>
<script type="application/json" id="data">__DATA__</script>
<script>
(function () {
  var data = JSON.parse(document.getElementById('data').textContent);
  var s = data.summary;
  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    for (var k in attrs || {}) e.setAttribute(k, attrs[k]);
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function fmt(v) { return v === undefined || v === null ? '' : (Number.isInteger(v) ? String(v) : v.toFixed(3)); }

  document.getElementById('overview').textContent =
    s.requests + ' requests (' + s.picked + ' with a pick, ' + s.ties + ' ties), ' + s.lines + ' lines, ' + s.unreadable + ' unreadable' +
    (data.dropped ? '; the maps show the first ' + data.requests.length + ' requests' : '');

  var picks = document.getElementById('picks');
  var most = Math.max.apply(null, Object.values(s.picksPerEndpoint).concat([1]));
  Object.keys(s.picksPerEndpoint).forEach(function (endpoint) {
    var n = s.picksPerEndpoint[endpoint];
    var row = el('div', { 'data-endpoint': endpoint, 'data-picks': String(n) });
    row.appendChild(el('span', { class: 'bar', style: 'width:' + Math.round(300 * n / most) + 'px' }));
    row.appendChild(el('span', {}, endpoint + ' ' + n));
    picks.appendChild(row);
  });

  var failures = document.getElementById('failures');
  var kinds = [['failure', s.failuresByKind], ['problem', s.problemsByKind]];
  var any = false;
  var table = el('table', { id: 'failure-table' });
  table.appendChild(el('tr')).append(el('th', { class: 'id' }, 'kind'), el('th', {}, 'count'), el('th', { class: 'id' }, 'request ids'));
  kinds.forEach(function (pair) {
    Object.keys(pair[1]).forEach(function (kind) {
      any = true;
      var row = el('tr', { 'data-kind': kind });
      row.append(el('td', { class: 'id bad' }, pair[0] + ': ' + kind), el('td', {}, String(pair[1][kind].count)), el('td', { class: 'id' }, pair[1][kind].requestIds.join(', ')));
      table.appendChild(row);
    });
  });
  failures.appendChild(any ? table : el('p', { class: 'ok' }, 'none'));

  // One heat map per scorer, and one for the weighted totals.
  var maps = {};
  data.requests.forEach(function (r) {
    Object.keys(r.scores).forEach(function (scorer) { maps[scorer] = true; });
  });
  var names = Object.keys(maps).sort(function (a, b) { return (b.indexOf('active-request') === 0) - (a.indexOf('active-request') === 0) || a.localeCompare(b); });
  names.push('weighted total');
  var heatmaps = document.getElementById('heatmaps');
  names.forEach(function (name) {
    var valueOf = function (r, e) { return name === 'weighted total' ? r.totals[e] : (r.scores[name] || {})[e]; };
    var endpoints = {};
    var lo = Infinity, hi = -Infinity;
    data.requests.forEach(function (r) {
      var source = name === 'weighted total' ? r.totals : (r.scores[name] || {});
      Object.keys(source).forEach(function (e) { endpoints[e] = true; lo = Math.min(lo, source[e]); hi = Math.max(hi, source[e]); });
    });
    var cols = Object.keys(endpoints).sort();
    if (cols.length === 0) return;
    heatmaps.appendChild(el('h2', {}, name + ' (requests × endpoints)'));
    var wrap = el('div', { class: 'scroll' });
    var t = el('table', { class: 'heatmap', 'data-scorer': name });
    var head = el('tr');
    head.appendChild(el('th', { class: 'id' }, 'request'));
    cols.forEach(function (c) { head.appendChild(el('th', {}, c)); });
    head.appendChild(el('th', { class: 'id' }, ''));
    t.appendChild(head);
    data.requests.forEach(function (r) {
      var row = el('tr', { 'data-request': r.id });
      row.appendChild(el('td', { class: 'id' }, r.id));
      cols.forEach(function (c) {
        var v = valueOf(r, c);
        var td = el('td', { class: 'cell' + (r.picked.indexOf(c) >= 0 ? ' picked' : ''), 'data-endpoint': c }, fmt(v));
        if (v !== undefined) {
          var x = hi > lo ? (v - lo) / (hi - lo) : 1;
          td.setAttribute('data-value', String(v));
          td.style.background = 'rgba(63, 111, 216, ' + (0.08 + 0.8 * x).toFixed(3) + ')';
          if (x > 0.6) td.style.color = '#fff';
        }
        row.appendChild(td);
      });
      row.appendChild(el('td', { class: 'problem' }, r.problems.join('; ')));
      t.appendChild(row);
    });
    wrap.appendChild(t);
    heatmaps.appendChild(wrap);
  });
  document.body.setAttribute('data-rendered', 'true');
})();
</script>
</body>
</html>
`;
