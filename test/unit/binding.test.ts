import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { POINT_IDS } from '../../src/codemod/patch.ts';
import { cli, type JsonPoint } from '../helpers/cli.ts';
import { copyFixture, TARGET_FILES, treeSnapshot } from '../helpers/fixtures.ts';
import { DRIFT, lineContaining, mutate, type Mutation } from '../helpers/mutate.ts';

// Issue 13: no silent wrong placement. Each drift below once gave "applied" with a block that logged
// the wrong value, did not compile, or sat in the wrong branch; or a refusal that was false.

const PROFILE = TARGET_FILES.g15.profile;
const SERVER = TARGET_FILES.g15.server;

async function apply(dir: string, ...args: string[]) {
  const run = await cli(['apply', '--source', dir, '--json', ...args], { cwd: dir });
  const result = JSON.parse(run.stdout) as { status: string; points: JsonPoint[] };
  return { ...run, result, byId: Object.fromEntries(result.points.map((p) => [p.id, p])) as Record<string, JsonPoint> };
}

function drifted(file: string, ...mutations: ReadonlyArray<readonly Mutation[]>): string {
  const dir = copyFixture('g15');
  mutate(dir, file, ...mutations.flat());
  return dir;
}

/** The lines of the one block of a point in a patched file. */
function block(dir: string, file: string, id: string): { begin: number; text: string } {
  const lines = readFileSync(join(dir, file), 'utf8').split('\n');
  const begin = lines.findIndex((l) => l.includes(`// instrument:begin ${id} `));
  const end = lines.findIndex((l, i) => i > begin && l.includes(`// instrument:end ${id}`));
  expect(begin, `${id} block in ${file}`).toBeGreaterThanOrEqual(0);
  return { begin: begin + 1, text: lines.slice(begin, end + 1).join('\n') };
}

/** Applying refuses exactly `id`, with `code`, a reason naming `file:line`s, and what to do; nothing is written. */
async function expectRefused(dir: string, id: string, code: string, where: readonly string[]) {
  const before = treeSnapshot(dir);
  const run = await apply(dir);
  expect(run.exitCode).toBe(1);
  const point = run.byId[id]!;
  expect(point.status).not.toBe('placed');
  expect(point.codes).toContain(code);
  for (const at of where) expect(point.detail).toContain(at);
  expect(point.remedy).toBeTruthy();
  expect(treeSnapshot(dir)).toEqual(before);
  const text = await cli(['apply', '--source', dir], { cwd: dir });
  expect(text.stdout).toContain(`            what to do: ${point.remedy}`);
  return point;
}

describe('values are bound by what they are, not by position', () => {
  it('takes the totals the picker is given, wherever they are in its arguments', async () => {
    const dir = drifted(PROFILE, DRIFT.totalsMoved);
    const run = await apply(dir);
    expect(run.exitCode, JSON.stringify(run.byId['profile.picked'])).toBe(0);
    expect(block(dir, PROFILE, 'profile.picked').text).toContain('range weightedScorePerEndpoint {');
    expect(block(dir, PROFILE, 'profile.picked').text).not.toContain('cycleState');
  });

  it("takes the candidates where runFilterPlugins takes its []Endpoint, which used to be refused", async () => {
    const dir = drifted(PROFILE, DRIFT.candidatesMoved);
    const run = await apply(dir);
    expect(run.exitCode, run.byId['profile.candidates']?.detail).toBe(0);
    expect(block(dir, PROFILE, 'profile.candidates').text).toContain('range candidateEndpoints {');
  });

  it('refuses two map[Endpoint]float64 parameters of the picker, naming them', async () => {
    const dir = drifted(PROFILE, [
      ['runPickerPlugin(ctx context.Context, cycleState *fwksched.CycleState, weightedScorePerEndpoint map[fwksched.Endpoint]float64)', 'runPickerPlugin(ctx context.Context, cycleState *fwksched.CycleState, weightedScorePerEndpoint map[fwksched.Endpoint]float64, bonus map[fwksched.Endpoint]float64)'],
      ['p.runPickerPlugin(ctx, cycleState, weightedScorePerEndpoint)', 'p.runPickerPlugin(ctx, cycleState, weightedScorePerEndpoint, nil)'],
    ]);
    const point = await expectRefused(dir, 'profile.picked', 'totals-unproven', [`${PROFILE}:${lineContaining(dir, PROFILE, 'func (p *SchedulerProfile) runPickerPlugin(')}`]);
    expect(point.detail).toContain('weightedScorePerEndpoint map[fwksched.Endpoint]float64, bonus map[fwksched.Endpoint]float64');
  });
});

