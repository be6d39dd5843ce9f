import type { RequestRecord, Summary } from '../analyze/model.ts';
import { scorerLabel } from '../analyze/summary.ts';

/** At most this many requests go into the page; the summary always covers all of them. */
export const PAGE_REQUEST_LIMIT = 2000;

interface PageProfile {
  readonly name: string;
  readonly status: string;
  readonly error: string | undefined;
  readonly picked: readonly string[];
  readonly totals: Readonly<Record<string, number>>;
  /** Raw scores by scorer instance label (`type`, or `name (type)`). */
  readonly scores: Readonly<Record<string, Readonly<Record<string, number>>>>;
  /** Weight by scorer instance label. */
  readonly weights: Readonly<Record<string, number | null>>;
}

interface PageRequest {
  readonly id: string;
  readonly primary: string | undefined;
  readonly envoy: string | undefined;
  readonly prefill: string | undefined;
  readonly problems: readonly string[];
  readonly profiles: readonly PageProfile[];
}

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
      primary: record.primaryProfile,
      envoy: record.envoyEndpoint,
      prefill: record.prefillEndpoint,
      problems: [...record.failures.map((f) => `failure ${f.kind}${f.profile ? ` [${f.profile}]` : ''}: ${f.message}`), ...record.problems.map((p) => `${p.kind}: ${p.detail}`)],
      profiles: Object.values(record.profiles).map((p) => ({
        name: p.name,
        status: p.status,
        error: p.error,
        picked: p.picked ?? [],
        totals: p.totals ?? {},
        scores: Object.fromEntries(p.scorers.map((s) => [scorerLabel(s.scorer, s.name), s.scores])),
        weights: Object.fromEntries(p.scorers.map((s) => [scorerLabel(s.scorer, s.name), s.weight ?? null])),
      })),
    });
  }

  render(summary: Summary): string {
    const data = JSON.stringify({ requests: this.requests, dropped: this.dropped, summary }).replace(/</g, '\\u003c');
    return PAGE.replace('__DATA__', () => data);
  }
}

