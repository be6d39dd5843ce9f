import { describe, expect, it } from 'vitest';
import { Analyzer } from '../../src/analyze/analyzer.ts';
import { timeMs } from '../../src/reporters/html/model.ts';
import { CHART_REQUEST_LIMIT, PAGE_REQUEST_LIMIT, PageCollector } from '../../src/reporters/html.ts';
import { MAX_LINE_POINTS } from '../../src/reporters/html/charts.ts';
import { loadRun } from '../helpers/load-log.ts';

function page(text: string): { html: string; collector: PageCollector; summary: ReturnType<Analyzer['finish']> } {
  const collector = new PageCollector();
  const analyzer = new Analyzer({ onRequest: (r) => collector.add(r) });
  for (const line of text.split('\n')) analyzer.push(line);
  const summary = analyzer.finish();
  return { html: collector.render(summary), collector, summary };
}

const count = (html: string, pattern: RegExp) => (html.match(pattern) ?? []).length;

describe('the HTML page, on a long run', () => {
  it('keeps 2000 rows per table, draws the score lines as window means past 600 requests, and says both', () => {
    const requests = PAGE_REQUEST_LIMIT + 500;
    const { html } = page(loadRun({ requests, seed: 5 }).text);
    expect(count(html, /<tr data-request="/g)).toBe(PAGE_REQUEST_LIMIT);
    expect(html).toContain(`Of them, the tables show the first ${PAGE_REQUEST_LIMIT} requests completed.`);
    expect(html).toContain(`Requests, in time order <span class="note">(${PAGE_REQUEST_LIMIT} of ${requests})</span>`);
    // Every request is still in the charts: the picks chart has a tick per request.
    const ticks = [...html.matchAll(/<svg class="chart" data-chart="picks"[\s\S]*?<\/svg>/g)].map((m) => count(m[0], /M[\d.]+ [\d.]+v16/g));
    expect(ticks).toEqual([requests]);
    const points = [...html.matchAll(/data-chart="score"[\s\S]*?<\/svg>/g)].flatMap((m) => [...m[0].matchAll(/data-points="(\d+)"/g)].map((p) => Number(p[1])));
    expect(points).toHaveLength(3);
    for (const p of points) expect(p).toBeLessThanOrEqual(MAX_LINE_POINTS);
    expect(html).toContain(`the mean per window (${MAX_LINE_POINTS} windows; more than ${MAX_LINE_POINTS} requests)`);
    expect(CHART_REQUEST_LIMIT).toBeGreaterThan(requests);
  });

  it('appends sections another reporter gives, linked from the top', () => {
    const { collector, summary } = page(loadRun({ requests: 20 }).text);
    const html = collector.render(summary, [{ id: 'what-if', title: 'What-if <weights>', html: '<p id="mine">compared</p>' }]);
    expect(html).toContain('<a href="#what-if">What-if &lt;weights&gt;</a>');
    const section = html.indexOf('<section id="what-if" class="extra"><h2>What-if &lt;weights&gt;</h2><p id="mine">compared</p></section>');
    expect(section).toBeGreaterThan(html.lastIndexOf('<section class="profile"'));
  });

  it('follows the lines when a request has no timestamp, and says so', () => {
    const lines = loadRun({ requests: 6, encoder: 'json' }).text.split('\n').map((l) => l.replace(/"ts":"[^"]+",/, ''));
    const { html } = page(lines.join('\n'));
    expect(html).toContain('Not every request has a timestamp: rows and charts follow the order of the first lines.');
    expect(html).toContain('requests in the order of their first line (the lines carry no timestamps)');
    expect([...html.matchAll(/<tr data-request="(load-\d+)"/g)].map((m) => m[1])).toEqual(['load-0000', 'load-0001', 'load-0002', 'load-0003', 'load-0004', 'load-0005']);
  });
});

describe('timestamps as zap writes them', () => {
  it.each([
    ['2026-12-01T10:00:00.123Z', Date.UTC(2026, 11, 1, 10, 0, 0, 123)],
    ['2026-12-01T11:00:00.123+0100', Date.UTC(2026, 11, 1, 10, 0, 0, 123)],
    ['2026-12-01T11:00:00+01:00', Date.UTC(2026, 11, 1, 10, 0, 0)],
    ['1777190400.5', 1777190400500],
    ['1777190400500', 1777190400500],
    ['1777190400500000000', 1777190400500],
    ['not a time', undefined],
  ])('%s', (text, ms) => {
    expect(timeMs(text)).toBe(ms);
  });
});