describe("a profile's Run is given the context by what it is", () => {
  it('wherever it sits in the arguments, and refused when Run is not given it', async () => {
    const SCHEDULER = TARGET_FILES.g15.scheduler;
    const dir = drifted(SCHEDULER, [['profile.Run(ctx, request, cycleState, candidateEndpoints)', 'profile.Run(request, ctx, cycleState, candidateEndpoints)']]);
    expect((await apply(dir)).exitCode).toBe(0);
    expect(block(dir, SCHEDULER, 'scheduler.profile').text).toContain('ctx, instrRun := instrSchedule.ProfileStart(ctx, name, profiles)');

    const without = drifted(SCHEDULER, [['profile.Run(ctx, request, cycleState, candidateEndpoints)', 'profile.Run(context.Background(), request, cycleState, candidateEndpoints)']]);
    await expectRefused(without, 'scheduler.profile', 'context-unproven', [`${SCHEDULER}:${lineContaining(without, SCHEDULER, 'profile.Run(context.Background()')}`]);
  });
});

describe("the profile handler's decision", () => {
  it('is logged right after ProcessResults when a failure returns before the final return', async () => {
    const SCHEDULER = TARGET_FILES.g15.scheduler;
    const dir = drifted(SCHEDULER, [['\n\treturn result, err\n', '\n\tif err != nil {\n\t\treturn nil, err\n\t}\n\treturn result, nil\n']]);
    expect((await apply(dir)).exitCode).toBe(0);
    const call = lineContaining(dir, SCHEDULER, 'result, err = s.profileHandler.ProcessResults(');
    // The point's second block (the first opens Schedule) follows the call at once.
    const begins = readFileSync(join(dir, SCHEDULER), 'utf8').split('\n').flatMap((l, i) => (l.includes('// instrument:begin scheduler.decision ') ? [i + 1] : []));
    expect(begins).toHaveLength(2);
    expect(begins[1]).toBe(call + 1);
  });
});

