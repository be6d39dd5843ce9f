import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { statSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { ANALYSIS_VERSION, type RequestRecord, type Summary } from './analyze/model.ts';
import { compileGoWasm } from './codemod/go-wasm.ts';
import { InstrumentError, systemFailure, UsageError } from './errors.ts';
import { ExitCode } from './exit-codes.ts';
import { plainStyle, renderApply, renderDiff, renderRevert, renderStatus, renderVendor, type Rendered, type Style } from './reporters/text.ts';
import { VERSION } from './version.ts';

/** Everything the CLI needs from the process, so the program runs the same in tests. */
export interface CliIo {
  readonly cwd: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly style: Style;
  /** Standard input, for commands that read logs from a pipe. */
  readonly stdin?: Readable | undefined;
  /** Whether stderr is a terminal (progress displays rewrite one line there). */
  readonly interactive?: boolean | undefined;
  readonly columns?: number | undefined;
  /**
   * Asks for `stop` to be called on SIGINT or SIGTERM instead of the process dying (for followed
   * logs, which then end their input, flush and summarize); returns the way to undo that.
   */
  readonly onInterrupt?: ((stop: () => void) => () => void) | undefined;
}

/** An AbortSignal that Ctrl-C or SIGTERM aborts while `run` runs (when the CLI can catch them). */
async function interruptible<T>(io: CliIo, run: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const release = io.onInterrupt?.(() => controller.abort());
  try {
    return await run(controller.signal);
  } finally {
    release?.();
  }
}

/** A command's outcome, rendered, with the exit code it asks for. */
interface Outcome {
  readonly rendered: Rendered;
  readonly exitCode: ExitCode;
}

function integer(value: string): number {
  if (!/^-?\d+$/.test(value)) throw new InvalidArgumentError('expected a whole number');
  return Number(value);
}

interface TreeFlags {
  root?: string;
  source?: string;
  json?: boolean;
}

// Options several commands share, written once.
const WORKSPACE_ROOT = ['--root <dir>', 'the workspace that holds the llm-d tree, the tree itself or a folder in it (default: the current folder)'] as const;
const CONFIG_ROOT = ['--root <dir>', 'the workspace whose instrument.config.json to read: the one holding the llm-d tree when there is one, named as for apply (default: the current folder)'] as const;
const SOURCE = ['--source <dir>', 'any tree that holds the EPP sources (a GIE or llm-d-router checkout), instead of a workspace'] as const;
const JSON_OUTPUT = ['--json', 'print one JSON document instead of text'] as const;

function treeOptions(command: Command): Command {
  return command
    .option(...WORKSPACE_ROOT)
    .option(...SOURCE)
    .option(...JSON_OUTPUT);
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

function seconds(value: string): number {
  const n = integer(value);
  if (n <= 0) throw new InvalidArgumentError('expected a whole number of seconds above 0');
  return n;
}

interface ClusterFlags {
  root?: string;
  source?: string;
  json?: boolean;
  dryRun?: boolean;
  image?: string;
  namespace?: string;
  schedulerinstall?: string;
  deployment?: string;
  container?: string;
  configmap?: string;
  podNamespace?: string;
  podSelector?: string;
  target?: string;
  timeout?: string;
  kubeconfig?: string;
  context?: string;
}

/** kubectl's own flags for choosing the cluster, on every command that talks to one. */
function connectionOptions(command: Command): Command {
  return command
    .option('--kubeconfig <file>', 'the kubeconfig file kubectl reads (default: kubectl\'s, $KUBECONFIG or ~/.kube/config)')
    .option('--context <name>', 'the kubeconfig context to use (default: its current context)');
}

function connection(io: CliIo, flags: { kubeconfig?: string; context?: string }) {
  return { kubeconfig: flags.kubeconfig === undefined ? undefined : resolve(io.cwd, flags.kubeconfig), context: flags.context };
}

/** The names every cluster command shares, each also settable in instrument.config.json. */
function clusterOptions(command: Command, { pods = true, change = true } = {}): Command {
  command
    .option(...CONFIG_ROOT)
    .option(...SOURCE)
    .option('--namespace <ns>', 'namespace of the EPP (default llm-d-inference-scheduler)')
    .option('--deployment <name>', 'the EPP Deployment (default gaie-inference-scheduling-epp)')
    .option('--configmap <name>', 'the config map holding epp-config.yaml (default: the one the Deployment mounts)')
    .option(...JSON_OUTPUT);
  connectionOptions(command);
  if (pods) {
    command.option('--pod-namespace <ns>', 'namespace of the candidate model-server pods (default llm-d-vllm)').option('--pod-selector <selector>', 'label selector of the candidate pods, in kubectl\'s syntax (default role=proxy)');
  }
  if (change) {
    command
      .option('--schedulerinstall <name>', 'the SchedulerInstall the operator reconciles the EPP from (default llm-sched-install)')
      .option('--container <name>', 'the EPP container in the Deployment (default: its first)')
      .addOption(new Option('--target <kind>', 'what to patch: the operator\'s resource, or the Deployment itself (the operator may undo that)').choices(['schedulerinstall', 'deployment']))
      .option('--timeout <duration>', 'how long to wait for the operator and the rollout, e.g. 90s, 5m, 1h30m (default 5m)')
      .option('--dry-run', 'print the commands that would change the cluster, and change nothing');
  }
  return command;
}

function json(result: unknown): Rendered {
  return { stdout: JSON.stringify(result, null, 2) + '\n', stderr: '' };
}

/**
 * Builds the command tree. Actions only turn flags into options, load their command lazily (so
 * `instrument status` never loads the parser), and hand back a rendered outcome.
 */
export function createProgram(io: CliIo, done: (outcome: Outcome) => void): Command {
  const program = new Command('instrument')
    .description("Instrument llm-d's endpoint picker (EPP) with concise per-request scoring logs, and undo it byte for byte.")
    .version(VERSION, '-V, --version')
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .exitOverride();

  const tree = (flags: TreeFlags) => ({ root: flags.root, source: flags.source, cwd: io.cwd });

  treeOptions(program.command('apply'))
    .description('insert the log statements at the five decision points (all or nothing)')
    .addOption(new Option('--verbosity <n>', 'V level of the inserted lines (default 2: shown at the EPP default --v, never sampled)').argParser(integer))
    .option('--dry-run', 'print the unified diff and write nothing')
    .action(async (flags: TreeFlags & { verbosity?: number; dryRun?: boolean }) => {
      compileGoWasm(); // first, so that it compiles while the rest loads
      const { apply } = await import('./commands/apply.ts');
      const result = await apply({ ...tree(flags), verbosity: flags.verbosity, dryRun: flags.dryRun });
      done({ rendered: flags.json ? json(result) : renderApply(result, io.style), exitCode: result.status === 'failed' ? ExitCode.failed : ExitCode.ok });
    });

  treeOptions(program.command('revert'))
    .description('remove the inserted statements and give back the original bytes')
    .option('--force', 'also remove blocks that were edited by hand (everything outside them is kept)')
    .action(async (flags: TreeFlags & { force?: boolean }) => {
      const { revert } = await import('./commands/revert.ts');
      const result = await revert({ ...tree(flags), force: flags.force });
      done({ rendered: flags.json ? json(result) : renderRevert(result, io.style), exitCode: result.status === 'refused' ? ExitCode.failed : ExitCode.ok });
    });

  treeOptions(program.command('status'))
    .description('say, per point, whether it is applied, where, and whether the file changed since')
    .action(async (flags: TreeFlags) => {
      const { status } = await import('./commands/status.ts');
      const result = await status(tree(flags));
      done({ rendered: flags.json ? json(result) : renderStatus(result, io.style), exitCode: ExitCode.ok });
    });

  treeOptions(program.command('diff'))
    .description('print the change as a unified diff annotated with point ids (applied, or what apply would do)')
    .addOption(new Option('--verbosity <n>', 'V level, for the diff of a planned apply').argParser(integer))
    .action(async (flags: TreeFlags & { verbosity?: number }) => {
      compileGoWasm();
      const { diff } = await import('./commands/diff.ts');
      const result = await diff({ ...tree(flags), verbosity: flags.verbosity });
      const failed = result.points.some((p) => p.status === 'missing' || p.status === 'ambiguous');
      done({ rendered: flags.json ? json(result) : renderDiff(result, io.style), exitCode: failed ? ExitCode.failed : ExitCode.ok });
    });

  treeOptions(program.command('vendor'))
    .description('fill llm-d-inference-scheduler/_deps/gateway-api-inference-extension with the GIE version go.mod requires')
    .option('--upstream <url>', 'where to clone GIE from (a URL or a local repository)')
    .option('--force', 'replace an existing copy (it is moved aside, not deleted)')
    .action(async (flags: TreeFlags & { upstream?: string; force?: boolean }) => {
      const { vendor } = await import('./commands/vendor.ts');
      const { gitProgressDisplay } = await import('./reporters/progress.ts');
      const progress = gitProgressDisplay(io.stderr, io.interactive === true && !flags.json, io.columns ?? 80);
      try {
        const result = await vendor({ ...tree(flags), upstream: flags.upstream ?? io.env.INSTRUMENT_GIE_UPSTREAM, force: flags.force, onProgress: progress.onProgress });
        done({ rendered: flags.json ? json(result) : renderVendor(result), exitCode: ExitCode.ok });
      } finally {
        progress.end();
      }
    });

  program
    .command('build')
    .option(...WORKSPACE_ROOT)
    .option(...SOURCE)
    .option(...JSON_OUTPUT)
    .description('build the EPP image from the workspace (a derived Dockerfile brings _deps/ into the image)')
    .option('--tag <image>', 'image tag (default llm-d-inference-scheduler:local)')
    .option('--dockerfile <path>', 'Dockerfile, relative to the workspace (default llm-d-inference-scheduler/Dockerfile.epp)')
    .option('--context <dir>', 'build context, relative to the workspace (default llm-d-inference-scheduler)')
    .option('--build-arg <KEY=VALUE>', 'build argument (repeatable)', collect)
    .option('--platform <os/arch>', 'target platform')
    .option('--runtime <docker|podman>', 'container runtime (default: $CONTAINER_RUNTIME, else docker, else podman)')
    .option('--allow-unpatched', 'build even though the patches are not applied')
    .option('--dry-run', 'print the derived Dockerfile\'s difference and the exact command; build nothing')
    .action(async (flags: TreeFlags & { tag?: string; dockerfile?: string; context?: string; buildArg?: string[]; platform?: string; runtime?: string; allowUnpatched?: boolean; dryRun?: boolean }) => {
      const { build } = await import('./commands/build.ts');
      const { renderBuild } = await import('./reporters/cluster.ts');
      const { outputDisplay } = await import('./reporters/progress.ts');
      const display = outputDisplay(io.stderr, io.interactive === true && !flags.json, io.columns ?? 80);
      try {
        const result = await build({
          cwd: io.cwd,
          root: flags.root,
          source: flags.source,
          tag: flags.tag,
          dockerfile: flags.dockerfile,
          context: flags.context,
          buildArgs: flags.buildArg,
          platform: flags.platform,
          runtime: flags.runtime,
          allowUnpatched: flags.allowUnpatched,
          dryRun: flags.dryRun,
          env: io.env,
          onOutput: (line) => display.line(line),
        });
        done({ rendered: flags.json ? json(result) : renderBuild(result, io.style), exitCode: ExitCode.ok });
      } finally {
        display.end();
      }
    });

  connectionOptions(program.command('load'))
    .description('load the image into the kind or minikube cluster of the current kubectl context, and check it is on the nodes')
    .option(...CONFIG_ROOT)
    .option(...SOURCE)
    .option('--image <image>', 'the image (default llm-d-inference-scheduler:local)')
    .addOption(new Option('--cluster <kind>', 'the cluster type (default: from the current context: kind-* or minikube)').choices(['kind', 'minikube']))
    .option('--name <name>', 'kind cluster name (default: from the context, else kind)')
    .option('--profile <profile>', 'minikube profile (default minikube)')
    .option('--runtime <docker|podman>', 'container runtime holding the image')
    .option('--dry-run', 'print the commands and run nothing')
    .option(...JSON_OUTPUT)
    .action(async (flags: { root?: string; source?: string; image?: string; cluster?: string; name?: string; profile?: string; runtime?: string; dryRun?: boolean; json?: boolean; kubeconfig?: string; context?: string }) => {
      const { load } = await import('./commands/load.ts');
      const { renderLoad } = await import('./reporters/cluster.ts');
      const result = await load({
        cwd: io.cwd,
        root: flags.root,
        source: flags.source,
        image: flags.image,
        cluster: flags.cluster,
        name: flags.name ?? flags.profile,
        runtime: flags.runtime,
        dryRun: flags.dryRun,
        connection: connection(io, flags),
        env: io.env,
        onCommand: (argv) => io.stderr(`$ ${argv.join(' ')}\n`),
      });
      done({ rendered: flags.json ? json(result) : renderLoad(result, io.style), exitCode: ExitCode.ok });
    });

  const clusterRun = (flags: ClusterFlags) => ({
    cwd: io.cwd,
    root: flags.root,
    source: flags.source,
    namespace: flags.namespace,
    schedulerInstall: flags.schedulerinstall,
    deployment: flags.deployment,
    container: flags.container,
    configMap: flags.configmap,
    podNamespace: flags.podNamespace,
    podSelector: flags.podSelector,
    target: flags.target,
    timeout: flags.timeout,
    dryRun: flags.dryRun,
    connection: connection(io, flags),
    env: io.env,
    pollIntervalMs: io.env.INSTRUMENT_POLL_INTERVAL_MS === undefined ? undefined : Number(io.env.INSTRUMENT_POLL_INTERVAL_MS),
    onProgress: (message: string) => io.stderr(`${message}\n`),
  });

  clusterOptions(program.command('deploy'))
    .description('point the EPP at the instrumented image through the SchedulerInstall, and wait for the rollout (the same image again: new pods, as rollout restart)')
    .option('--image <image>', 'the image to deploy, by tag or digest (default llm-d-inference-scheduler:local)')
    .action(async (flags: ClusterFlags) => {
      const { deploy } = await import('./commands/deploy.ts');
      const { renderDeploy, renderPlan } = await import('./reporters/cluster.ts');
      // The report and its warnings come before the first change, so a wrong setup can be stopped.
      const result = await deploy({
        ...clusterRun(flags),
        image: flags.image,
        onPlan: (plan) => {
          const shown = renderPlan(plan, io.style);
          if (!flags.json) io.stdout(shown.stdout);
          io.stderr(shown.stderr);
        },
      });
      done({ rendered: flags.json ? json(result) : renderDeploy(result, io.style, { planShown: true }), exitCode: ExitCode.ok });
    });

  clusterOptions(program.command('rollback'), { pods: false })
    .description('put back the image deploy replaced, and wait for the rollout; with nothing recorded it refuses unless --image or deploy.rollbackImage names one')
    .option('--image <image>', 'the image to go back to (default: the one deploy recorded, else deploy.rollbackImage of instrument.config.json)')
    .action(async (flags: ClusterFlags) => {
      const { rollback } = await import('./commands/deploy.ts');
      const { renderDeploy } = await import('./reporters/cluster.ts');
      const result = await rollback({ ...clusterRun(flags), image: flags.image });
      done({ rendered: flags.json ? json(result) : renderDeploy(result, io.style), exitCode: ExitCode.ok });
    });

  clusterOptions(program.command('inspect'), { change: false })
    .description("report the EPP's scoring setup (epp-config.yaml) and the candidate pods; changes nothing")
    .action(async (flags: ClusterFlags) => {
      const { inspect } = await import('./commands/deploy.ts');
      const { renderInspect } = await import('./reporters/cluster.ts');
      const result = await inspect(clusterRun(flags));
      done({ rendered: flags.json ? json(result) : renderInspect(result, io.style), exitCode: ExitCode.ok });
    });

  program
    .command('analyze')
    .argument('[file]', 'EPP log file, or - for standard input (the default)')
    .description('read EPP logs back into a per-request table of candidates, scores, weighted totals, picks and the endpoint sent to Envoy')
    .option('--json', 'print one JSON document: {version, requests: [...], summary} (docs/analyze-json.md)')
    .option('--follow', 'the input keeps growing (a pipe from logs -f): complete requests after 2 s without news, and show a live summary')
    .option('--html <file>', 'also write a self-contained page with heat maps of the scores, the picks and the failures')
    .option('--weights <scorer=W,...>', 'what if the scorers had these weights (type or name; profile/scorer=W for one profile): recompute every pick from the logged scores (docs/what-if.md)', collect)
    .option('--compare <baseline>', 'compare the run in <baseline> with the one in [file], side by side (docs/what-if.md)')
    .action(async (file: string | undefined, flags: { json?: boolean; follow?: boolean; html?: string; weights?: string[]; compare?: string }) => {
      if (flags.weights !== undefined || flags.compare !== undefined) return done(await (await import('./commands/analyze.ts')).whatIfOrCompare({ cwd: io.cwd, input: file, stdin: io.stdin!, ...flags, style: io.style ?? plainStyle }));
      const { analyze, hasProblems } = await import('./commands/analyze.ts');
      const summary = await interruptible(io, (signal) => analyzeTo(io, flags, (options) => analyze({ cwd: io.cwd, input: file, stdin: io.stdin!, signal, ...options })));
      done({ rendered: { stdout: '', stderr: await noSchedulingNote(summary, file === undefined || file === '-' ? 'standard input' : file) }, exitCode: hasProblems(summary) ? ExitCode.failed : ExitCode.ok });
    });

  program
    .command('traffic')
    .description("send concurrent chat-completion requests through the gateway, each with its own x-request-id, and report statuses and latencies")
    .option(...CONFIG_ROOT)
    .option('--url <url>', 'the endpoint (default http://127.0.0.1:18080/v1/chat/completions)')
    .option('--model <model>', 'the model (default Qwen/Qwen3-Coder-30B-A3B-Instruct)')
    .option('--prompt <text>', 'the one user message (default hello)')
    .addOption(new Option('--requests <n>', 'how many requests (default 20)').argParser(integer))
    .addOption(new Option('--concurrency <n>', 'how many at a time (default 5)').argParser(integer))
    .addOption(new Option('--timeout <seconds>', 'per request (default 25)').argParser(seconds))
    .option('--header <"Name: value">', 'extra request header (repeatable)', collect)
    .option('--stream', 'ask for a streamed (SSE) answer')
    .option('--save <file>', 'write each request\'s outcome (request id, status, latency) as JSON lines')
    .option(...JSON_OUTPUT)
    .action(async (flags: { root?: string; url?: string; model?: string; prompt?: string; requests?: number; concurrency?: number; timeout?: number; header?: string[]; stream?: boolean; save?: string; json?: boolean }) => {
      const { traffic, allSucceeded } = await import('./commands/traffic.ts');
      const { renderTraffic } = await import('./reporters/traffic.ts');
      const live = io.interactive === true && !flags.json;
      const result = await traffic({
        cwd: io.cwd,
        root: flags.root,
        url: flags.url,
        model: flags.model,
        prompt: flags.prompt,
        requests: flags.requests,
        concurrency: flags.concurrency,
        timeoutSeconds: flags.timeout,
        headers: flags.header,
        stream: flags.stream,
        save: flags.save,
        onOutcome: live ? (_, done, total) => io.stderr(`\r\x1b[K${done}/${total} done`) : undefined,
      });
      if (live) io.stderr('\r\x1b[K');
      done({ rendered: flags.json ? json(result) : renderTraffic(result, io.style), exitCode: allSucceeded(result) ? ExitCode.ok : ExitCode.failed });
    });

  const logs = program
    .command('logs')
    .description('capture EPP logs (cluster, container, file or stdin); print them, save them, or analyze them as they come')
    .option(...CONFIG_ROOT)
    .option(...SOURCE)
    .option('--namespace <ns>', 'namespace of the EPP (default llm-d-inference-scheduler)')
    .option('--deployment <name>', 'the EPP Deployment (default gaie-inference-scheduling-epp)')
    .option('--container <name>', 'the container in the EPP pod (default: kubectl\'s choice)')
    .option('--since <duration>', 'how far back, a Go duration: 30s, 10m, 1h30m (default 10m)')
    .option('-f, --follow', 'keep reading as the logs grow (Ctrl-C or SIGTERM ends it, after the summary)')
    .option('--docker <container>', 'read this container\'s logs instead of the cluster\'s')
    .addOption(new Option('--runtime <runtime>', 'with --docker: the container runtime').choices(['docker', 'podman']).default('docker'))
    .option('--file <file>', 'read this file (- for standard input) instead')
    .option('--save <file>', 'also write the raw lines to this file')
    .option('--analyze', 'feed the lines straight into analyze (its table and summary, or --json / --html)')
    .option('--json', 'with --analyze: one JSON document')
    .option('--html <file>', 'with --analyze: also write the HTML page');
  connectionOptions(logs).action(
    async (flags: { root?: string; source?: string; namespace?: string; deployment?: string; container?: string; since?: string; follow?: boolean; docker?: string; runtime?: 'docker' | 'podman'; file?: string; save?: string; analyze?: boolean; json?: boolean; html?: string; kubeconfig?: string; context?: string }) => {
      const { logSource, captureLogs } = await import('./commands/logs.ts');
      const source = logSource({ cwd: io.cwd, ...flags, connection: connection(io, flags), stdin: io.stdin! });
      if (!flags.analyze && (flags.json || flags.html)) throw new UsageError('--json and --html go with --analyze', 'Add --analyze, or leave them out to print the raw lines.');
      // What was found, once, on stderr (stdout carries the lines or the analysis alone).
      io.stderr(source.found + '\n');
      const save = flags.save === undefined ? undefined : resolve(io.cwd, flags.save);
      await interruptible(io, async (signal) => {
        const lines = captureLogs(source, io.env, save, signal);
        if (!flags.analyze) {
          for await (const line of lines) io.stdout(line + '\n');
          done({ rendered: { stdout: '', stderr: '' }, exitCode: ExitCode.ok });
          return;
        }
        const { analyzeLines, hasProblems } = await import('./commands/analyze.ts');
        const summary = await analyzeTo(io, flags, (options) => analyzeLines(lines, options));
        done({ rendered: { stdout: '', stderr: await noSchedulingNote(summary, 'the captured log') }, exitCode: hasProblems(summary) ? ExitCode.failed : ExitCode.ok });
      });
    },
  );

  program
    .command('check')
    .description('the CI job: for each upstream ref, a clean checkout, apply, verify (with --build, go build and go vet; with --test, upstream\'s go test), revert, compare byte for byte')
    .requiredOption('--upstream <url|path>', 'the repository: a git URL or a local clone (GIE, or llm-d-router)')
    .option('--ref <ref>', 'a tag, branch or commit to check (repeatable)', collect)
    .option('--tags <range>', 'every tag in this semantic-version range, e.g. ">=v1.0.0"')
    .option('--build', 'also go build and go vet the patched packages in the checkout\'s own module (in a copy of the patched tree)')
    .option('--test', 'also run upstream\'s unit tests (go test) of the patched packages in the patched tree; a test that fails without the patches too is reported as upstream\'s')
    .option('--behaviour', 'also run the patched scheduling code on generated fakes and check each point\'s lines (implies --build; docs/check-behaviour.md)')
    .addOption(new Option('--jobs <n>', 'refs checked at once (default: the number of CPUs)').argParser(integer))
    .addOption(new Option('--format <format>', 'report format on stdout (or in --output)').choices(['text', 'json', 'junit', 'github']).default('text'))
    .option('--output <file>', 'write the report to this file instead of stdout')
    .option('--junit <file>', 'also write a JUnit XML report here (for CI dashboards, beside --format github)')
    .option('--cache <dir>', 'where upstream clones are kept and reused (default ~/.cache/instrument/upstream)')
    .action(async (flags: { upstream: string; ref?: string[]; tags?: string; build?: boolean; test?: boolean; behaviour?: boolean; jobs?: number; format: 'text' | 'json' | 'junit' | 'github'; output?: string; junit?: string; cache?: string }) => {
      const { check, writeReport } = await import('./commands/check.ts');
      const report = await import('./check/report.ts');
      const { refPassed } = await import('./check/verify.ts');
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
      const text = { text: () => report.renderText(result, io.style), json: () => report.renderJson(result), junit: () => report.renderJunit(result), github: () => report.renderGithub(result) }[flags.format]();
      if (flags.junit !== undefined) writeReport(io.cwd, flags.junit, report.renderJunit(result));
      if (flags.output !== undefined) writeReport(io.cwd, flags.output, text);
      done({ rendered: { stdout: flags.output === undefined ? text : '', stderr: '' }, exitCode: result.ok ? ExitCode.ok : ExitCode.failed });
    });

  return program;
}

/** The explanation for input without a single scheduling line (then analyze exits 1), or nothing. */
async function noSchedulingNote(summary: Summary, source: string): Promise<string> {
  if (summary.input === undefined) return '';
  const { renderNoScheduling } = await import('./reporters/analysis.ts');
  return renderNoScheduling(summary, source);
}

type AnalysisRun = (options: { onRequest: (record: RequestRecord) => void; onTick?: (summary: Summary) => void; followSettleMs?: number }) => Promise<Summary>;

/**
 * Prints an analysis as it streams: each request as soon as it is complete (a table row, or an
 * element of the JSON document), the summary last; the HTML page is written at the end.
 */
export async function analyzeTo(io: CliIo, flags: { json?: boolean; follow?: boolean; html?: string }, run: AnalysisRun): Promise<Summary> {
  if (flags.html !== undefined) {
    // Checked before the analysis runs, so the table is not printed for a page that cannot be written.
    const folder = dirname(resolve(io.cwd, flags.html));
    if (!statSync(folder, { throwIfNoEntry: false })?.isDirectory()) {
      throw new UsageError(`--html ${flags.html}: the folder ${folder} does not exist`, 'Create the folder first, or name a file in a folder that exists.');
    }
  }
  const { renderRequest, renderSummary } = await import('./reporters/analysis.ts');
  const page = flags.html === undefined ? undefined : new (await import('./reporters/html.ts')).PageCollector();
  let first = true;
  // Output is gathered and written in pieces of about 64 KB: one write per request is a system
  // call per request on a large log. Followed input is written as each request completes,
  // whatever stdout is (a terminal, a file, a pipe to another program, a CI log).
  const immediate = flags.follow === true;
  let pending = '';
  const write = (text: string) => {
    pending += text;
    if (immediate || pending.length > 65_536) {
      io.stdout(pending);
      pending = '';
    }
  };
  const flush = () => {
    if (pending) io.stdout(pending);
    pending = '';
  };
  if (flags.json) write(`{"version":${ANALYSIS_VERSION},"requests":[`);
  const live = flags.follow && io.interactive && !flags.json;
  const summary = await run({
    onRequest: (record) => {
      page?.add(record);
      if (flags.json) {
        write((first ? '\n' : ',\n') + JSON.stringify(record));
        first = false;
      } else if (live) {
        // Live: each request shows at once.
        io.stderr('\r\x1b[K');
        io.stdout(renderRequest(record, io.style));
      } else {
        write(renderRequest(record, io.style));
      }
    },
    onTick: live
      ? (s) => io.stderr(`\r\x1b[K${s.requests} requests, ${s.picked} picked, ${Object.values(s.problemsByKind).reduce((n, k) => n + k.count, 0)} problems, ${s.lines} lines`)
      : undefined,
    followSettleMs: flags.follow ? 2000 : undefined,
  });
  if (live) io.stderr('\r\x1b[K');
  if (flags.json) write(`\n],"summary":${JSON.stringify(summary)}}\n`);
  else write(renderSummary(summary, io.style));
  flush();
  if (page && flags.html !== undefined) {
    writeFileSync(resolve(io.cwd, flags.html), page.render(summary));
  }
  return summary;
}

/**
 * Runs the CLI on `argv` (without node and script) and returns the exit code. This is the one place
 * that turns errors into messages and exit codes.
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<ExitCode> {
  let outcome: Outcome | undefined;
  const program = createProgram(io, (o) => (outcome = o));
  const debug = argv.includes('--debug') || io.env.DEBUG !== undefined;
  try {
    await program.parseAsync(argv.filter((a) => a !== '--debug'), { from: 'user' });
  } catch (error) {
    return reportError(error, io, debug, argv.includes('--json'));
  }
  if (!outcome) {
    if (argv.length === 0) io.stdout(program.helpInformation());
    return ExitCode.ok;
  }
  if (outcome.rendered.stdout) io.stdout(outcome.rendered.stdout);
  if (outcome.rendered.stderr) io.stderr(outcome.rendered.stderr);
  return outcome.exitCode;
}

function reportError(thrown: unknown, io: CliIo, debug: boolean, json: boolean): ExitCode {
  const style = io.style ?? plainStyle;
  // With --json, stdout always holds one document, errors included, so scripts can read why.
  const jsonError = (code: ExitCode, message: string, hint?: string) => {
    if (json) io.stdout(JSON.stringify({ error: { exitCode: code, message, hint } }, null, 2) + '\n');
  };
  if (thrown instanceof CommanderError) {
    // commander has already printed its message; help and version are successes.
    if (thrown.code === 'commander.helpDisplayed' || thrown.code === 'commander.version' || thrown.code === 'commander.help') return ExitCode.ok;
    jsonError(ExitCode.usage, thrown.message.replace(/^error: /, ''));
    return ExitCode.usage;
  }
  // A failure of the file system anywhere (disk full, permissions, a link loop) is not a bug.
  const error = thrown instanceof InstrumentError ? thrown : (systemFailure(thrown) ?? thrown);
  if (error instanceof InstrumentError && error.exitCode !== ExitCode.internal) {
    io.stderr(`${style.bad('error:')} ${error.message}\n`);
    if (error.hint) io.stderr(`${error.hint}\n`);
    if (debug && error.stack) io.stderr(`${error.stack}\n`);
    jsonError(error.exitCode, error.message, error.hint);
    return error.exitCode;
  }
  jsonError(ExitCode.internal, error instanceof Error ? error.message : String(error), 'This is a bug in instrument; the stack is on stderr.');
  const stack = error instanceof Error ? (error.stack ?? error.message) : String(error);
  io.stderr(
    `${style.bad('internal error:')} ${error instanceof Error ? error.message : String(error)}\n` +
      `This is a bug in instrument ${VERSION} (node ${process.version}); please report it with the output below.\n${stack}\n` +
      (error instanceof Error && error.cause instanceof Error ? `caused by: ${error.cause.stack ?? error.cause.message}\n` : ''),
  );
  return ExitCode.internal;
}
