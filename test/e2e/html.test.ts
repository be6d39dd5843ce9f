import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openPage, type Page } from '../helpers/chromium.ts';
import { spawnCli } from '../helpers/cli.ts';
import { ADDRESS, ALL, EppLog, NOTHING_FILTER, pdRuns, type RunResult, runProfile } from '../helpers/epp-log.ts';
import { tempDir } from '../helpers/fixtures.ts';
import { loadRun } from '../helpers/load-log.ts';

const point = (id: string, name: string, fields: object) => JSON.stringify({ level: 'Level(-2)', ts: '2026-11-27T20:00:00Z', msg: `instrument: ${name}`, 'x-request-id': id, point: name, ...fields });

/** Two requests with known numbers, one failure. */
const LOG = [
  point('r-1', 'profile.scores', { scorer: 'active-request-scorer', scorerName: 'active-request-scorer', weight: 2, scores: { 'ns/a': 1, 'ns/b': 0.25 } }),
  point('r-1', 'profile.picked', { picker: 'max-score-picker', picked: ['ns/a'], weightedScores: { 'ns/a': 2, 'ns/b': 0.5 } }),
  point('r-1', 'server.selected', { endpoint: '10.0.0.1:8000', endpointName: 'ns/a' }),
  point('r-2', 'profile.scores', { scorer: 'active-request-scorer', scorerName: 'active-request-scorer', weight: 2, scores: { 'ns/a': 0.5, 'ns/b': 0.75 } }),
  point('r-2', 'profile.picked', { picker: 'max-score-picker', picked: ['ns/b'], weightedScores: { 'ns/a': 1, 'ns/b': 1.5 } }),
  point('r-2', 'server.selected', { endpoint: '10.0.0.2:8000', endpointName: 'ns/b' }),
  JSON.stringify({ level: 'error', ts: 1, msg: 'Failed to process request', 'x-request-id': 'r-3', error: 'inference error: InferencePoolResourceExhausted - no capacity' }),
].join('\n');

/** Writes `log`, runs `analyze --html` on it and opens the page in headless Chromium, JavaScript off. */
async function report(log: string, expectedExit: number): Promise<{ page: Page; file: string }> {
  const dir = tempDir();
  writeFileSync(join(dir, 'epp.log'), log);
  const run = await spawnCli(['analyze', 'epp.log', '--html', 'report.html'], { cwd: dir });
  expect(run.exitCode, run.stderr).toBe(expectedExit);
  const file = join(dir, 'report.html');
  const page = await openPage(`file://${file}`, { javascript: false });
  return { page, file };
}

/** The text of each cell of one profile's table, by header: `group/endpoint` for the heat map columns. */
const TABLE = (profile: string) => `(() => {
  const table = document.querySelector('table.requests[data-profile="${profile}"]');
  const groups = [...table.querySelectorAll('thead tr.groups th')];
  const endpoints = [...table.querySelectorAll('thead tr.endpoints th')];
  const names = [];
  for (const th of groups) {
    if (th.classList.contains('group') && !th.classList.contains('constant')) {
      for (let i = 0; i < th.colSpan; i++) names.push(th.dataset.scorer + '/' + endpoints.shift().dataset.endpoint);
    } else names.push(th.dataset.scorer ?? th.textContent);
  }
  return [...table.tBodies[0].rows].map((tr) => {
    const row = { id: tr.dataset.request, time: tr.dataset.time === undefined ? null : Number(tr.dataset.time), status: tr.dataset.status, cells: {} };
    [...tr.cells].forEach((td, i) => (row.cells[td.classList.contains('status') ? 'status' : names[i]] = { text: td.textContent, cls: td.className }));
    return row;
  });
})()`;

interface Row {
  id: string;
  time: number | null;
  status: string;
  cells: Record<string, { text: string; cls: string }>;
}