// The page: per profile, a heat map (requests × endpoints) per scorer instance and for the weighted
// totals, and the picks per endpoint; the checks, the failures and the problems. Built by the script
// below from the JSON it carries.
const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>instrument analyze: EPP scoring</title>
<style>
  body { font: 14px/1.4 system-ui, sans-serif; margin: 24px; color: #1d2430; }
  h1 { font-size: 20px; } h2 { font-size: 17px; margin-top: 32px; } h3 { font-size: 15px; margin-top: 20px; }
  section.profile { border-top: 2px solid #e3e6eb; margin-top: 24px; }
  table { border-collapse: collapse; font-variant-numeric: tabular-nums; }
  th, td { padding: 2px 6px; border: 1px solid #e3e6eb; text-align: right; white-space: nowrap; }
  th { background: #f5f6f8; font-weight: 600; } td.id, th.id { text-align: left; }
  td.cell { min-width: 48px; } td.picked { outline: 2px solid #1d2430; outline-offset: -2px; font-weight: 700; }
  td.problem { color: #b3261e; text-align: left; } td.status { text-align: left; color: #5b6474; font-style: italic; }
  .bars div { display: flex; align-items: center; gap: 8px; margin: 3px 0; }
  .bars span.bar { display: inline-block; height: 14px; background: #3f6fd8; }
  .note { color: #5b6474; } .bad { color: #b3261e; } .ok { color: #1b7f3b; }
  .scroll { overflow-x: auto; max-height: 520px; overflow-y: auto; }
</style>
</head>
<body>
<h1>EPP scoring, request by request and profile by profile</h1>
<p id="overview" class="note"></p>
<h2>Checks</h2>
<div id="checks"></div>
<h2>Failures and problems</h2>
<div id="failures"></div>
<div id="profiles"></div>
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
  function activeFirst(a, b) { return (/active-request-scorer\\)?$/.test(b) ? 1 : 0) - (/active-request-scorer\\)?$/.test(a) ? 1 : 0) || a.localeCompare(b); }

  document.getElementById('overview').textContent =
    s.requests + ' requests (' + s.picked + ' with a pick, ' + s.ties + ' ties), ' + s.lines + ' lines, ' + s.unreadable + ' unreadable; profiles: ' +
    (Object.keys(s.profiles).join(', ') || 'none') + (data.dropped ? '; the maps show the first ' + data.requests.length + ' requests' : '');

  var checks = el('table', { id: 'check-table' });
  checks.appendChild(el('tr')).append(el('th', { class: 'id' }, 'check'), el('th', {}, 'ok'), el('th', {}, 'problem'), el('th', {}, 'unverified'), el('th', {}, 'not applicable'));
  Object.keys(s.checks).forEach(function (kind) {
    var c = s.checks[kind];
    var row = el('tr', { 'data-check': kind });
    row.append(el('td', { class: 'id' }, kind), el('td', {}, String(c.ok)), el('td', { class: c.problem ? 'bad' : '' }, String(c.problem)), el('td', {}, String(c.unverified)), el('td', {}, String(c['not-applicable'])));
    checks.appendChild(row);
  });
  document.getElementById('checks').appendChild(checks);

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

  var container = document.getElementById('profiles');
  Object.keys(s.profiles).forEach(function (name) {
    var p = s.profiles[name];
    var section = el('section', { class: 'profile', 'data-profile': name });
    section.appendChild(el('h2', {}, 'profile ' + name));
    var statuses = Object.keys(p.statuses).filter(function (k) { return p.statuses[k] > 0; }).map(function (k) { return p.statuses[k] + ' ' + k; });
    section.appendChild(el('p', { class: 'note' }, 'in ' + p.requests + ' requests, primary in ' + p.primary + ': ' + statuses.join(', ') + (p.ties ? '; ' + p.ties + ' ties' : '')));

    section.appendChild(el('h3', {}, 'Picks per endpoint'));
    var bars = el('div', { class: 'bars' });
    var most = Math.max.apply(null, Object.values(p.picksPerEndpoint).concat([1]));
    Object.keys(p.picksPerEndpoint).forEach(function (endpoint) {
      var n = p.picksPerEndpoint[endpoint];
      var row = el('div', { 'data-endpoint': endpoint, 'data-picks': String(n) });
      row.appendChild(el('span', { class: 'bar', style: 'width:' + Math.round(300 * n / most) + 'px' }));
      row.appendChild(el('span', {}, endpoint + ' ' + n));
      bars.appendChild(row);
    });
    section.appendChild(Object.keys(p.picksPerEndpoint).length ? bars : el('p', { class: 'note' }, 'no picks'));
    Object.keys(p.filterRemovals).forEach(function (filter) {
      var removed = p.filterRemovals[filter];
      section.appendChild(el('p', { class: 'note', 'data-filter': filter }, 'filter ' + filter + ' removed ' + Object.keys(removed).map(function (e) { return e + ' ×' + removed[e]; }).join(', ')));
    });

    // The requests in which this profile appears, with its run in each.
    var runs = [];
    data.requests.forEach(function (r) {
      r.profiles.forEach(function (run) { if (run.name === name) runs.push({ request: r, run: run }); });
    });
    var labels = {};
    var weights = {};
    runs.forEach(function (x) {
      Object.keys(x.run.scores).forEach(function (label) {
        labels[label] = true;
        var w = x.run.weights[label];
        weights[label] = weights[label] === undefined || weights[label] === w ? w : 'varies';
      });
    });
    var maps = Object.keys(labels).sort(activeFirst);
    maps.push('weighted total');
    maps.forEach(function (label) {
      var source = function (run) { return label === 'weighted total' ? run.totals : (run.scores[label] || {}); };
      var endpoints = {};
      var lo = Infinity, hi = -Infinity;
      runs.forEach(function (x) {
        var values = source(x.run);
        Object.keys(values).forEach(function (e) { endpoints[e] = true; lo = Math.min(lo, values[e]); hi = Math.max(hi, values[e]); });
      });
      var cols = Object.keys(endpoints).sort();
      if (cols.length === 0) return;
      var w = weights[label];
      section.appendChild(el('h3', {}, label + (w === undefined || w === null ? '' : w === 'varies' ? ' (weight varies)' : ' ×' + w) + ' — requests × endpoints'));
      var wrap = el('div', { class: 'scroll' });
      var t = el('table', { class: 'heatmap', 'data-profile': name, 'data-scorer': label });
      var head = el('tr');
      head.appendChild(el('th', { class: 'id' }, 'request'));
      cols.forEach(function (c) { head.appendChild(el('th', {}, c)); });
      head.appendChild(el('th', { class: 'id' }, ''));
      t.appendChild(head);
      runs.forEach(function (x) {
        var r = x.request, run = x.run;
        var row = el('tr', { 'data-request': r.id, 'data-status': run.status });
        row.appendChild(el('td', { class: 'id' }, r.id + (r.primary === name ? ' (primary)' : '')));
        if (run.status === 'failed' || run.status === 'not-run') {
          row.appendChild(el('td', { class: 'status', colspan: String(cols.length) }, run.status === 'failed' ? 'failed: ' + (run.error || '') : 'not run'));
        } else {
          var values = source(run);
          cols.forEach(function (c) {
            var v = values[c];
            var td = el('td', { class: 'cell' + (run.picked.indexOf(c) >= 0 ? ' picked' : ''), 'data-endpoint': c }, fmt(v));
            if (v !== undefined) {
              var f = hi > lo ? (v - lo) / (hi - lo) : 1;
              td.setAttribute('data-value', String(v));
              td.style.background = 'rgba(63, 111, 216, ' + (0.08 + 0.8 * f).toFixed(3) + ')';
              if (f > 0.6) td.style.color = '#fff';
            }
            row.appendChild(td);
          });
        }
        row.appendChild(el('td', { class: 'problem' }, r.problems.join('; ')));
        t.appendChild(row);
      });
      wrap.appendChild(t);
      section.appendChild(wrap);
    });
    container.appendChild(section);
  });
  document.body.setAttribute('data-rendered', 'true');
})();
</script>
</body>
</html>
`;
