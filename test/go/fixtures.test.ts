import { execa } from 'execa';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli.ts';
import { copyFixture, SHAPES, treeSnapshot } from '../helpers/fixtures.ts';
import { compileAndVet, go } from '../helpers/go.ts';
import { parseZapLine, type LogRecord } from '../helpers/zap-lines.ts';


const FILTER = /profile run|scheduling decision|endpoint/i;

interface Run {
  ours: LogRecord[];
  all: string[];
  results: Array<{ requestId: string; endpoint: string }>;
}

async function runDriver(binary: string, args: string[]): Promise<Run> {
  const { stdout, stderr } = await execa(binary, args);
  const all = stdout.split('\n').filter(Boolean);
  const ours = all.filter((l) => l.includes('instrument: ')).map((l) => parseZapLine(l)!);
  const results = stderr
    .split('\n')
    .filter((l) => l.startsWith('RESULT '))
    .map((l) => JSON.parse(l.slice('RESULT '.length)) as { requestId: string; endpoint: string });
  return { ours, all, results };
}

const byPoint = (lines: LogRecord[], point: string, requestId: string) => lines.filter((l) => l.point === point && l['x-request-id'] === requestId);

/** Every assertion on what one request's lines say (format 2, docs/line-format.md). */
function checkRequest(run: Run, requestId: string, endpoint: string) {
  const runs = byPoint(run.ours, 'scheduler.profile', requestId);
  expect(runs).toHaveLength(1);
  const profile = runs[0]!;
  expect(profile).toMatchObject({ profile: 'default', round: 1, status: 'ok' });
  const names = profile.endpoints as string[];
  expect(names).toHaveLength(3);
  for (const name of names) expect(name).toMatch(/^llm-d\/vllm-[abc](-rank-0)?$/);
  const filters = profile.filters as Array<{ type: string; name: string; kept: number; removed: string[] }>;
  expect(filters).toHaveLength(1);
  expect(filters[0]).toMatchObject({ kept: 3, removed: [] });

  // No filter removes anything here, so scored (which would repeat endpoints) is left out.
  expect(profile).not.toHaveProperty('scored');
  const scored = names;
  const scorers = profile.scorers as Array<{ type: string; name: string; weight: number; scores: number[] }>;
  expect(scorers.map((s) => [s.type, s.name, s.weight])).toEqual([
    ['active-request-scorer', 'active-request-scorer', 2],
    ['queue-scorer', 'queue-scorer', 1],
  ]);
  for (const s of scorers) {
    expect(s.scores).toHaveLength(scored.length);
    for (const value of s.scores) expect(typeof value).toBe('number');
  }
  expect([...scorers[1]!.scores].sort()).toEqual([0, 0.5, 1]);

  expect(profile.picker).toMatchObject({ type: 'max-score-picker', name: 'max-score-picker' });
  const totals = profile.totals as number[];
  scored.forEach((_, i) => {
    const expected = scorers.reduce((sum, s) => sum + Math.min(1, Math.max(0, s.scores[i]!)) * s.weight, 0);
    expect(totals[i]).toBeCloseTo(expected, 9);
  });
  const winner = (profile.picked as string[])[0]!;
  expect(totals[scored.indexOf(winner)]).toBe(Math.max(...totals));

  const [decision] = byPoint(run.ours, 'scheduler.decision', requestId);
  expect(decision).toMatchObject({ profiles: [{ name: 'default', status: 'ok', round: 1 }], primary: 'default' });
  expect(decision).not.toHaveProperty('profile');

  const [request] = byPoint(run.ours, 'server.request', requestId);
  expect(request).toMatchObject({ path: '/v1/chat/completions', incomingModel: 'food-review', targetModel: 'food-review' });
  const [selected] = byPoint(run.ours, 'server.selected', requestId);
  expect(selected).toMatchObject({ endpoint, endpointName: winner });
  expect(selected).not.toHaveProperty('prefillEndpoint');
}

/** Lines per request: the profile run, the decision, the request and the endpoint sent. */
const LINES_PER_REQUEST = 4;