describe('the pick is the value Run returns', () => {
  it('goes after the last statement that changes it', async () => {
    const dir = drifted(PROFILE, DRIFT.pickReplaced);
    const run = await apply(dir);
    expect(run.exitCode).toBe(0);
    const changed = lineContaining(dir, PROFILE, 'result.TargetEndpoints = []fwksched.Endpoint{endpoints[len(endpoints)-1]}');
    expect(block(dir, PROFILE, 'profile.picked').begin).toBe(changed + 1);
  });

  it('is refused when runPickerPlugin is called a second time (result-repicked), naming both calls', async () => {
    const dir = drifted(PROFILE, [
      ['\n\treturn result, nil\n', '\n\tif result == nil || len(result.TargetEndpoints) == 0 {\n\t\tresult = p.runPickerPlugin(ctx, cycleState, weightedScorePerEndpoint)\n\t}\n\n\treturn result, nil\n'],
    ]);
    const lines = readFileSync(join(dir, PROFILE), 'utf8').split('\n').flatMap((l, i) => (l.includes('p.runPickerPlugin(') ? [i + 1] : []));
    expect(lines).toHaveLength(2);
    await expectRefused(dir, 'profile.picked', 'result-repicked', lines.map((l) => `${PROFILE}:${l}`));
  });

  it('is refused when the totals change before the pick is final (totals-changed)', async () => {
    const dir = drifted(PROFILE, DRIFT.pickReplaced, [['\t// the last endpoint wins', '\tdelete(weightedScorePerEndpoint, endpoints[0])\n\t// the last endpoint wins']]);
    await expectRefused(dir, 'profile.picked', 'totals-changed', [`${PROFILE}:${lineContaining(dir, PROFILE, 'delete(weightedScorePerEndpoint')}`]);
  });

  it('is refused when the pick is made in an if header (anchor-in-header)', async () => {
    const dir = drifted(PROFILE, [['\tresult := p.runPickerPlugin(ctx, cycleState, weightedScorePerEndpoint)\n', '\tif result := p.runPickerPlugin(ctx, cycleState, weightedScorePerEndpoint); result != nil {\n\t\treturn result, nil\n\t}\n\tvar result *fwksched.ProfileRunResult\n']]);
    await expectRefused(dir, 'profile.picked', 'anchor-in-header', [`${PROFILE}:${lineContaining(dir, PROFILE, 'if result := p.runPickerPlugin(')}`]);
  });

  it('is refused when Run returns the pick on a path that skips its last change (result-returned-before-change)', async () => {
    const dir = drifted(PROFILE, [['\n\treturn result, nil\n', '\n\tif len(result.TargetEndpoints) > 1 {\n\t\tresult.TargetEndpoints = result.TargetEndpoints[:1]\n\t\treturn result, nil\n\t}\n\n\treturn result, nil\n']]);
    await expectRefused(dir, 'profile.picked', 'result-returned-before-change', [`${PROFILE}:${lineContaining(dir, PROFILE, 'result.TargetEndpoints = result.TargetEndpoints[:1]') + 1}`]);
  });

  it('is refused when Run returns another value than the pick (result-not-returned)', async () => {
    const dir = drifted(PROFILE, [['\n\treturn result, nil\n', '\n\tfinal := *result\n\treturn &final, nil\n']]);
    const point = await expectRefused(dir, 'profile.picked', 'result-not-returned', []);
    expect(point.detail).toContain('`&final` at line');
  });
});

describe("a scorer's raw scores", () => {
  it('are logged right after Score returns them when they are replaced before they are added up', async () => {
    const dir = drifted(PROFILE, DRIFT.scoresHalved);
    expect((await apply(dir)).exitCode).toBe(0);
    const scores = block(dir, PROFILE, 'profile.scores');
    expect(scores.begin).toBe(lineContaining(dir, PROFILE, 'scores := scorer.Score(ctx, cycleState, request, endpoints)') + 1);
    expect(scores.text).toContain('range scores {');
  });

  it('are refused when Score is assigned twice in the scorer loop (raw-scores-unproven)', async () => {
    const dir = drifted(PROFILE, [['\t\tscores := scorer.Score(ctx, cycleState, request, endpoints)\n', '\t\tscores := scorer.Score(ctx, cycleState, request, endpoints)\n\t\tagain := scorer.Score(ctx, cycleState, request, endpoints)\n\t\t_ = again\n']]);
    await expectRefused(dir, 'profile.scores', 'raw-scores-unproven', [`${PROFILE}:${lineContaining(dir, PROFILE, 'for _, scorer := range p.scorers {')}`]);
  });
});

describe('what a filter kept', () => {
  it('is logged after the statement that changes it last', async () => {
    const dir = drifted(PROFILE, DRIFT.filteredReplaced);
    expect((await apply(dir)).exitCode).toBe(0);
    expect(block(dir, PROFILE, 'profile.filters').begin).toBe(lineContaining(dir, PROFILE, 'filteredEndpoints = filteredEndpoints[:len(filteredEndpoints)-1]') + 1);
  });
});

