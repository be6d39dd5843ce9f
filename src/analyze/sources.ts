import { execa } from 'execa';
import type { Readable } from 'node:stream';
import { commandLine, hintFor } from '../build/exec.ts';
import { connectionArgs, type KubeConnection } from '../build/kube.ts';
import { OperationError } from '../errors.ts';
import { untilAborted } from './interrupt.ts';
import { readLines } from './lines.ts';

/** Where EPP logs come from. */
export type LogSource =
  | {
      readonly kind: 'cluster';
      readonly namespace: string;
      readonly deployment: string;
      readonly since: string;
      readonly container: string | undefined;
      readonly follow: boolean;
      readonly connection?: KubeConnection | undefined;
    }
  | { readonly kind: 'docker'; readonly runtime: 'docker' | 'podman'; readonly container: string; readonly since: string | undefined; readonly follow: boolean }
  | { readonly kind: 'stream'; readonly name: string; readonly stream: Readable };

/** The command that prints a source's logs (none for a file or standard input). */
export function logCommand(source: LogSource): string[] | undefined {
  if (source.kind === 'cluster') {
    return [
      'kubectl',
      ...connectionArgs(source.connection),
      'logs',
      '-n',
      source.namespace,
      `deploy/${source.deployment}`,
      `--since=${source.since}`,
      ...(source.container ? ['-c', source.container] : []),
      ...(source.follow ? ['-f'] : []),
    ];
  }
  if (source.kind === 'docker') return [source.runtime, 'logs', ...(source.since ? ['--since', source.since] : []), ...(source.follow ? ['-f'] : []), source.container];
  return undefined;
}

/**
 * The lines of a log source as they come. For a container both of its streams are read (zap writes
 * to stderr); kubectl prints the pod's two streams on its stdout, and its own errors on stderr,
 * which are reported once, with the failure. A command that fails is reported like any other
 * external command. When `signal` aborts, the command is stopped and the lines end there.
 */
export async function* logLines(source: LogSource, env: Readonly<Record<string, string | undefined>>, signal?: AbortSignal): AsyncGenerator<string> {
  if (source.kind === 'stream') {
    yield* untilAborted(readLines(source.stream), signal);
    return;
  }
  const argv = logCommand(source)!;
  const child = execa(argv[0]!, argv.slice(1), {
    env,
    reject: false,
    all: source.kind === 'docker',
    buffer: { stdout: false, stderr: true, all: false },
    stdin: 'ignore',
    ...(signal ? { cancelSignal: signal } : {}),
  });
  try {
    yield* child.iterable({ from: source.kind === 'docker' ? 'all' : 'stdout', preserveNewlines: false });
  } catch (error) {
    // The stopped command's output ends early; anything else is a real failure.
    if (!signal?.aborted) throw error;
  }
  const result = await child;
  // Stopped by us, or by the same Ctrl-C that reached the whole process group: a normal end.
  if (signal?.aborted || result.isCanceled || result.signal !== undefined) return;
  if (result.exitCode === undefined && (result as { code?: string }).code === 'ENOENT') {
    throw new OperationError(`\`${argv[0]}\` is not installed or not on PATH`, `Install ${argv[0]}, or put it on PATH.`);
  }
  if (result.exitCode !== 0) {
    const stderr = String(result.stderr ?? '');
    const tail = stderr.trim().split('\n').slice(-8).join('\n');
    throw new LogCommandError(
      `\`${commandLine(argv)}\` failed (exit code ${result.exitCode ?? 'none'})`,
      tail,
      // A container's stderr is part of its log, so those lines were also handed on as log lines.
      source.kind === 'docker',
      hintFor(argv, stderr) ??
        (source.kind === 'cluster'
          ? `Check the namespace and Deployment (--namespace, --deployment) with \`kubectl get deploy -n ${source.namespace}\`.`
          : `Check the container name with \`${argv[0]} ps -a\`.`),
    );
  }
}

/** A log command that failed: what failed, the end of its stderr, and whether that was also yielded as log lines. */
export class LogCommandError extends OperationError {
  readonly failed: string;
  readonly tail: string;
  readonly tailWasYielded: boolean;

  constructor(failed: string, tail: string, tailWasYielded: boolean, hint: string) {
    super(`${failed}${tail ? `:\n  ${tail.replace(/\n/g, '\n  ')}` : ''}`, hint);
    this.failed = failed;
    this.tail = tail;
    this.tailWasYielded = tailWasYielded;
  }
}
