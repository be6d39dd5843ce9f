import { UsageError } from '../../errors.ts';
import { ExitCode } from '../../exit-codes.ts';
import { defineCommand } from './define.ts';
import { collect, integer } from './options.ts';

type Format = 'text' | 'json' | 'junit' | 'github';

export default defineCommand<{ upstream: string; ref?: string[]; tags?: string; build?: boolean; test?: boolean; behaviour?: boolean; jobs?: number; format?: Format; json?: boolean; output?: string; junit?: string; cache?: string }>({
  name: 'check',
  summary: "the CI job: for each upstream ref, a clean checkout, apply, verify, revert, compare byte for byte",
  description:
    "The CI job: for each upstream ref, a clean checkout, apply, verify (with --build, go build and go vet; with --test, upstream's go test), revert, and a byte-for-byte comparison with the checkout. Exits 1 when any ref or point is not ok.",
  options: [
    { flags: '--upstream <url|path>', description: 'the repository: a git URL or a local clone (GIE, or llm-d-router)', required: true },
    { flags: '--ref <ref>', description: 'a tag, branch or commit to check (repeatable)', parse: collect, complete: 'none' },
    { flags: '--tags <range>', description: 'every tag in this semantic-version range, e.g. ">=v1.0.0"', complete: 'none' },
    { flags: '--build', description: "also go build and go vet the patched packages in the checkout's own module (in a copy of the patched tree)" },
    { flags: '--test', description: "also run upstream's unit tests (go test) of the patched packages in the patched tree; a test that fails without the patches too is reported as upstream's" },
    { flags: '--behaviour', description: "also run the patched scheduling code on generated fakes and check each point's lines (implies --build; docs/check-behaviour.md)" },
    { flags: '--jobs <n>', description: 'refs checked at once (default: the number of CPUs)', parse: integer, complete: 'none' },
    { flags: '--json', description: 'print the report as one JSON document (the same as --format json)' },
    { flags: '--format <format>', description: 'report format on stdout, or in --output (default text)', choices: ['text', 'json', 'junit', 'github'] },
    { flags: '-o, --output <file>', description: 'write the report to this file instead of stdout' },
    { flags: '--junit <file>', description: 'also write a JUnit XML report here (for CI dashboards, beside --format github)' },
    { flags: '--cache <dir>', description: 'where upstream clones are kept and reused (default ~/.cache/instrument/upstream)', complete: 'folder' },
  ],
  examples: [
    { description: 'Every GIE release from v1.0.0 on, with go build, go vet and the behaviour check', command: 'instrument check --upstream https://github.com/kubernetes-sigs/gateway-api-inference-extension --tags ">=v1.0.0" --build --behaviour' },
    { description: "llm-d-router's main branch, as GitHub annotations, with a JUnit file for the dashboard", command: 'instrument check --upstream https://github.com/llm-d/llm-d-router --ref main --format github --junit report.xml' },
    { description: 'A local clone, two refs, as JSON', command: 'instrument check --upstream ../gie --ref v1.2.0 --ref v1.5.0 --json -o report.json' },
  ],
  async run({ io, style, flags }) {
    if (flags.json && flags.format !== undefined && flags.format !== 'json') throw new UsageError(`--json and --format ${flags.format} ask for two formats`, 'Pass one of them: --json is --format json.');
    const format: Format = flags.json ? 'json' : (flags.format ?? 'text');
    const { check, writeReport } = await import('../check.ts');
    const report = await import('../../check/report.ts');
    const { refPassed } = await import('../../check/verify.ts');
    const result = await check({
      cwd: io.cwd,
      upstream: flags.upstream,
      refs: flags.ref,
      tags: flags.tags,
      build: flags.build,
      test: flags.test,
      behaviour: flags.behaviour,
      jobs: flags.jobs,
      cacheDir: flags.cache,
      env: io.env,
      onRef: (r, finished, total) => io.stderr(`checked ${r.ref} (${finished}/${total}): ${refPassed(r) ? 'ok' : 'not ok'}\n`),
    });
    const text = { text: () => report.renderText(result, style), json: () => report.renderJson(result), junit: () => report.renderJunit(result), github: () => report.renderGithub(result) }[format]();
    if (flags.junit !== undefined) writeReport(io.cwd, flags.junit, report.renderJunit(result));
    if (flags.output !== undefined) writeReport(io.cwd, flags.output, text);
    return { rendered: { stdout: flags.output === undefined ? text : '', stderr: '' }, exitCode: result.ok ? ExitCode.ok : ExitCode.failed };
  },
});