describe('what a filter kept, changed after the loop may have left', () => {
  it('is refused (filtered-changed-after-exit), naming the change and the exit', async () => {
    const dir = drifted(PROFILE, [
      ['\t\tif len(filteredEndpoints) == 0 {\n\t\t\tlogger.V(logutil.VERBOSE).Info("Filter eliminated all endpoints", "plugin", filter.TypedName(), "endpointsBefore", len(endpoints))\n\t\t\tbreak\n\t\t}\n', '\t\tif len(filteredEndpoints) == 0 {\n\t\t\tlogger.V(logutil.VERBOSE).Info("Filter eliminated all endpoints", "plugin", filter.TypedName(), "endpointsBefore", len(endpoints))\n\t\t\tbreak\n\t\t}\n\t\tfilteredEndpoints = filteredEndpoints[:len(filteredEndpoints):len(filteredEndpoints)]\n'],
    ]);
    const exit = lineContaining(dir, PROFILE, '\t\t\tbreak');
    await expectRefused(dir, 'profile.filters', 'filtered-changed-after-exit', [`${PROFILE}:${exit}`, `${PROFILE}:${lineContaining(dir, PROFILE, 'filteredEndpoints[:len(filteredEndpoints):len(filteredEndpoints)]')}`]);
  });
});

describe('the server lines use the logger that carries the request id', () => {
  it('refuses a logger that does not, when the request logger is declared out of reach (request-logger-out-of-scope)', async () => {
    const dir = drifted(SERVER, [
      ['\t\t\tlogger = logger.WithValues(reqcommon.RequestIdHeaderKey, requestID)\n', '\t\t\treqLogger := logger.WithValues(reqcommon.RequestIdHeaderKey, requestID)\n'],
      ['\t\t\tlogger.V(logutil.DEFAULT).Info("EPP received request")', '\t\t\treqLogger.V(logutil.DEFAULT).Info("EPP received request")'],
      ['\t\t\tloggerTrace = logger.V(logutil.TRACE)\n\t\t\tctx = log.IntoContext(ctx, logger)', '\t\t\tloggerTrace = reqLogger.V(logutil.TRACE)\n\t\t\tctx = log.IntoContext(ctx, reqLogger)'],
    ]);
    const at = `${SERVER}:${lineContaining(dir, SERVER, 'reqLogger := logger.WithValues(')}`;
    await expectRefused(dir, 'server.request', 'request-logger-out-of-scope', [at]);
    const run = await apply(dir);
    expect(run.byId['server.selected']).toMatchObject({ status: 'missing', codes: ['request-logger-out-of-scope'] });
  });

  it('finds it by the context it is put into when the request id key is renamed', async () => {
    const dir = drifted(SERVER, [['logger = logger.WithValues(reqcommon.RequestIdHeaderKey, requestID)', 'logger = logger.WithValues(reqcommon.XReqHeader, requestID)']]);
    mutate(dir, 'pkg/common/request/headers.go', ['const RequestIdHeaderKey = "x-request-id"', 'const (\n\tRequestIdHeaderKey = "x-request-id"\n\tXReqHeader         = "x-request-id"\n)']);
    const run = await apply(dir);
    expect(run.exitCode, JSON.stringify(run.byId['server.request'])).toBe(0);
    expect(block(dir, SERVER, 'server.request').text).toContain('if instrLog := logger.V(2);');
  });

  it('refuses a request logger that is set again to one that may not carry it (request-logger-replaced)', async () => {
    const dir = drifted(SERVER, [['\t\tcase *extProcPb.ProcessingRequest_RequestTrailers:\n', '\t\tcase *extProcPb.ProcessingRequest_RequestTrailers:\n\t\t\tlogger = log.FromContext(srv.Context())\n']]);
    await expectRefused(dir, 'server.request', 'request-logger-replaced', [`${SERVER}:${lineContaining(dir, SERVER, 'logger = log.FromContext(srv.Context())')}`]);
  });

  it('refuses server.selected when Process hands updateStateAndSendIfNeeded another logger (logger-without-request-id)', async () => {
    const dir = drifted(SERVER, [['reqCtx.updateStateAndSendIfNeeded(srv, logger)', 'reqCtx.updateStateAndSendIfNeeded(srv, log.FromContext(srv.Context()))']]);
    const point = await expectRefused(dir, 'server.selected', 'logger-without-request-id', [`${SERVER}:${lineContaining(dir, SERVER, 'reqCtx.updateStateAndSendIfNeeded(')}`]);
    expect(point.detail).toContain('`log.FromContext(srv.Context())`');
    expect((await apply(dir)).byId['server.request']!.status).toBe('placed');
  });
});

