import { execa } from 'execa';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { spawnCli } from '../helpers/cli.ts';
import { ADDRESS, ALL, EppLog, NOTHING_FILTER, pdRuns, runProfile } from '../helpers/epp-log.ts';
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

/** A heat map cell of one profile's map for one scorer: [picked, data-value, text]. */
function cell(dom: string, profile: string, scorer: string, request: string, endpoint: string) {
  const section = dom.slice(dom.indexOf(`<section class="profile" data-profile="${profile}">`));
  const table = section.slice(section.indexOf(`data-profile="${profile}" data-scorer="${scorer}"`));
  const row = table.slice(table.indexOf(`data-request="${request}"`));
  return new RegExp(`<td class="cell( picked)?" data-endpoint="${endpoint.replace('/', '\\/')}" data-value="([\\d.]+)"[^>]*>([\\d.]+)<`).exec(row);
}

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

    // Format 1 names no profile: the one run is the unnamed profile #1.
    expect(dom).toContain('<section class="profile" data-profile="#1"><h2>profile #1</h2>');
    expect(cell(dom, '#1', 'active-request-scorer', 'r-1', 'ns/b')?.slice(1)).toEqual([undefined, '0.25', '0.250']);
    expect(cell(dom, '#1', 'active-request-scorer', 'r-2', 'ns/a')?.slice(1)).toEqual([undefined, '0.5', '0.500']);
    expect(cell(dom, '#1', 'weighted total', 'r-1', 'ns/a')?.slice(1)).toEqual([' picked', '2', '2']);
    expect(cell(dom, '#1', 'weighted total', 'r-2', 'ns/b')?.slice(1)).toEqual([' picked', '1.5', '1.500']);
    expect(dom).toContain('<h3>active-request-scorer ×2 — requests × endpoints</h3>');
    expect(dom).toContain('data-endpoint="ns/a" data-picks="1"');
    expect(dom).toContain('data-endpoint="ns/b" data-picks="1"');
    expect(dom).toMatch(/data-kind="InferencePoolResourceExhausted"><td class="id bad">failure: InferencePoolResourceExhausted<\/td><td>1<\/td><td class="id">r-3</);
    expect(dom).not.toMatch(/<(script|link|img)[^>]+(src|href)="https?:/);
  });

  it('draws one section per profile of a P/D log, with its heat maps, its picks and a failed run as what it is', async () => {
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
    const dir = tempDir();
    writeFileSync(join(dir, 'pd.log'), log.text());
    const run = await spawnCli(['analyze', 'pd.log', '--html', 'pd.html'], { cwd: dir });
    expect(run.exitCode).toBe(1); // pd-3's prefill profile failed
    const dom = await renderedDom(join(dir, 'pd.html'));
    expect(dom).toContain('data-rendered="true"');
    expect(dom).toContain('<section class="profile" data-profile="decode"><h2>profile decode</h2>');
    expect(dom).toContain('<section class="profile" data-profile="prefill"><h2>profile prefill</h2>');
    const pd0 = { decode: runProfile(pdRuns(0).decode), prefill: runProfile(pdRuns(0).prefill) };
    for (const [profile, result] of Object.entries(pd0)) {
      const picked = result.picked[0]!;
      const total = result.totals[result.scored.indexOf(picked)]!;
      expect(cell(dom, profile, 'weighted total', 'pd-0', picked)?.slice(1, 3), profile).toEqual([' picked', String(total)]);
    }
    // Each profile's maps have only its own scorer instances and endpoints.
    expect(dom).toMatch(/data-profile="decode" data-scorer="decode-active \(active-request-scorer\)"/);
    expect(dom).toMatch(/data-profile="prefill" data-scorer="prefill-active \(active-request-scorer\)"/);
    expect(dom).not.toMatch(/data-profile="decode" data-scorer="prefill-/);
    const prefillSection = dom.slice(dom.indexOf('data-profile="prefill"><h2>'));
    expect(prefillSection).toMatch(/<tr data-request="pd-3" data-status="failed"><td class="id">pd-3<\/td><td class="status" colspan="2">failed: no pods available for the given request<\/td>/);
    expect(dom).toMatch(/data-check="prefill-is-prefill-pick"><td class="id">prefill-is-prefill-pick<\/td><td>3<\/td><td class="">0<\/td>/);
  });
});
