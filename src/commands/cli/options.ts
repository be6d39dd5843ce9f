import { InvalidArgumentError } from 'commander';
import { resolve } from 'node:path';
import { parseGoDuration } from '../../build/duration.ts';
import type { KubeConnection } from '../../build/kube.ts';
import type { CliIo, OptionSpec } from './define.ts';

// The flags several commands share, written once. Short flags follow kubectl: -n namespace,
// -l label selector, -c container, -f follow.

export function integer(value: string): number {
  if (!/^-?\d+$/.test(value)) throw new InvalidArgumentError('expected a whole number');
  return Number(value);
}

/** A repeatable flag's values, in order. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** A Go duration above zero (`25s`, `5m`, `1h30m`, `1.5h`) in milliseconds; a bare number is seconds. */
export function duration(value: string): number {
  const ms = /^\d+(\.\d+)?$/.test(value) ? Number(value) * 1000 : parseGoDuration(value);
  if (ms === undefined || ms <= 0) throw new InvalidArgumentError('expected a duration above 0 like 500ms, 25s, 5m or 1h30m');
  return Math.ceil(ms);
}

export const workspaceRoot: OptionSpec = {
  flags: '--root <dir>',
  description: 'the workspace that holds the llm-d tree, the tree itself or a folder in it (default: the current folder)',
  complete: 'folder',
};
export const configRoot: OptionSpec = {
  flags: '--root <dir>',
  description: 'the workspace whose instrument.config.json to read: the one holding the llm-d tree when there is one, named as for apply (default: the current folder)',
  complete: 'folder',
};
export const source: OptionSpec = {
  flags: '--source <dir>',
  description: 'any tree that holds the EPP sources (a GIE or llm-d-router checkout), instead of a workspace',
  complete: 'folder',
};
export const jsonOutput: OptionSpec = { flags: '--json', description: 'print one JSON document instead of text' };
/** apply's and diff's way to choose between two files that declare a target's method (repeatable). */
export const targetFile: OptionSpec = {
  flags: '--target-file <target=path>',
  description: 'the file to patch for a target (scheduler, profile or server) when two files declare its method; relative to the tree root; repeatable',
  parse: collect,
  complete: 'none',
};
export const dryRun = (what: string): OptionSpec => ({ flags: '--dry-run', description: what });

/** The three options of the commands that work on the sources. */
export const treeOptions: readonly OptionSpec[] = [workspaceRoot, source, jsonOutput];

/** kubectl's own flags for choosing the cluster, on every command that runs kubectl. */
export const connectionOptions: readonly OptionSpec[] = [
  { flags: '--kubeconfig <file>', description: "the kubeconfig file kubectl reads (default: kubectl's, $KUBECONFIG or ~/.kube/config)" },
  { flags: '--context <name>', description: 'the kubeconfig context to use (default: its current context)', complete: 'none' },
];

export interface ConnectionFlags {
  readonly kubeconfig?: string | undefined;
  readonly context?: string | undefined;
}

export function connection(io: CliIo, flags: ConnectionFlags): KubeConnection {
  return { kubeconfig: flags.kubeconfig === undefined ? undefined : resolve(io.cwd, flags.kubeconfig), context: flags.context };
}

export const namespace: OptionSpec = { flags: '-n, --namespace <ns>', description: 'namespace of the EPP (default llm-d-inference-scheduler)', complete: 'none' };
export const deployment: OptionSpec = { flags: '--deployment <name>', description: 'the EPP Deployment (default gaie-inference-scheduling-epp)', complete: 'none' };
export const configMap: OptionSpec = { flags: '--configmap <name>', description: 'the config map holding epp-config.yaml (default: the one the Deployment mounts)', complete: 'none' };
export const podOptions: readonly OptionSpec[] = [
  { flags: '--pod-namespace <ns>', description: 'namespace of the candidate model-server pods (default llm-d-vllm)', complete: 'none' },
  {
    flags: '-l, --pod-selector <selector>',
    description: "label selector of the candidate pods, in kubectl's syntax: role=proxy, role in (decode,both), !canary (default role=proxy)",
    complete: 'none',
  },
];
/** The options of the commands that change the EPP (deploy, rollback). */
export const changeOptions: readonly OptionSpec[] = [
  { flags: '--schedulerinstall <name>', description: 'the SchedulerInstall the operator reconciles the EPP from (default llm-sched-install)', complete: 'none' },
  { flags: '-c, --container <name>', description: 'the EPP container in the Deployment (default: its first)', complete: 'none' },
  { flags: '--target <kind>', description: "what to patch: the operator's resource, or the Deployment itself (the operator may undo that)", choices: ['schedulerinstall', 'deployment'] },
  { flags: '--timeout <duration>', description: 'how long to wait for the operator and the rollout, a Go duration: 90s, 5m, 1h30m (default 5m)', complete: 'none' },
  dryRun('print the commands that would change the cluster, and change nothing'),
];

/** The names every cluster command shares, each also settable in instrument.config.json. */
export function clusterOptions({ pods = true, change = true } = {}): OptionSpec[] {
  return [configRoot, source, namespace, deployment, configMap, jsonOutput, ...connectionOptions, ...(pods ? podOptions : []), ...(change ? changeOptions : [])];
}

export interface ClusterFlags extends ConnectionFlags {
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
}

/** The options of deploy, rollback and inspect, from their flags. */
export function clusterRun(io: CliIo, flags: ClusterFlags) {
  return {
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
  };
}

export interface TreeFlags {
  root?: string;
  source?: string;
  json?: boolean;
}

export function tree(io: CliIo, flags: TreeFlags) {
  return { root: flags.root, source: flags.source, cwd: io.cwd };
}

/** The flags every command takes, on the program itself (commander reads them after the command too). */
export const globalOptions: readonly OptionSpec[] = [
  { flags: '--color <when>', description: 'when to colour the output; auto: when stdout is a terminal, unless NO_COLOR is set (FORCE_COLOR=1 forces it)', choices: ['auto', 'always', 'never'], default: 'auto' },
  { flags: '--debug', description: 'print the stack with an error message (also DEBUG set to anything but "" or 0)' },
];
