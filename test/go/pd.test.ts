import { execa } from 'execa';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli.ts';
import { copyFixture, type Setup } from '../helpers/fixtures.ts';
import { compileAndVet, go } from '../helpers/go.ts';
import { parseZapLine, type LogRecord } from '../helpers/zap-lines.ts';

/**
 * The P/D setups of llm-d v0.4.0 on GIE v1.2 (fixture `llmd04`) and of llm-d-router HEAD (fixture
 * `routerpd`: the disagg profile handler with a decider), each with the driver `cmd/pd-run`, patched
 * by apply and run with a real zap logger: the lines must tell, for every request, what the driver's
 * truth file says happened. The lines are read here with a parser of this test's own (zap's JSON
 * and development-console forms), not with src/analyze.
 */


interface ProfileTruth {
  status: 'ok' | 'failed' | 'not-run';
  round: number;
  picked: string[];
}

interface RequestTruth {
  requestId: string;
  profiles: Record<string, ProfileTruth>;
  primary: string;
  error?: string;
  endpoint: string;
  prefillEndpoint: string;
}

interface AnalyzedRequest {
  requestId: string;
  profiles: Record<string, { status: string; picked?: string[] }>;
  primaryProfile?: string;
  envoyEndpoint?: string;
  prefillEndpoint?: string;
  problems: Array<{ kind: string; detail: string }>;
  checks: Array<{ check: string; result: string }>;
}

interface Filter {
  type: string;
  name: string;
  kept: number;
  removed: string[];
}

const CASES = ['always', 'threshold', 'prefill-none', 'decode-none'] as const;
const ROLES: Record<(typeof CASES)[number], string[]> = {
  always: ['prefill', 'prefill', 'decode', 'decode'],
  threshold: ['prefill', 'prefill', 'decode', 'decode'],
  'prefill-none': ['decode', 'decode', 'decode', 'decode'],
  'decode-none': ['prefill', 'prefill', 'prefill', 'prefill'],
};
const PODS = [1, 2, 3, 4].map((i) => `llm-d/vllm-${i}-rank-0`);

/**
 * Each P/D fixture, and the type of its first filter (every pod has app=vllm): llm-d v0.4.0's
 * `by-label-selector`, and at llm-d-router HEAD its canonical name `label-selector-filter`.
 */
const FIXTURES: Array<{ setup: Setup; title: string; selectorType: string }> = [
  { setup: 'llmd04', title: 'llm-d v0.4.0', selectorType: 'by-label-selector' },
  { setup: 'routerpd', title: 'llm-d-router HEAD', selectorType: 'label-selector-filter' },
];

