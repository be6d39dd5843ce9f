import { execa } from 'execa';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { spawnCli } from '../helpers/cli.ts';
import { tempDir } from '../helpers/fixtures.ts';

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

/** The page as headless Chromium renders it (its script has run). */
async function renderedDom(file: string): Promise<string> {
  const profile = mkdtempSync(join(tmpdir(), 'instrument-chromium-'));
  const args = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', `--user-data-dir=${profile}`, '--dump-dom', `file://${file}`];
  const run = await execa('chromium', args, { timeout: 120_000 });
  return run.stdout;
}

describe('the HTML page of instrument analyze', () => {
  it('renders in headless Chromium with the heat maps, picks and failures of the log', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'epp.log'), LOG);
    const run = await spawnCli(['analyze', 'epp.log', '--html', 'report.html'], { cwd: dir });
    expect(run.exitCode).toBe(1); // the failure makes analyze fail, and still writes the page
    const dom = await renderedDom(join(dir, 'report.html'));
    expect(dom).toContain('data-rendered="true"');

    const cell = (scorer: string, request: string, endpoint: string) => {
      const table = dom.slice(dom.indexOf(`data-scorer="${scorer}"`));
      const row = table.slice(table.indexOf(`data-request="${request}"`));
      return new RegExp(`<td class="cell( picked)?" data-endpoint="${endpoint.replace('/', '\\/')}" data-value="([\\d.]+)"[^>]*>([\\d.]+)<`).exec(row);
    };
    expect(cell('active-request-scorer ×2', 'r-1', 'ns/b')?.slice(1)).toEqual([undefined, '0.25', '0.250']);
    expect(cell('active-request-scorer ×2', 'r-2', 'ns/a')?.slice(1)).toEqual([undefined, '0.5', '0.500']);
    expect(cell('weighted total', 'r-1', 'ns/a')?.slice(1)).toEqual([' picked', '2', '2']);
    expect(cell('weighted total', 'r-2', 'ns/b')?.slice(1)).toEqual([' picked', '1.5', '1.500']);
    expect(dom).toContain('data-endpoint="ns/a" data-picks="1"');
    expect(dom).toContain('data-endpoint="ns/b" data-picks="1"');
    expect(dom).toMatch(/data-kind="InferencePoolResourceExhausted"><td class="id bad">failure: InferencePoolResourceExhausted<\/td><td>1<\/td><td class="id">r-3</);
    expect(dom).not.toMatch(/<(script|link|img)[^>]+(src|href)="https?:/);
  });
});