describe.each(SHAPES)('the patched %s fixture', (shape) => {
  let dir: string;
  let binary: string;
  let pristine: Map<string, string>;

  beforeAll(async () => {
    dir = copyFixture(shape, join((await import('node:fs')).mkdtempSync(join((await import('node:os')).tmpdir(), 'instrument-go-')), shape));
    await compileAndVet(dir);
    pristine = treeSnapshot(dir);
    const applied = await cli(['apply', '--source', dir], { cwd: dir });
    expect(applied.exitCode, applied.stdout + applied.stderr).toBe(0);
    await compileAndVet(dir);
    binary = join(dir, 'fixture-run.bin');
    await go(dir, ['build', '-o', binary, './cmd/fixture-run']);
  });

  it.each([
    ['console', 'development'],
    ['json', 'production'],
  ])('logs every decision of every request with the %s encoder in %s mode', async (encoder, mode) => {
    const run = await runDriver(binary, ['-encoder', encoder, '-mode', mode, '-requests', '3']);
    expect(run.results).toHaveLength(3);
    expect(run.ours).toHaveLength(3 * LINES_PER_REQUEST);
    for (const line of run.ours) {
      expect(line.msg).toMatch(/^instrument: /);
      expect(line.msg).toMatch(FILTER);
      expect(line['x-request-id']).toMatch(/^req-\d$/);
    }
    for (const { requestId, endpoint } of run.results) checkRequest(run, requestId, endpoint);
    const ourText = run.all.filter((l) => l.includes('instrument: ')).join('\n');
    expect(ourText).not.toMatch(/SECRET-PROMPT|fixture-secret-token|authorization/);
    if (encoder === 'json') expect(run.ours[0]!.level).toBe('Level(-2)');
    else expect(run.ours[0]!.level).toBe('LEVEL(-2)');
  });

  it('is never dropped by the production sampler, which drops V0 lines', async () => {
    const run = await runDriver(binary, ['-encoder', 'json', '-mode', 'production', '-requests', '250']);
    expect(run.results).toHaveLength(250);
    expect(run.ours.filter((l) => l.point === 'scheduler.profile')).toHaveLength(250);
    expect(run.ours.filter((l) => l.point === 'scheduler.decision')).toHaveLength(250);
    const sampledV0 = run.all.filter((l) => l.includes('fixture request done')).length;
    expect(sampledV0).toBeLessThan(250);
  });

  it("names the profile on every line written inside the profile's run, upstream's own V3/V4 lines included", async () => {
    const run = await runDriver(binary, ['-encoder', 'json', '-v', '4', '-requests', '2']);
    const inRun = run.all.map((l) => JSON.parse(l) as LogRecord).filter((l) => String(l.caller).includes('scheduler_profile.go'));
    expect(inRun.length).toBeGreaterThan(2 * 4);
    for (const line of inRun) expect(line, line.msg).toMatchObject({ profile: 'default' });
    expect(run.ours.filter((l) => l.point === 'scheduler.profile').every((l) => l.profile === 'default')).toBe(true);
  });

  it('stays quiet below its V level', async () => {
    const run = await runDriver(binary, ['-v', '1', '-requests', '2']);
    expect(run.results).toHaveLength(2);
    expect(run.ours).toEqual([]);
  });

  it('carries the id the EPP generates when the client sends none (GIE v1.0 on; v0.4/v0.5 have none)', async () => {
    const run = await runDriver(binary, ['-no-request-id', '-requests', '2']);
    expect(run.ours).toHaveLength(2 * LINES_PER_REQUEST);
    const ids = new Set(run.ours.map((l) => l['x-request-id']));
    if (shape === 'g040' || shape === 'g05') {
      expect(ids).toEqual(new Set([undefined]));
    } else {
      expect(ids.size).toBe(2);
      for (const id of ids) expect(id).toMatch(/^[0-9a-f-]{36}$/);
    }
  });

  it('reverts to the original bytes, which still compile', async () => {
    const reverted = await cli(['revert', '--source', dir], { cwd: dir });
    expect(reverted.exitCode).toBe(0);
    const now = treeSnapshot(dir);
    now.delete('fixture-run.bin');
    expect(now).toEqual(pristine);
    await go(dir, ['build', './...']);
  });
});