describe('an anchor in an if header', () => {
  it('puts server.request on the success path, after the if whose error branch breaks', async () => {
    const dir = drifted(SERVER, DRIFT.handleRequestInHeader);
    const run = await apply(dir);
    expect(run.exitCode).toBe(0);
    const header = lineContaining(dir, SERVER, 'if reqCtx, err = s.director.HandleRequest(ctx, reqCtx); err != nil {');
    const lines = readFileSync(join(dir, SERVER), 'utf8').split('\n');
    // The if's three lines (error log, break, brace), then the block.
    expect(lines[header + 2]).toBe('\t\t\t\t}');
    expect(block(dir, SERVER, 'server.request').begin).toBe(header + 4);
  });

  it('refuses one whose success path is not proven (anchor-in-header)', async () => {
    const dir = drifted(SERVER, [['\t\t\t\t\tlogger.Error(err, "Error handling request")\n\t\t\t\t\tbreak\n', '\t\t\t\t\tlogger.Error(err, "Error handling request")\n']], DRIFT.handleRequestInHeader);
    await expectRefused(dir, 'server.request', 'anchor-in-header', [`${SERVER}:${lineContaining(dir, SERVER, 'if reqCtx, err = s.director.HandleRequest(')}`]);
  });
});

describe('two equal candidates in one method', () => {
  it('are refused as ambiguous with both file:line and what to do (two-places)', async () => {
    const dir = drifted(SERVER, [['\t\tcase *extProcPb.ProcessingRequest_RequestTrailers:\n', '\t\tcase *extProcPb.ProcessingRequest_RequestTrailers:\n\t\t\treqCtx, err = s.director.HandleRequest(ctx, reqCtx)\n']]);
    const lines = readFileSync(join(dir, SERVER), 'utf8').split('\n').flatMap((l, i) => (l.includes('reqCtx, err = s.director.HandleRequest(ctx, reqCtx)') ? [i + 1] : []));
    expect(lines).toHaveLength(2);
    const point = await expectRefused(dir, 'server.request', 'two-places', lines.map((l) => `${SERVER}:${l}`));
    expect(point.status).toBe('ambiguous');
  });
});

describe('comments and strings declare nothing', () => {
  it('a comment or string quoting the signature, in another file or the same one, is not a second declaration', async () => {
    const dir = copyFixture('g15');
    writeFileSync(
      join(dir, 'pkg/epp/scheduling/notes.go'),
      'package scheduling\n\n// Profiles run as func (p *SchedulerProfile) Run(ctx context.Context, ...) does.\n/* func (p *SchedulerProfile) Run( */\n\nconst runSignature = "func (p *SchedulerProfile) Run("\n\nvar _ = `func (s *Scheduler) Schedule(`\n',
    );
    mutate(dir, PROFILE, ['// Run filters the candidates', '// func (p *SchedulerProfile) Run(ctx context.Context) is below.\n// Run filters the candidates']);
    const run = await apply(dir);
    expect(run.exitCode, JSON.stringify(run.result.points.filter((p) => p.status !== 'placed'))).toBe(0);
    expect(run.result.points.map((p) => p.status)).toEqual(POINT_IDS.map(() => 'placed'));
  });
});

