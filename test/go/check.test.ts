import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { beforeEach, describe, expect, it } from 'vitest';
import { POINT_IDS } from '../../src/codemod/patch.ts';
import { cli } from '../helpers/cli.ts';
import { REPO, tempDir } from '../helpers/fixtures.ts';
import { go } from '../helpers/go.ts';
import { pickReplaced } from '../helpers/behaviour-mutations.ts';
import { EVERY_SHAPE, makeUpstream } from '../helpers/upstream-repo.ts';

// The clone cache goes to a folder of each test's own (--cache); Go's build cache stays the usual one.
const env = () => ({ PATH: process.env.PATH!, HOME: process.env.HOME ?? '/root' });
let cache = '';
beforeEach(() => {
  cache = tempDir('instrument-cache-');
});
const check = (...args: string[]) => ['check', '--cache', cache, ...args];

describe('instrument check', () => {
  it('passes every upstream shape, tags by range and branches by name, in every format', async () => {
    const upstream = makeUpstream([...EVERY_SHAPE, { ref: 'v1.6.0', tree: { noEpp: true } }]);
    const cwd = tempDir();
    const e = env();
    const args = [...check('--upstream', upstream, '--tags', '>=v0.4.0 <v1.6.0', '--ref', 'fd30cb9-main', '--ref', 'router-main', '--jobs', '2')];

    const json = await cli([...args, '--format', 'json'], { cwd, env: e });
    expect(json.exitCode, json.stdout + json.stderr).toBe(0);
    const report = JSON.parse(json.stdout);
    expect(report.ok).toBe(true);
    expect(report.refs.map((r: { ref: string }) => r.ref)).toEqual(['v0.4.0', 'v0.5.1', 'v1.0.0', 'v1.1.0', 'v1.2.0', 'v1.3.1', 'v1.4.0', 'v1.5.0', 'fd30cb9-main', 'router-main']);
    for (const r of report.refs) expect(Object.values(r.cells)).toEqual(POINT_IDS.map(() => 'ok'));

    const text = await cli([...args, '--format', 'text'], { cwd, env: e });
    expect(text.stdout.split('\n')[0]).toMatch(/^ref +commit +scheduler\.profile +scheduler\.decision +profile\.candidates +profile\.filters +profile\.scores +profile\.picked +server\.request +server\.selected$/);
    expect(text.stdout).toMatch(/^v0\.4\.0 +[0-9a-f]{12}(?: +ok){8}$/m);
    expect(text.stdout).toContain('10 ref(s) of');
    expect(text.stdout).toContain('80 of 80 cells ok');

    const junit = await cli([...args, '--format', 'junit', '--output', 'reports/check.xml'], { cwd, env: e });
    expect(junit.stdout).toBe('');
    const xml = readFileSync(join(cwd, 'reports', 'check.xml'), 'utf8');
    expect(xml).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<testsuites name="instrument check [^"]+" tests="80" failures="0"/);
    expect(xml.match(/<testsuite /g)).toHaveLength(10);
    expect(xml.match(/<testcase /g)).toHaveLength(80);
    expect(xml).not.toContain('<failure');

    const github = await cli([...args, '--format', 'github'], { cwd, env: e });
    expect(github.stdout.trim()).toMatch(/^::notice title=instrument check::10 ref\(s\) of .*: every point applies, and reverts byte for byte$/);
  });

  it('reports a tree with no EPP, and an ambiguous anchor, naming what was searched and where', async () => {
    const upstream = makeUpstream([
      { ref: 'v1.6.0', tree: { noEpp: true } },
      { ref: 'v9.0.0', tree: { ambiguous: 'g12' } },
    ]);
    const cwd = tempDir();
    const run = await cli([...check('--upstream', upstream, '--ref', 'v1.6.0', '--ref', 'v9.0.0', '--format', 'json', '--junit', 'junit.xml')], { cwd, env: env() });
    expect(run.exitCode).toBe(1);
    const [gone, ambiguous] = JSON.parse(run.stdout).refs;
    expect(Object.values(gone.cells)).toEqual(POINT_IDS.map(() => 'no-epp'));
    expect(gone.details[0].message).toContain('GIE v1.6.0 or later');
    expect(ambiguous.cells).toEqual({
      'scheduler.profile': 'ok',
      // Its block calls into the profile's package, which is ambiguous.
      'scheduler.decision': 'missing',
      'profile.candidates': 'ambiguous',
      'profile.filters': 'ambiguous',
      'profile.scores': 'ambiguous',
      'profile.picked': 'ambiguous',
      'server.request': 'ok',
      'server.selected': 'ok',
    });
    expect(ambiguous.details.find((d: { point: string }) => d.point === 'profile.candidates').message).toMatch(/declared in 2 files: pkg\/epp\/scheduling\/framework\/scheduler_profile\.go:\d+ and pkg\/epp\/scheduling\/v2\/scheduler_profile\.go:\d+/);
    // What to do, as apply says it: name the file (apply's --target-file), in every format.
    const candidates = ambiguous.details.find((d: { point: string }) => d.point === 'profile.candidates');
    expect(candidates.codes).toEqual(['two-files']);
    expect(candidates.remedy).toMatch(/^Name the file to patch with --target-file profile=/);
    const xml = readFileSync(join(cwd, 'junit.xml'), 'utf8');
    expect(xml).toContain('failures="13"');
    expect(xml).toContain('<failure type="no-epp" message="no EPP in this tree">');
    expect(xml).toContain('<failure type="ambiguous" message="ambiguous">');
    expect(xml).toMatch(/\nwhat to do: Name the file to patch with --target-file profile=/);

    const text = await cli([...check('--upstream', upstream, '--ref', 'v1.6.0', '--ref', 'v9.0.0')], { cwd, env: env() });
    expect(text.stdout).toMatch(/^v1\.6\.0 +[0-9a-f]{12} +no EPP in this tree/m);
    expect(text.stdout).toContain('  profile.candidates: ambiguous');
    expect(text.stdout).toMatch(/^ {4}what to do: Name the file to patch with --target-file profile=/m);

    const github = await cli([...check('--upstream', upstream, '--ref', 'v9.0.0', '--format', 'github')], { cwd, env: env() });
    expect(github.stdout).toMatch(/^::error title=instrument check v9\.0\.0%3A profile\.candidates ambiguous::searched for .*%0Awhat to do: Name the file/m);
    expect(github.stdout).toMatch(/^::error title=instrument check::1 of 1 ref\(s\) fail: v9\.0\.0$/m);
  });

  it('with --build, compiles and vets each ref in its own module, and reports a compile error by file and point', async () => {
    const upstream = makeUpstream([
      { ref: 'v1.2.0', tree: { shape: 'g12' } },
      { ref: 'v9.1.0', tree: { renamedField: 'g12' } },
      { ref: 'router-main', branch: true, tree: { shape: 'lh' } },
    ]);
    // The renamed tree itself compiles: only the patched code breaks.
    const plain = tempDir();
    execFileSync('sh', ['-c', `git --git-dir '${upstream}/.git' archive v9.1.0 | tar -x -C '${plain}'`]);
    await go(plain, ['build', './...']);

    const run = await cli([...check('--upstream', upstream, '--ref', 'v1.2.0', '--ref', 'v9.1.0', '--ref', 'router-main', '--build', '--format', 'json')], { cwd: tempDir(), env: env() });
    expect(run.exitCode).toBe(1);
    const refs = JSON.parse(run.stdout).refs;
    expect(Object.values(refs[0].cells)).toEqual(POINT_IDS.map(() => 'ok'));
    expect(Object.values(refs[2].cells)).toEqual(POINT_IDS.map(() => 'ok'));
    const broken = refs[1];
    expect(broken.cells).toEqual({
      'scheduler.profile': 'ok',
      'scheduler.decision': 'ok',
      'profile.candidates': 'compile-error',
      'profile.filters': 'ok',
      'profile.scores': 'ok',
      'profile.picked': 'compile-error',
      'server.request': 'ok',
      'server.selected': 'compile-error',
    });
    const detail = broken.details.find((d: { point: string }) => d.point === 'profile.candidates');
    expect(detail.file).toBe('pkg/epp/scheduling/framework/scheduler_profile.go');
    expect(detail.message).toMatch(/go build: pkg\/epp\/scheduling\/framework\/scheduler_profile\.go:\d+: .*NamespacedName/);
  });

  it('with --build --test, a tree with a go.work (the v1.4.0 shape) passes: what go writes is no revert mismatch and stays in no tree', async () => {
    const upstream = makeUpstream([{ ref: 'v1.4.0', tree: { shape: 'g14', goWork: true } }]);
    // The shape is faithful: a build of the plain export writes go.work.sum, which the export lacks.
    const plain = tempDir();
    execFileSync('sh', ['-c', `git --git-dir '${upstream}/.git' archive v1.4.0 | tar -x -C '${plain}'`]);
    expect(existsSync(join(plain, 'go.work.sum'))).toBe(false);
    execFileSync('go', ['build', './pkg/epp/scheduling'], { cwd: plain, env: env(), stdio: 'pipe' });
    expect(existsSync(join(plain, 'go.work.sum'))).toBe(true);

    const tmp = tempDir('instrument-tmp-');
    const run = await cli(check('--upstream', upstream, '--ref', 'v1.4.0', '--build', '--test', '--format', 'json'), { cwd: tempDir(), env: { ...env(), TMPDIR: tmp } });
    expect(run.exitCode, run.stdout + run.stderr).toBe(0);
    const [ref] = JSON.parse(run.stdout).refs;
    expect(Object.values(ref.cells)).toEqual(POINT_IDS.map(() => 'ok'));
    expect(ref.details).toEqual([]);
    expect(ref.upstreamFailures).toEqual([]);
    // Every checkout and copy is gone afterwards.
    expect(readdirSync(tmp)).toEqual([]);
  });

  it('with --test, runs upstream\'s tests of the patched packages: a test the patches break fails its points, one that fails without them is upstream\'s', async () => {
    const upstream = makeUpstream([
      { ref: 'v1.2.0', tree: { shape: 'g12' } },
      { ref: 'v1.2.1', tree: { shape: 'g12', extraTests: ['quiet', 'needs-cluster'] } },
    ]);
    const args = check('--upstream', upstream, '--ref', 'v1.2.0', '--ref', 'v1.2.1', '--build', '--test');
    const run = await cli([...args, '--format', 'json'], { cwd: tempDir(), env: env() });
    expect(run.exitCode, run.stderr).toBe(1);
    const [clean, broken] = JSON.parse(run.stdout).refs;
    expect(Object.values(clean.cells)).toEqual(POINT_IDS.map(() => 'ok'));
    expect(clean.upstreamFailures).toEqual([]);
    expect(broken.cells).toEqual({
      'scheduler.profile': 'tests-fail',
      'scheduler.decision': 'tests-fail',
      'profile.candidates': 'ok',
      'profile.filters': 'ok',
      'profile.scores': 'ok',
      'profile.picked': 'ok',
      'server.request': 'ok',
      'server.selected': 'ok',
    });
    expect(broken.details).toHaveLength(1);
    expect(broken.details[0].message).toMatch(/^go test: pkg\/epp\/scheduling: TestScheduleIsQuietAtDefaultVerbosity fails with the patches and passes without them\n.*instrument: profile run/s);
    expect(broken.upstreamFailures).toEqual(['pkg/epp/handlers: TestServerAgainstTestCluster']);

    const text = await cli(args, { cwd: tempDir(), env: env() });
    expect(text.stdout).toMatch(/^v1\.2\.1 +[0-9a-f]{12} +tests fail +tests fail(?: +ok){6}$/m);
    expect(text.stdout).toContain("v1.2.1: upstream's own tests that fail without the patches too (not counted against them):\n  pkg/epp/handlers: TestServerAgainstTestCluster");
    expect(text.stdout).toContain('(with --build --test)');
  });

  it('with --build and no Go on PATH, says so plainly and fails', async () => {
    const upstream = makeUpstream([{ ref: 'v1.2.0', tree: { shape: 'g12' } }]);
    const goBin = dirname(execFileSync('sh', ['-c', 'command -v go']).toString().trim());
    const path = process.env.PATH!.split(delimiter).filter((d) => d !== goBin).join(delimiter);
    const run = await cli(check('--upstream', upstream, '--ref', 'v1.2.0', '--build', '--format', 'json'), { cwd: tempDir(), env: { ...env(), PATH: path } });
    expect(run.exitCode).toBe(1);
    const [ref] = JSON.parse(run.stdout).refs;
    expect(Object.values(ref.cells)).toEqual(POINT_IDS.map(() => 'compile-error'));
    expect(ref.details[0].message).toBe('--build needs the go command, and it is not on PATH: install Go (>= 1.24)');
  });

  it('reuses its clone of the upstream, fetching new tags', async () => {
    const upstream = makeUpstream([{ ref: 'v1.2.0', tree: { shape: 'g12' } }]);
    const e = env();
    expect((await cli([...check('--upstream', upstream, '--tags', '*')], { cwd: tempDir(), env: e })).exitCode).toBe(0);
    makeUpstream([{ ref: 'v1.5.0', tree: { shape: 'g15' } }], upstream);
    const again = await cli([...check('--upstream', upstream, '--tags', '>=v1.0.0', '--format', 'json')], { cwd: tempDir(), env: e });
    expect(JSON.parse(again.stdout).refs.map((r: { ref: string }) => r.ref)).toEqual(['v1.2.0', 'v1.5.0']);
  });

  it('with --behaviour, reports per point whether the lines were right when run, and exits 1 on a wrong one', async () => {
    const upstream = makeUpstream([
      { ref: 'v1.2.0', tree: { shape: 'g12' } },
      { ref: 'v1.2.1', tree: { shape: 'g12', mutate: pickReplaced('g12') } },
    ]);
    const cwd = tempDir();
    const args = check('--upstream', upstream, '--ref', 'v1.2.0', '--ref', 'v1.2.1', '--behaviour', '--jobs', '1');

    const json = await cli([...args, '--format', 'json', '--junit', 'junit.xml'], { cwd, env: env() });
    expect(json.exitCode, json.stderr).toBe(1);
    const report = JSON.parse(json.stdout);
    expect(report).toMatchObject({ ok: false, build: true, behaviour: true });
    const [good, wrong] = report.refs;
    for (const r of [good, wrong]) expect(Object.values(r.cells)).toEqual(POINT_IDS.map(() => 'ok'));
    expect(good.behaviour['profile.picked']).toEqual({ status: 'ok' });
    expect(good.behaviour['server.selected'].status).toBe('n/a');
    expect(wrong.behaviour['profile.picked'].status).toBe('failed');
    expect(wrong.behaviour['profile.picked'].detail).toContain('behaviour-1: the pick is ["behaviour/ep-c"], the run returned ["behaviour/ep-a"]');
    expect(wrong.behaviour['profile.scores']).toEqual({ status: 'ok' });
    const xml = readFileSync(join(cwd, 'junit.xml'), 'utf8');
    expect(xml).toContain('failures="1"');
    expect(xml).toContain('<failure type="behaviour" message="behaviour failed">');

    const text = await cli(args, { cwd, env: env() });
    expect(text.exitCode).toBe(1);
    expect(text.stdout).toMatch(/^behaviour +commit +scheduler\.profile +scheduler\.decision +profile\.candidates +profile\.filters +profile\.scores +profile\.picked +server\.request +server\.selected$/m);
    expect(text.stdout).toMatch(/^v1\.2\.0 +[0-9a-f]{12}(?: +ok){6} +n\/a +n\/a$/m);
    expect(text.stdout).toMatch(/^v1\.2\.1 +[0-9a-f]{12}(?: +ok){5} +failed +n\/a +n\/a$/m);
    expect(text.stdout).toContain('  profile.picked: failed\n    behaviour-1: the pick is');
    expect(text.stdout).toContain('(with --build --behaviour): 16 of 16 cells ok; behaviour: 11 ok, 1 failed, 4 n/a');

    const github = await cli([...args, '--format', 'github'], { cwd, env: env() });
    expect(github.stdout).toMatch(/^::error title=instrument check v1\.2\.1%3A profile\.picked behaviour failed::behaviour-1: the pick is/m);
    expect(github.stdout).toMatch(/^::error title=instrument check::1 of 2 ref\(s\) fail: v1\.2\.1$/m);
  });

  it('exits 2 on usage errors', async () => {
    const upstream = makeUpstream([{ ref: 'v1.2.0', tree: { shape: 'g12' } }]);
    const cwd = tempDir();
    for (const args of [['check'], check('--upstream', upstream), check('--upstream', upstream, '--tags', 'not a range'), check('--upstream', upstream, '--ref', 'v7'), check('--upstream', join(cwd, 'nope'), '--ref', 'x')]) {
      const run = await cli(args, { cwd, env: env() });
      expect(run.exitCode, `${args.join(' ')}: ${run.stderr}`).toBe(2);
    }
  });
});