describe.each(FIXTURES)('the patched $title P/D fixture ($setup)', ({ setup, selectorType }) => {
  let dir: string;
  let binary: string;

  beforeAll(async () => {
    dir = copyFixture(setup, join(mkdtempSync(join(tmpdir(), 'instrument-pd-')), setup));
    const applied = await cli(['apply', '--source', dir], { cwd: dir });
    expect(applied.exitCode, applied.stdout + applied.stderr).toBe(0);
    await compileAndVet(dir);
    binary = join(dir, 'pd-run.bin');
    await go(dir, ['build', '-o', binary, './cmd/pd-run']);
  });

  async function runCase(scenario: string, scorers: string, encoder: string, mode: string, verbosity = 2) {
    const truthFile = join(dir, `truth-${scenario}-${scorers}-${encoder}.json`);
    const { stdout } = await execa(binary, ['-case', scenario, '-scorers', scorers, '-encoder', encoder, '-mode', mode, '-v', String(verbosity), '-requests', '20', '-truth', truthFile]);
    // Development mode prints a stack trace under error lines (a failed request); those lines are not records.
    const lines = stdout
      .split('\n')
      .filter(Boolean)
      .map((l) => parseZapLine(l))
      .filter((l): l is LogRecord => l !== undefined);
    const truth = JSON.parse(readFileSync(truthFile, 'utf8')) as { requests: RequestTruth[] };
    return { lines, truth: truth.requests };
  }

  async function runCaseRaw(scenario: string, scorers: string, encoder: string, mode: string) {
    const truthFile = join(dir, `truth-raw-${scenario}-${scorers}-${encoder}.json`);
    const { stdout } = await execa(binary, ['-case', scenario, '-scorers', scorers, '-encoder', encoder, '-mode', mode, '-requests', '20', '-truth', truthFile]);
    const truth = JSON.parse(readFileSync(truthFile, 'utf8')) as { requests: RequestTruth[] };
    return { raw: stdout + '\n', truth: truth.requests };
  }

  describe.each(CASES.flatMap((c) => ['shared', 'distinct'].map((s) => [c, s] as const)))('case %s, %s scorers', (scenario, scorers) => {
    it.each([
      ['console', 'development'],
      ['json', 'production'],
    ])('tells every request as the truth file has it (%s encoder, %s mode)', async (encoder, mode) => {
      const { lines, truth } = await runCase(scenario, scorers, encoder, mode);
      expect(truth).toHaveLength(20);
      const ours = lines.filter((l) => l.msg.startsWith('instrument: '));
      for (const request of truth) {
        const mine = ours.filter((l) => l['x-request-id'] === request.requestId);

        // One profile line per profile that ran, naming it, with the truth's round, status and pick.
        const runs = mine.filter((l) => l.point === 'scheduler.profile');
        const ran = Object.entries(request.profiles).filter(([, p]) => p.status !== 'not-run');
        expect(runs.map((l) => l.profile).sort()).toEqual(ran.map(([name]) => name).sort());
        for (const [name, profile] of ran) {
          const line = runs.find((l) => l.profile === name)!;
          expect(line).toMatchObject({ round: profile.round, status: profile.status });
          if (profile.status === 'ok') expect(line.picked).toEqual(profile.picked);
          else expect(line.error).toEqual(expect.any(String));
          expect(line.endpoints).toEqual(PODS);
          const filters = line.filters as Filter[];
          // The label selector keeps every pod; the role filter removes the pods of the other role.
          expect(filters.map((f) => f.type)).toEqual([selectorType, `${name}-filter`]);
          expect(filters[0]).toMatchObject({ kept: 4, removed: [] });
          const others = PODS.filter((_, i) => ROLES[scenario][i] !== name);
          expect(filters[1]).toMatchObject({ kept: 4 - others.length, removed: others });
          if (profile.status === 'failed') {
            expect(line).not.toHaveProperty('scored');
            continue;
          }
          const active = (line.scorers as Array<{ type: string; name: string }>)[0]!;
          expect(active.type).toBe('active-request-scorer');
          expect(active.name).toBe(scorers === 'shared' ? 'active-request-scorer' : `${name}-active-request`);
        }

        // The decision: every profile, its status and round, the primary, the error.
        const [decision] = mine.filter((l) => l.point === 'scheduler.decision');
        expect(decision).toBeDefined();
        expect(decision!.profiles).toEqual(
          Object.entries(request.profiles)
            .sort(([a], [b]) => a.localeCompare(b))
            .map(([name, p]) => ({ name, status: p.status, round: p.round })),
        );
        expect(decision!.primary).toBe(request.primary);
        if (request.error) expect(decision!.error).toBe(request.error);
        else expect(decision).not.toHaveProperty('error');

        // What the proxy got: the decode pick, and the prefill pick in the prefill header.
        const selected = mine.filter((l) => l.point === 'server.selected');
        if (request.endpoint === '') {
          expect(selected).toEqual([]);
          continue;
        }
        expect(selected).toHaveLength(1);
        expect(selected[0]).toMatchObject({ endpoint: request.endpoint, endpointName: request.profiles.decode!.picked[0] });
        if (request.prefillEndpoint) expect(selected[0]!.prefillEndpoint).toBe(request.prefillEndpoint);
        else expect(selected[0]).not.toHaveProperty('prefillEndpoint');
      }

      // The cases are what they say they are.
      const statuses = truth.map((r) => `${r.profiles.decode!.status}/${r.profiles.prefill!.status}`);
      const expected = { always: ['ok/ok'], threshold: ['ok/ok', 'ok/not-run'], 'prefill-none': ['ok/failed'], 'decode-none': ['failed/not-run'] }[scenario];
      expect([...new Set(statuses)].sort()).toEqual([...expected].sort());
    });
  });

  // The analysis of the same lines, through the built CLI, must tell the truth file's story.
  describe.each(CASES.flatMap((c) => ['shared', 'distinct'].map((s) => [c, s] as const)))('analyze, case %s, %s scorers', (scenario, scorers) => {
    it.each([
      ['console', 'development'],
      ['json', 'production'],
    ])('gets every decode pick, prefill pick and prefill endpoint right, with no false problem (%s encoder)', async (encoder, mode) => {
      const { truth, raw } = await runCaseRaw(scenario, scorers, encoder, mode);
      const logFile = join(dir, `log-${scenario}-${scorers}-${encoder}.txt`);
      writeFileSync(logFile, raw);
      const analyzed = await cli(['analyze', '--json', logFile], { cwd: dir });
      const document = JSON.parse(analyzed.stdout) as { version: number; requests: AnalyzedRequest[]; summary: { problemsByKind: Record<string, { count: number }> } };
      expect(document.version).toBe(3);
      const byId = new Map(document.requests.map((r) => [r.requestId, r]));
      for (const request of truth) {
        const record = byId.get(request.requestId);
        expect(record, request.requestId).toBeDefined();
        for (const [name, profile] of Object.entries(request.profiles)) {
          expect(record!.profiles[name]?.status, `${request.requestId} ${name}`).toBe(profile.status);
          if (profile.status === 'ok') expect(record!.profiles[name]!.picked).toEqual(profile.picked);
        }
        if (request.primary) expect(record!.primaryProfile).toBe(request.primary);
        if (request.endpoint) expect(record!.envoyEndpoint).toBe(request.endpoint);
        expect(record!.prefillEndpoint ?? '').toBe(request.prefillEndpoint);
        // A failed or skipped profile is what it is, never a mismatch.
        expect(record!.problems.filter((p) => p.kind !== 'failure'), request.requestId).toEqual([]);
        for (const check of record!.checks) expect(check.result, `${request.requestId} ${check.check}`).not.toBe('problem');
      }
      const problemKinds = Object.keys(document.summary.problemsByKind).filter((k) => k !== 'failure');
      expect(problemKinds).toEqual([]);
      const anyFailed = truth.some((r) => Object.values(r.profiles).some((p) => p.status === 'failed'));
      expect(analyzed.exitCode).toBe(anyFailed ? 1 : 0);
    });
  });

  it("names the profile on upstream's own V3/V4 lines inside each run, and on none outside", async () => {
    const { lines } = await runCase('always', 'shared', 'json', 'production', 4);
    const inRun = lines.filter((l) => String(l.caller).includes('scheduler_profile.go'));
    expect(inRun.length).toBeGreaterThan(20 * 2 * 4);
    for (const line of inRun) expect(['decode', 'prefill']).toContain(line.profile);
    const handlerLines = lines.filter((l) => String(l.msg).startsWith('Running profile handler'));
    expect(handlerLines.length).toBeGreaterThan(0);
    for (const line of handlerLines) expect(line).not.toHaveProperty('profile');
  });
});