describe('a point whose shape is gone says what is there instead', () => {
  it('a renamed helper: the calls the method makes, with their lines', async () => {
    const dir = drifted(PROFILE, [
      ['result := p.runPickerPlugin(', 'result := p.pickWith('],
      ['func (p *SchedulerProfile) runPickerPlugin(', 'func (p *SchedulerProfile) pickWith('],
    ]);
    const before = treeSnapshot(dir);
    const run = await apply(dir);
    expect(run.exitCode).toBe(1);
    const run0 = lineContaining(dir, PROFILE, 'func (p *SchedulerProfile) Run(');
    expect(run.byId['profile.picked']!.detail).toContain(`nothing in func (*SchedulerProfile) Run (${PROFILE}:${run0}) has the shape searched for: it calls no runPickerPlugin; the calls it makes are `);
    expect(run.byId['profile.picked']!.detail).toContain(`p.pickWith (line ${lineContaining(dir, PROFILE, 'result := p.pickWith(')})`);
    expect(treeSnapshot(dir)).toEqual(before);
  });

  it('the anchor called in a form the point does not bind: that statement, with file and line', async () => {
    const dir = drifted(SERVER, [['reqCtx, err = s.director.HandleRequest(ctx, reqCtx)', 'handled, handleErr := s.director.HandleRequest(ctx, reqCtx)\n\t\t\t\treqCtx, err = handled, handleErr']]);
    const run = await apply(dir);
    expect(run.exitCode).toBe(1);
    expect(run.byId['server.request']!.detail).toContain(
      `it calls HandleRequest in \`handled, handleErr := s.director.HandleRequest(ctx, reqCtx)\` at ${SERVER}:${lineContaining(dir, SERVER, 'handled, handleErr :=')}, a form this point does not bind`,
    );
  });
});

describe('two files that declare the same target', () => {
  it('are refused with both file:line and what to do; --target-file names the one to patch', async () => {
    const dir = copyFixture('g15');
    const copy = 'pkg/epp/scheduling/copy/scheduler_profile.go';
    mkdirSync(dirname(join(dir, copy)), { recursive: true });
    cpSync(join(dir, PROFILE), join(dir, copy));
    const line = lineContaining(dir, PROFILE, 'func (p *SchedulerProfile) Run(');
    const before = treeSnapshot(dir);
    const copyBytes = readFileSync(join(dir, copy));

    const run = await apply(dir);
    expect(run.exitCode).toBe(1);
    const point = run.byId['profile.picked']!;
    expect(point).toMatchObject({ status: 'ambiguous', codes: ['two-files'] });
    expect(point.detail).toContain(`${copy}:${line} and ${PROFILE}:${line}`);
    expect(point.remedy).toContain('--target-file profile=');
    expect(treeSnapshot(dir)).toEqual(before);

    const chosen = await apply(dir, '--target-file', `profile=${PROFILE}`);
    expect(chosen.exitCode).toBe(0);
    expect(chosen.result.points.filter((p) => p.id.startsWith('profile.')).map((p) => p.file)).toEqual([PROFILE, PROFILE, PROFILE, PROFILE]);
    expect(readFileSync(join(dir, copy)).equals(copyBytes)).toBe(true);
    expect(readFileSync(join(dir, PROFILE), 'utf8')).toContain('instrument:begin profile.picked');
  });

  it('--target-file refuses a file that does not declare the target, naming those that do, and a malformed value', async () => {
    const dir = copyFixture('g15');
    const wrong = await cli(['apply', '--source', dir, '--target-file', `profile=${SERVER}`], { cwd: dir });
    expect(wrong.exitCode).toBe(2);
    expect(wrong.stderr).toContain(`${SERVER} does not declare func (*SchedulerProfile) Run; the files that do: ${PROFILE}`);
    for (const bad of ['profile', 'handler=x.go', 'profile=']) {
      const run = await cli(['diff', '--source', dir, '--target-file', bad], { cwd: dir });
      expect(run.exitCode, bad).toBe(2);
      expect(run.stderr).toContain('expected <target>=<path>');
    }
  });
});
