import { execa } from 'execa';
import type { Readable } from 'node:stream';
import { commandLine } from '../build/exec.ts';
import { OperationError } from '../errors.ts';
import { readLines } from './lines.ts';

/** Where EPP logs come from. */
export type LogSource =
  | { readonly kind: 'cluster'; readonly namespace: string; readonly deployment: string; readonly since: string; readonly container: string | undefined; readonly follow: boolean }
  | { readonly kind: 'docker'; readonly runtime: 'docker' | 'podman'; readonly container: string; readonly since: string | undefined; readonly follow: boolean }
  | { readonly kind: 'stream'; readonly name: string; readonly stream: Readable };

/** The command that prints a source's logs (none for a file or standard input). */
export function logCommand(source: LogSource): string[] | undefined {
  if (source.kind === 'cluster') {
    return [
      'kubectl',
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
 * to stderr); a command that fails is reported like any other external command.
 */
export async function* logLines(source: LogSource, env: Readonly<Record<string, string | undefined>>): AsyncGenerator<string> {
  if (source.kind === 'stream') {
    yield* readLines(source.stream);
    return;
  }
  const argv = logCommand(source)!;
  const child = execa(argv[0]!, argv.slice(1), { env, reject: false, all: true, buffer: { stdout: false, stderr: true, all: false }, stdin: 'ignore' });
  yield* child.iterable({ from: 'all', preserveNewlines: false });
  const result = await child;
  if (result.exitCode !== 0) {
    const tail = String(result.stderr ?? '').trim().split('\n').slice(-8).join('\n');
    throw new OperationError(
      `\`${commandLine(argv)}\` failed (exit code ${result.exitCode ?? 'none'})${tail ? `:\n  ${tail.replace(/\n/g, '\n  ')}` : ''}`,
      source.kind === 'cluster'
        ? `Check the namespace and Deployment (--namespace, --deployment) with \`kubectl get deploy -n ${source.namespace}\`.`
        : `Check the container name with \`${argv[0]} ps -a\`.`,
    );
  }
}