describe('the HTML page of instrument analyze', () => {
  it('shows the heat maps, picks and failures of a small log, without a script or anything fetched', async () => {
    const { page } = await report(LOG, 1); // the failure makes analyze fail, and it still writes the page
    try {
      expect(await page.evaluate('document.scripts.length')).toBe(0);
      expect(await page.evaluate('[...document.querySelectorAll("[src],[href]")].map((e) => e.getAttribute("src") ?? e.getAttribute("href")).filter((u) => !u.startsWith("#"))')).toEqual([]);
      // Format 1 names no profile: the one run is the unnamed profile #1.
      expect(await page.evaluate('document.querySelector("section.profile h2").textContent')).toBe('profile #1');
      const rows = await page.evaluate<Row[]>(TABLE('#1'));
      expect(rows.map((r) => r.id)).toEqual(['r-1', 'r-2']);
      const [r1, r2] = rows;
      expect(r1!.cells['active-request-scorer/ns/b']).toEqual({ text: '0.250', cls: 'q2' });
      expect(r2!.cells['active-request-scorer/ns/a']).toEqual({ text: '0.500', cls: 'q4' });
      expect(r1!.cells['weighted total/ns/a']).toEqual({ text: '2.000', cls: 'q8 dark pick' });
      expect(r2!.cells['weighted total/ns/b']).toEqual({ text: '1.500', cls: 'q6 dark pick' });
      expect(r1!.cells['sent to proxy']).toEqual({ text: 'a ✓', cls: 'sent ok' }); // one namespace: names only
      expect(r1!.cells.margin!.text).toBe('1.500');
      expect(await page.evaluate('document.querySelector(\'th.group[data-scorer="active-request-scorer"]\').textContent')).toBe('active-request-scorer ×2 0–1, raw score');
      expect(await page.evaluate('document.querySelector(\'th.group[data-scorer="weighted total"]\').dataset.scale')).toBe("0–2, weighted total (0 to this profile's highest)");
      expect(await page.evaluate('[...document.querySelectorAll(".bars [data-endpoint]")].map((d) => d.dataset.endpoint + " " + d.dataset.picks)')).toEqual(['ns/a 1', 'ns/b 1']);
      expect(await page.evaluate('[...document.querySelectorAll("#failure-table tbody tr")].map((tr) => tr.innerText.replace(/\\t/g, " | "))')).toEqual(['failure: InferencePoolResourceExhausted | 1 | r-3']);
    } finally {
      await page.close();
    }
  });

  it('draws a P/D run under load with JavaScript off: legend, stated scales, a constant column, sticky headers, rows in time order, what was sent and the margin, and charts per endpoint', async () => {
    // Two EPP replicas' logs one after the other: the order of the lines is not the order in time.
    const run = loadRun({ requests: 60, pd: true, replicas: 2, seed: 7 });
    const { page } = await report(run.text, 0);
    try {
      expect(await page.evaluate('document.scripts.length')).toBe(0);
      // The legend: the ramp, the constant sample, every endpoint's colour.
      expect(await page.evaluate('document.querySelectorAll("#legend .sample").length')).toBe(9 + 2);
      expect(await page.evaluate('document.querySelector("#legend .sample.const").parentElement.nextElementSibling.textContent')).toContain('constant');
      expect(await page.evaluate('[...document.querySelectorAll("#legend .swatches [data-endpoint]")].map((s) => s.dataset.endpoint)')).toEqual([...ALL].sort());

      const inTime = [...run.requests].sort((a, b) => a.at - b.at);
      const inLines = run.text.split('\n').flatMap((l) => /"x-request-id": "(load-\d+)"/.exec(l)?.[1] ?? []).filter((id, i, all) => all.indexOf(id) === i);
      expect(inLines).not.toEqual(inTime.map((r) => r.id)); // so the rows' order is the page's doing

      for (const profile of ['decode', 'prefill'] as const) {
        const truth = (r: (typeof inTime)[number]): RunResult => r[profile]!;
        const rows = await page.evaluate<Row[]>(TABLE(profile));
        expect(rows.map((r) => r.id), profile).toEqual(inTime.map((r) => r.id));
        expect(rows.map((r) => r.time)).toEqual(inTime.map((r) => r.at));
        const endpoints = truth(inTime[0]!).scored;
        rows.forEach((row, i) => {
          const t = truth(inTime[i]!);
          const picked = t.picked[0]!;
          const top = t.totals[t.scored.indexOf(picked)]!;
          const others = t.totals.filter((_, k) => t.scored[k] !== picked);
          const margin = top - Math.max(...others);
          expect(row.cells.margin!.text, `${row.id} margin`).toBe(margin === 0 ? 'tie' : Number.isInteger(margin) ? String(margin) : margin.toFixed(3));
          expect(row.cells['sent to proxy'], row.id).toEqual({ text: `${picked.replace('llm-d/', '')} ✓`, cls: 'sent ok' }); // one namespace: names only
          expect(row.cells[`weighted total/${picked}`]!.cls, row.id).toMatch(/ pick$/);
          // prefix-cache-scorer is 0 everywhere: one grey column, not painted.
          expect(row.cells[`${profile}-prefix (prefix-cache-scorer)`], row.id).toEqual({ text: '0', cls: 'const' });
          endpoints.forEach((e, k) => expect(row.cells[`active-request-scorer/${e}`]!.text).toBe(t.scorers[0]!.scores[k]!.toFixed(3)));
        });
        const constant = await page.evaluate<{ text: string; colspan: number }>(`(() => { const th = document.querySelector('table.requests[data-profile="${profile}"] th.constant'); return { text: th.textContent, colspan: th.colSpan }; })()`);
        expect(constant).toEqual({ text: `${profile}-prefix (prefix-cache-scorer) ×3constant 0`, colspan: 1 });
        const highest = Math.max(...inTime.flatMap((r) => truth(r).totals));
        expect(await page.evaluate(`document.querySelector('table.requests[data-profile="${profile}"] th[data-scorer="weighted total"]').dataset.scale`)).toBe(`0–${highest}, weighted total (0 to this profile's highest)`);

        // Sticky header: scrolled 400 px down, the header is still at the top of the box, over the rows.
        const sticky = await page.evaluate<{ box: number; head: number; firstRow: number; scrolled: number }>(`(() => {
          const box = document.querySelector('.table-box[data-profile="${profile}"]');
          box.scrollIntoView();
          box.scrollTop = 400;
          const table = box.querySelector('table');
          return { box: box.getBoundingClientRect().top, head: table.tHead.getBoundingClientRect().top, firstRow: table.tBodies[0].rows[0].getBoundingClientRect().top, scrolled: box.scrollTop };
        })()`);
        expect(sticky.scrolled).toBe(400);
        expect(sticky.firstRow).toBeLessThan(sticky.box - 300);
        expect(Math.abs(sticky.head - sticky.box)).toBeLessThanOrEqual(1);

        // Charts: one series per endpoint, with a point per request (score), per pick (picks), per window (share).
        const charts = await page.evaluate<Record<string, Array<{ endpoint: string; points: number; drawn: number }>>>(`(() => {
          const of = (kind, count) => [...document.querySelectorAll('svg.chart[data-chart="' + kind + '"][data-profile="${profile}"] g.series')].map((g) => ({ endpoint: g.dataset.endpoint, points: Number(g.dataset.points), drawn: count(g) }));
          return {
            score: of('score', (g) => g.querySelector('polyline').points.numberOfItems),
            picks: of('picks', (g) => (g.querySelector('path')?.getAttribute('d').match(/M/g) ?? []).length),
            share: of('share', (g) => g.querySelector('polygon').points.numberOfItems),
          };
        })()`);
        expect(charts.score!.map((s) => s.endpoint)).toEqual(endpoints);
        for (const s of charts.score!) expect(s, s.endpoint).toEqual({ endpoint: s.endpoint, points: 60, drawn: 2 * 60 - 1 });
        expect(charts.picks).toEqual(endpoints.map((e) => {
          const n = inTime.filter((r) => truth(r).picked[0] === e).length;
          return { endpoint: e, points: n, drawn: n };
        }));
        // 60 picks make 5 windows of equal time (12 picks each on average); those with picks get a point.
        const span = (inTime[59]!.at - inTime[0]!.at) / 5;
        const windows = new Set(inTime.map((r) => Math.min(4, Math.floor((r.at - inTime[0]!.at) / span)))).size;
        expect(charts.share).toEqual(endpoints.map((e) => ({ endpoint: e, points: windows, drawn: 2 * windows })));
      }
    } finally {
      await page.close();
    }
  });

  it('draws one section per profile of a P/D log, a failed run as what it is', async () => {
    const log = new EppLog('console');
    for (const e of ALL) log.refresher(e);
    for (let n = 0; n < 4; n++) {
      const id = `pd-${n}`;
      const runs = pdRuns(n, { prefillFilter: n === 3 ? NOTHING_FILTER : undefined });
      const decode = runProfile(runs.decode);
      const prefill = runProfile(runs.prefill);
      log.profileRun(id, decode).profileRun(id, prefill);
      log.decision(id, [{ name: 'decode', status: 'ok', round: 1 }, { name: 'prefill', status: prefill.status, round: 2 }], 'decode');
      log.serverSelected(id, ADDRESS[decode.picked[0]!]!, decode.picked[0], prefill.status === 'ok' ? ADDRESS[prefill.picked[0]!] : undefined);
    }
    const { page } = await report(log.text(), 1); // pd-3's prefill profile failed
    try {
      expect(await page.evaluate('[...document.querySelectorAll("section.profile")].map((s) => s.dataset.profile)')).toEqual(['decode', 'prefill']);
      // Each profile's maps have only its own scorer instances.
      const scorers = (profile: string) => page.evaluate<string[]>(`[...document.querySelectorAll('table.requests[data-profile="${profile}"] th.group')].map((th) => th.dataset.scorer)`);
      expect(await scorers('decode')).toEqual(['decode-active (active-request-scorer)', 'decode-prefix (prefix-cache-scorer)', 'queue-scorer', 'weighted total']);
      expect(await scorers('prefill')).toEqual(['prefill-active (active-request-scorer)', 'prefill-prefix (prefix-cache-scorer)', 'weighted total']);
      const prefill = await page.evaluate<Row[]>(TABLE('prefill'));
      expect(prefill.find((r) => r.id === 'pd-3')).toMatchObject({ status: 'failed', cells: { status: { text: 'failed: no pods available for the given request' }, 'sent to proxy': { text: '–' } } });
      const pd0 = runProfile(pdRuns(0).prefill);
      expect(prefill.find((r) => r.id === 'pd-0')!.cells[`weighted total/${pd0.picked[0]}`]).toMatchObject({ text: pd0.totals[pd0.scored.indexOf(pd0.picked[0]!)]!.toFixed(3), cls: expect.stringMatching(/ pick$/) });
      expect(await page.evaluate('document.querySelector(\'[data-check="prefill-is-prefill-pick"]\').innerText.split("\\t")')).toEqual(['prefill-is-prefill-pick', '3', '0', '0', '1']);
    } finally {
      await page.close();
    }
  });
});
