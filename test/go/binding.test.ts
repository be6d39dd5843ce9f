import { execa } from 'execa';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli.ts';
import { copyFixture, TARGET_FILES } from '../helpers/fixtures.ts';
import { compileAndVet, go } from '../helpers/go.ts';
import { DRIFT, mutate } from '../helpers/mutate.ts';
import { parseZapLine, type LogRecord } from '../helpers/zap-lines.ts';

// Issue 13 (G15 and LH): where a drifted tree moves a block (after the last change of a value, onto the success
// path of an if header) or binds a value by its type rather than its position, the patched EPP must
// compile, vet, run, and log what the code really did: the values the driver sees.

describe.each([
  ['g15', DRIFT.handleRequestInHeader],
  ['lh', DRIFT.handleRequestInHeaderLh],
] as const)('a %s tree drifted six ways at once', (shape, handleRequestInHeader) => {
  let binary: string;

  beforeAll(async () => {
    const dir = copyFixture(shape, join(mkdtempSync(join(tmpdir(), 'instrument-go-binding-')), shape));
    mutate(dir, TARGET_FILES[shape].profile, ...DRIFT.candidatesMoved, ...DRIFT.filteredReplaced, ...DRIFT.totalsMoved, ...DRIFT.pickReplaced, ...DRIFT.scoresHalved);
    mutate(dir, TARGET_FILES[shape].server, ...handleRequestInHeader);
    // The drifted tree is valid Go before instrument touches it.
    await compileAndVet(dir);
    const applied = await cli(['apply', '--source', dir], { cwd: dir });
    expect(applied.exitCode, applied.stdout + applied.stderr).toBe(0);
    await compileAndVet(dir);
    binary = join(dir, 'fixture-run.bin');
    await go(dir, ['build', '-o', binary, './cmd/fixture-run']);
  });

  it('logs the candidates, what the filter really kept, the raw scores, the totals the picker got, the pick Run returned, and the request on its success path', async () => {
    const { stdout, stderr } = await execa(binary, ['-encoder', 'json', '-requests', '3']);
    const ours = stdout.split('\n').filter((l) => l.includes('instrument: ')).map((l) => parseZapLine(l)!);
    const results = stderr.split('\n').filter((l) => l.startsWith('RESULT ')).map((l) => JSON.parse(l.slice('RESULT '.length)) as { requestId: string; endpoint: string });
    expect(results).toHaveLength(3);
    const line = (point: string, requestId: string): LogRecord => {
      const found = ours.filter((l) => l.point === point && l['x-request-id'] === requestId);
      expect(found, `${point} for ${requestId}`).toHaveLength(1);
      return found[0]!;
    };
    let pickedBelowMax = 0;
    for (const { requestId, endpoint } of results) {
      const run = line('scheduler.profile', requestId);
      const candidates = run.endpoints as string[];
      expect(candidates).toHaveLength(3);
      // The drift drops the filter's last endpoint a statement after the filter: kept 2, not 3.
      const [filter] = run.filters as Array<{ kept: number; removed: string[] }>;
      expect(filter).toMatchObject({ kept: 2, removed: [candidates[2]] });
      const scored = run.scored as string[];
      expect(scored).toEqual(candidates.slice(0, 2));
      // The scores are the raw ones Score returned (queue-scorer's fixed 1 and 0.5 for a and b), not
      // the halved copy that is added up; the totals are the map the picker was given (its second
      // argument now), each the weighted sum of the halved scores.
      const scorers = run.scorers as Array<{ name: string; weight: number; scores: number[] }>;
      expect(scorers.find((s) => s.name === 'queue-scorer')!.scores).toEqual([1, 0.5]);
      const totals = run.totals as number[];
      expect(totals).toHaveLength(2);
      totals.forEach((total, i) => expect(total).toBeCloseTo(scorers.reduce((sum, s) => sum + Math.min(1, Math.max(0, s.scores[i]! / 2)) * s.weight, 0), 9));
      // The pick is the one Run returns (the last filtered endpoint), which the proxy was sent.
      const picked = run.picked as string[];
      expect(picked).toEqual([scored[1]]);
      if (totals[1]! < Math.max(...totals)) pickedBelowMax++;
      const selected = line('server.selected', requestId);
      expect(selected).toMatchObject({ endpoint, endpointName: picked[0] });
      expect(line('server.request', requestId)).toMatchObject({ path: '/v1/chat/completions', incomingModel: 'food-review', targetModel: 'food-review' });
    }
    // The replaced pick is not the picker's choice on some request: the line followed Run, not the picker.
    expect(pickedBelowMax).toBeGreaterThan(0);
  });
});