describe('the upstream compatibility workflow', () => {
  it('is valid YAML whose steps run the commands the README gives', () => {
    const workflow = parseYaml(readFileSync(join(REPO, '.github', 'workflows', 'upstream-compat.yml'), 'utf8'));
    expect(Object.keys(workflow.on)).toEqual(expect.arrayContaining(['schedule', 'pull_request']));
    const runs: string[] = Object.values(workflow.jobs as Record<string, { steps: Array<{ run?: string }> }>).flatMap((job) => job.steps.flatMap((s) => (s.run ? [s.run.trim()] : [])));
    const readme = readFileSync(join(REPO, 'README.md'), 'utf8');
    const block = readme.slice(readme.indexOf('<!-- upstream-compat commands -->'));
    const commands = /```sh\n([\s\S]*?)```/.exec(block)![1]!.trim().split('\n').filter((l) => l && !l.startsWith('#'));
    for (const command of commands) expect(runs, command).toContain(command);
    const checks = runs.filter((r) => r.includes('instrument.cjs check'));
    expect(checks.some((r) => r.includes('gateway-api-inference-extension') && r.includes("--tags '>=v0.4.0 <=v1.5.0'") && r.includes('--build'))).toBe(true);
    expect(checks.some((r) => r.includes('llm-d/llm-d-router') && r.includes('--ref main') && r.includes('--build'))).toBe(true);
    expect(checks.every((r) => r.includes('--test')), 'every check runs upstream\'s tests').toBe(true);
    // Refs share the Go caches, restored with the upstream clones; npm's cache comes from setup-node.
    const steps = Object.values(workflow.jobs as Record<string, { steps: Array<{ uses?: string; with?: Record<string, string> }> }>).flatMap((job) => job.steps);
    const cache = steps.find((s) => s.uses?.startsWith('actions/cache@'));
    expect(cache?.with?.path?.split('\n').filter(Boolean)).toEqual(['~/go/pkg/mod', '~/.cache/go-build', '~/.cache/instrument/upstream']);
    expect(steps.find((s) => s.uses?.startsWith('actions/setup-node@'))?.with?.cache).toBe('npm');
  });
});
