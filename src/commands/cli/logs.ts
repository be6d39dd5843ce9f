import { resolve } from 'node:path';
import { OperationError, UsageError } from '../../errors.ts';
import { ExitCode } from '../../exit-codes.ts';
import { analyzeTo, noSchedulingNote, noteTerminalInput } from './analysis-output.ts';
import { defineCommand, interruptible } from './define.ts';
import { configRoot, connection, connectionOptions, deployment, namespace, source, type ConnectionFlags } from './options.ts';

export default defineCommand<
  ConnectionFlags & {
    root?: string;
    source?: string;
    namespace?: string;
    deployment?: string;
    container?: string;
    since?: string;
    follow?: boolean;
    docker?: string;
    runtime?: 'docker' | 'podman';
    file?: string;
    save?: string;
    analyze?: boolean;
    json?: boolean;
    html?: string;
  }
>({
  name: 'logs',
  summary: 'capture EPP logs (cluster, container, file or stdin); print them, save them, or analyze them as they come',
  description:
    "Capture the EPP's logs: from the cluster (kubectl logs deploy/<EPP>), from a container (--docker), or from a file or standard input (--file). Print the raw lines, save them (--save), or feed them straight into analyze (--analyze), or both. Followed logs (-f) stop on Ctrl-C or SIGTERM, after the summary.",
  options: [
    configRoot,
    source,
    namespace,
    deployment,
    { flags: '-c, --container <name>', description: "the container in the EPP pod (default: kubectl's choice)", complete: 'none' },
    { flags: '--since <duration>', description: 'how far back, a Go duration: 30s, 10m, 1h30m (default 10m)', complete: 'none' },
    { flags: '-f, --follow', description: 'keep reading as the logs grow (Ctrl-C or SIGTERM ends it, after the summary)' },
    { flags: '--docker <container>', description: "read this container's logs instead of the cluster's", complete: 'none' },
    { flags: '--runtime <runtime>', description: 'with --docker: the container runtime', choices: ['docker', 'podman'], default: 'docker' },
    { flags: '--file <file>', description: 'read this file (- for standard input) instead' },
    { flags: '--save <file>', description: 'also write the raw lines to this file' },
    { flags: '--analyze', description: 'feed the lines straight into analyze (its table and summary, or --json / --html)' },
    { flags: '--json', description: 'with --analyze: one JSON document' },
    { flags: '--html <file>', description: 'with --analyze: also write the HTML page' },
    ...connectionOptions,
  ],
  examples: [
    { description: 'The last 10 minutes, read back into the table and an HTML page', command: 'instrument logs --since 10m --analyze --html scores.html' },
    { description: 'Follow the logs, keep the raw lines, and analyze them as they come (Ctrl-C prints the summary)', command: 'instrument logs -f --save epp.log --analyze' },
    { description: 'The EPP of another namespace and cluster', command: 'instrument logs -n epp --context kind-dev --since 1h30m' },
    { description: 'A container run with docker, outside any cluster', command: 'instrument logs --docker epp --analyze' },
  ],
  async run({ io, style, flags }) {
    const { logSource, captureLogs } = await import('../logs.ts');
    const source = logSource({ cwd: io.cwd, ...flags, connection: connection(io, flags), stdin: io.stdin! });
    if (!flags.analyze && (flags.json || flags.html)) throw new UsageError('--json and --html go with --analyze', 'Add --analyze, or leave them out to print the raw lines.');
    // What was found, once, on stderr (stdout carries the lines or the analysis alone).
    io.stderr(source.found + '\n');
    if (source.kind === 'stream') noteTerminalInput(io, flags.file);
    const save = flags.save === undefined ? undefined : resolve(io.cwd, flags.save);
    return interruptible(io, async (signal) => {
      const lines = captureLogs(source, io.env, save, signal);
      if (!flags.analyze) {
        try {
          for await (const line of lines) io.stdout(line + '\n');
        } catch (error) {
          // The container's last lines were just printed: say so rather than print them twice.
          const { LogCommandError } = await import('../../analyze/sources.ts');
          if (error instanceof LogCommandError && error.tailWasYielded && error.tail) throw new OperationError(`${error.failed}; its last lines are the ones printed above`, error.hint);
          throw error;
        }
        return { rendered: { stdout: '', stderr: '' }, exitCode: ExitCode.ok };
      }
      const { analyzeLines, hasProblems } = await import('../analyze.ts');
      const summary = await analyzeTo(io, style, flags, (options) => analyzeLines(lines, options));
      return { rendered: { stdout: '', stderr: await noSchedulingNote(summary, 'the captured log') }, exitCode: hasProblems(summary) ? ExitCode.failed : ExitCode.ok };
    });
  },
});
