import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OperationError, UsageError } from '../errors.ts';
import { runTool } from './exec.ts';
import { currentContext, type Kubectl } from './kube.ts';
import { checkClusterName, fullyQualified } from './names.ts';
import type { Env, RuntimeName } from './runtime.ts';

export type ClusterKind = 'kind' | 'minikube';

export interface ClusterTarget {
  readonly kind: ClusterKind;
  /** The kind cluster name or the minikube profile. */
  readonly name: string;
  /** How it was chosen, for the report. */
  readonly from: 'flag' | 'config' | 'context';
}

/**
 * Which local cluster to load into: `--cluster` (with `--name`/`--profile`), else the current kubectl
 * context (or --context): `kind-<name>` is kind, `minikube` (or another minikube profile's name, with --cluster) is minikube.
 */
export async function chooseCluster(
  k: Kubectl,
  wanted: { kind?: string | undefined; name?: string | undefined; from: 'flag' | 'config' },
): Promise<ClusterTarget> {
  if (wanted.kind !== undefined) {
    if (wanted.kind !== 'kind' && wanted.kind !== 'minikube') throw new UsageError(`--cluster ${JSON.stringify(wanted.kind)}: expected kind or minikube`, 'Pass --cluster kind or --cluster minikube.');
    const name = checkClusterName(wanted.name ?? (wanted.kind === 'kind' ? 'kind' : 'minikube'), wanted.kind === 'kind' ? '--name' : '--profile');
    return { kind: wanted.kind, name, from: wanted.from };
  }
  // --context names the context itself; `kubectl config current-context` would ignore it.
  const context = k.connection?.context ?? (await currentContext(k));
  if (context?.startsWith('kind-')) return { kind: 'kind', name: checkClusterName(wanted.name ?? context.slice('kind-'.length), '--name'), from: 'context' };
  if (context === 'minikube') return { kind: 'minikube', name: checkClusterName(wanted.name ?? 'minikube', '--profile'), from: 'context' };
  throw new UsageError(
    context ? `the current kubectl context "${context}" is neither a kind (kind-*) nor a minikube cluster` : 'kubectl has no current context',
    'Pass --cluster kind (with --name <cluster>) or --cluster minikube (with --profile <profile>).',
  );
}

export interface LoadStep {
  readonly argv: readonly string[];
}

/** The commands that load an image into the cluster's nodes (run them, or list them for --dry-run). */
export function loadCommands(target: ClusterTarget, image: string, runtime: RuntimeName, archive: string): string[][] {
  if (target.kind === 'minikube') return [['minikube', 'image', 'load', image, '-p', target.name]];
  // kind reads images from docker; with podman it takes an archive (kind's documented route).
  if (runtime === 'podman') {
    return [
      ['podman', 'save', '-o', archive, image],
      ['kind', 'load', 'image-archive', archive, '--name', target.name],
    ];
  }
  return [['kind', 'load', 'docker-image', image, '--name', target.name]];
}

/** Loads the image, then checks it is on every node; returns the nodes checked. */
export async function loadImage(
  target: ClusterTarget,
  image: string,
  runtime: RuntimeName,
  env: Env,
  onCommand: (argv: readonly string[]) => void,
): Promise<string[]> {
  const run = (argv: readonly string[], allowFailure = false) => {
    onCommand(argv);
    return runTool(argv, { env, allowFailure });
  };
  await run([runtime, 'image', 'inspect', image]);
  const dir = mkdtempSync(join(tmpdir(), 'instrument-load-'));
  try {
    for (const argv of loadCommands(target, image, runtime, join(dir, 'image.tar'))) await run(argv);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }

  if (target.kind === 'minikube') {
    const listed = (await run(['minikube', 'image', 'ls', '-p', target.name])).stdout.split('\n').map((l) => l.trim());
    if (!listed.includes(fullyQualified(image)) && !listed.includes(image)) {
      throw new OperationError(`${image} is not among the images of minikube profile ${target.name} after loading it`, `See \`minikube image ls -p ${target.name}\`.`);
    }
    return [target.name];
  }
  const nodes = (await run(['kind', 'get', 'nodes', '--name', target.name])).stdout.split('\n').map((l) => l.trim()).filter(Boolean);
  if (nodes.length === 0) throw new OperationError(`no nodes found for kind cluster "${target.name}"`, 'List the kind clusters with `kind get clusters` and pass the right one with --name.');
  const missing: string[] = [];
  for (const node of nodes) {
    if ((await run([runtime, 'exec', node, 'crictl', 'inspecti', image], true)).exitCode !== 0) missing.push(node);
  }
  if (missing.length > 0) {
    throw new OperationError(`${image} is not on node(s) ${missing.join(', ')} of kind cluster ${target.name} after loading it`, `Look with \`${runtime} exec ${missing[0]} crictl images\`.`);
  }
  return nodes;
}
