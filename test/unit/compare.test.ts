import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { Analyzer } from '../../src/analyze/analyzer.ts';
import { compare, type CompareReport, type RunInput } from '../../src/analyze/compare.ts';
import type { RequestRecord } from '../../src/analyze/model.ts';
import { cli } from '../helpers/cli.ts';
import { DECODE_FILTER, EppLog, NOTHING_FILTER, runProfile, type ScorerSpec } from '../helpers/epp-log.ts';

// Two logs with known distributions: run A picks decode-a 6 times and decode-b 4 times; run B
// picks decode-a 3 times and decode-b 7 times, and its prefill profile fails twice.

const A = 'llm-d/decode-a';
const B = 'llm-d/decode-b';
const C = 'llm-d/decode-c';

/** Request n prefers decode-a when `a(n)`; queue-scorer's raw scores are known exactly. */
function runLog(picksA: number, total: number, prefillFailures: number, weight: number): EppLog {
  const log = new EppLog('console');
  for (let n = 0; n < total; n++) {
    const id = `r-${n}`;
    const queue: ScorerSpec = { type: 'queue-scorer', name: 'queue-scorer', weight, score: (e) => (e === A ? (n < picksA ? 1 : 0.25) : e === B ? 0.5 : 0) };
    const decode = runProfile({ profile: 'decode', round: 1, filters: [DECODE_FILTER], scorers: [queue] });
    log.profileRun(id, decode);
    const profiles: Array<{ name: string; status: 'ok' | 'failed' | 'not-run'; round: number }> = [{ name: 'decode', status: 'ok', round: 1 }];
    if (n < prefillFailures) {
      log.profileRun(id, runProfile({ profile: 'prefill', round: 2, filters: [NOTHING_FILTER], scorers: [] }));
      profiles.push({ name: 'prefill', status: 'failed', round: 2 });
    }
    log.decision(id, profiles, 'decode');
  }
  return log;
}

function input(label: string, log: EppLog): RunInput {
  const records: RequestRecord[] = [];
  const analyzer = new Analyzer({ onRequest: (r) => records.push(r) });
  for (const line of log.lines) analyzer.push(line);
  return { label, records, summary: analyzer.finish() };
}

describe('analyze --compare', () => {
  const report = compare(input('before.log', runLog(6, 10, 0, 1)), input('after.log', runLog(3, 10, 2, 2)));

  it('pick distributions per endpoint and profile, with the differences', () => {
    expect(report.labels).toEqual(['before.log', 'after.log']);
    expect(report.requests).toEqual([10, 10]);
    const decode = report.profiles.find((p) => p.name === 'decode')!;
    expect(decode.ok).toEqual([10, 10]);
    expect(decode.picks).toEqual([
      { endpoint: A, counts: [6, 3], shares: [0.6, 0.3] },
      { endpoint: B, counts: [4, 7], shares: [0.4, 0.7] },
    ]);
  });

  it("every scorer's spread per endpoint (min/median/max) and the margins", () => {
    const decode = report.profiles.find((p) => p.name === 'decode')!;
    const queue = decode.scorers.find((s) => s.scorer === 'queue-scorer')!;
    expect(queue.weights).toEqual([[1], [2]]);
    const spreadOf = (e: string) => queue.endpoints.find((x) => x.endpoint === e)!.spreads;
    // A: 6×1 and 4×0.25 (median of 10 = the 6th value in order = 1); then 3×1 and 7×0.25 (median 0.25).
    expect(spreadOf(A)).toEqual([
      { count: 10, min: 0.25, median: 1, max: 1 },
      { count: 10, min: 0.25, median: 0.25, max: 1 },
    ]);
    expect(spreadOf(C)).toEqual([
      { count: 10, min: 0, median: 0, max: 0 },
      { count: 10, min: 0, median: 0, max: 0 },
    ]);
    // Margins: weight 1, A picked with 1 over 0.5 (0.5), B with 0.5 over 0.25 (0.25); weight 2 doubles them.
    expect(decode.margin).toEqual([
      { count: 10, min: 0.25, median: 0.5, max: 0.5 },
      { count: 10, min: 0.5, median: 0.5, max: 1 },
    ]);
  });

  it('failures: overall and per profile', () => {
    expect(report.failures).toEqual([{ kind: 'no-endpoints-available', counts: [0, 2] }]);
    const prefill = report.profiles.find((p) => p.name === 'prefill')!;
    expect(prefill.failed).toEqual([0, 2]);
    expect(prefill.failures).toEqual([{ kind: 'no-endpoints-available', counts: [0, 2] }]);
  });

  it('the CLI: text, --json and --html; the second log is required', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'instrument-compare-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    writeFileSync(join(dir, 'before.log'), runLog(6, 10, 0, 1).text());
    writeFileSync(join(dir, 'after.log'), runLog(3, 10, 2, 2).text());
    const text = await cli(['analyze', '--compare', 'before.log', 'after.log'], { cwd: dir });
    expect(text.exitCode, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/^ {2}llm-d\/decode-a +6 \(60%\) +3 \(30%\) +−3 +−30 pts$/m);
    expect(text.stdout).toMatch(/^ {2}failures no-endpoints-available +0 +2 +\+2$/m);
    expect(text.stdout).toMatch(/queue-scorer ×1 → ×2 · llm-d\/decode-a +0\.25\/1\/1 +0\.25\/0\.25\/1 +−0\.75/);
    const json = await cli(['analyze', '--compare', 'before.log', 'after.log', '--json', '--html', 'c.html'], { cwd: dir });
    const doc = JSON.parse(json.stdout) as CompareReport;
    expect(doc.version).toBe(1);
    expect(doc.profiles.find((p) => p.name === 'decode')!.picks[1]).toEqual({ endpoint: B, counts: [4, 7], shares: [0.4, 0.7] });
    expect(readFileSync(join(dir, 'c.html'), 'utf8')).toMatch(/<section class="compare" id="compare">[\s\S]*<td class="name">llm-d\/decode-b<\/td><td>4 \(40%\)<\/td><td>7 \(70%\)<\/td><td>\+3<\/td><td>\+30 pts<\/td>/);
    const missing = await cli(['analyze', '--compare', 'before.log'], { cwd: dir });
    expect(missing.exitCode).toBe(2);
    expect(missing.stderr).toContain('the second log is missing');
  });
});
