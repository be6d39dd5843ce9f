/**
 * Writes docs/report.png: the HTML report of a P/D run under load (test/helpers/load-log.ts: 160
 * requests, three decode and two prefill pods), from the overview to the decode profile's first
 * table rows, as headless Chromium draws it with JavaScript off. Run by scripts/report-screenshot.sh.
 */
import { writeFileSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Analyzer } from '../src/analyze/analyzer.ts';
import { PageCollector } from '../src/reporters/html.ts';
import { openPage } from '../test/helpers/chromium.ts';
import { loadRun } from '../test/helpers/load-log.ts';

const [output = 'docs/report.png'] = process.argv.slice(2);
const page = new PageCollector();
const analyzer = new Analyzer({ onRequest: (record) => page.add(record) });
for (const line of loadRun({ requests: 160, pd: true, seed: 3 }).text.split('\n')) analyzer.push(line);
const html = page.render(analyzer.finish());
const file = join(mkdtempSync(join(tmpdir(), 'instrument-report-')), 'report.html');
writeFileSync(file, html);

const browser = await openPage(`file://${file}`, { javascript: false, width: 1100, height: 900 });
try {
  // From the page's top to the eighth row of the decode profile's table.
  const bottom = await browser.evaluate<number>(`(() => {
    const row = document.querySelectorAll('table.requests[data-profile="decode"] tbody tr')[7];
    return Math.ceil(row.getBoundingClientRect().bottom + window.scrollY + 8);
  })()`);
  const png = await browser.screenshot({ x: 0, y: 0, width: 1100, height: bottom });
  writeFileSync(output, png);
  console.log(`${output}: ${png.length} bytes, 1100 × ${bottom}; the page ${html.length} bytes`);
} finally {
  await browser.close();
}
