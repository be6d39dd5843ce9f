import { createWriteStream, type WriteStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { checkDuration } from '../build/duration.ts';
import type { KubeConnection } from '../build/kube.ts';
import { checkDnsLabel, checkResourceName } from '../build/names.ts';
import { logLines, type LogSource } from '../analyze/sources.ts';
import { openInput } from './analyze.ts';
import { findWorkspace } from '../codemod/locate.ts';
import { DEFAULTS, loadConfig } from '../config.ts';
import { UsageError } from '../errors.ts';

export interface LogsOptions {
  readonly cwd: string;
  readonly root?: string | undefined;
  /** The tree holding the EPP, as for apply; with --root, names the workspace whose configuration is read. */
  readonly source?: string | undefined;
  readonly namespace?: string | undefined;
  readonly deployment?: string | undefined;
  readonly container?: string | undefined;
  /** How far back, a Go duration (`10m`, `1h30m`), as kubectl and docker take it. */
  readonly since?: string | undefined;
  /** kubectl's --kubeconfig and --context. */
  readonly connection?: KubeConnection | undefined;
  readonly follow?: boolean | undefined;
  /** Read a container's logs instead of the cluster's. */
  readonly docker?: string | undefined;
  readonly runtime?: 'docker' | 'podman' | undefined;
  /** Read a file (or `-` for standard input) instead. */
  readonly file?: string | undefined;
  readonly stdin: Readable;
}

/** Picks the source from the flags: a container, a file or standard input, else the cluster. */
export function logSource(options: LogsOptions): LogSource & { readonly found: string } {
  const { root, found } = findWorkspace(options);
  const config = loadConfig(root);
  const chosen = [options.docker, options.file].filter((x) => x !== undefined).length;
  if (chosen > 1) throw new UsageError('--docker and --file name two sources', 'Read one source at a time.');
  const since = options.since ?? config.logs?.since ?? '10m';
  checkDuration(since, options.since !== undefined ? '--since' : 'logs.since in instrument.config.json');
  if (options.file !== undefined) return { found, kind: 'stream', name: options.file, stream: openInput({ cwd: options.cwd, input: options.file, stdin: options.stdin }) };
  if (options.docker !== undefined) {
    if (!/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/.test(options.docker)) throw new UsageError(`--docker ${JSON.stringify(options.docker)} is not a container name`, 'Pass the name or id `docker ps` shows.');
    return { found, kind: 'docker', runtime: options.runtime ?? 'docker', container: options.docker, since: options.since, follow: options.follow === true };
  }
  const container = options.container ?? config.logs?.container;
  return {
    found,
    kind: 'cluster',
    namespace: checkDnsLabel(options.namespace ?? config.deploy?.namespace ?? DEFAULTS.deploy.namespace, '--namespace'),
    deployment: checkResourceName(options.deployment ?? config.deploy?.deployment ?? DEFAULTS.deploy.deployment, '--deployment'),
    since,
    container: container === undefined ? undefined : checkDnsLabel(container, '--container'),
    follow: options.follow === true,
    connection: options.connection,
  };
}

/**
 * The lines of the chosen source, each also appended to `save` when given (the raw capture, to
 * analyze again later). When `signal` aborts, the lines end and the capture is closed.
 */
export async function* captureLogs(source: LogSource, env: Readonly<Record<string, string | undefined>>, save: string | undefined, signal?: AbortSignal): AsyncGenerator<string> {
  let out: WriteStream | undefined;
  if (save !== undefined) out = createWriteStream(save);
  try {
    for await (const line of logLines(source, env, signal)) {
      if (out && !out.write(line + '\n')) await new Promise<void>((done) => out!.once('drain', () => done()));
      yield line;
    }
  } finally {
    if (out) await new Promise<void>((done) => out!.end(() => done()));
  }
}
