import { formatDuration } from './duration.ts';
import { runTool, type ToolRun } from './exec.ts';
import type { Env } from './runtime.ts';

/** The kubectl verbs instrument uses, as small functions over argument arrays. */

export type KubeObject = {
  readonly metadata?: { readonly name?: string; readonly namespace?: string; readonly annotations?: Record<string, string>; readonly labels?: Record<string, string> };
  readonly spec?: Record<string, unknown>;
  readonly status?: Record<string, unknown>;
  readonly data?: Record<string, string>;
};

/** Which cluster and user: kubectl's own --kubeconfig and --context, passed to every call. */
export interface KubeConnection {
  readonly kubeconfig?: string | undefined;
  readonly context?: string | undefined;
}

/** The global flags that select the cluster, first on every kubectl command line. */
export function connectionArgs(connection: KubeConnection | undefined): string[] {
  return [...(connection?.kubeconfig ? ['--kubeconfig', connection.kubeconfig] : []), ...(connection?.context ? ['--context', connection.context] : [])];
}

export interface Kubectl {
  readonly env: Env;
  readonly connection?: KubeConnection | undefined;
  /** Called with every argv before it runs (for --dry-run listings and progress). */
  readonly onCommand?: ((argv: readonly string[], change: boolean) => void) | undefined;
}

async function kubectl(k: Kubectl, args: readonly string[], change = false, allowFailure = false): Promise<ToolRun> {
  const argv = ['kubectl', ...connectionArgs(k.connection), ...args];
  k.onCommand?.(argv, change);
  return runTool(argv, { env: k.env, allowFailure });
}

export async function currentContext(k: Kubectl): Promise<string | undefined> {
  const run = await kubectl(k, ['config', 'current-context'], false, true);
  return run.exitCode === 0 ? run.stdout.trim() || undefined : undefined;
}

export async function getObject(k: Kubectl, kind: string, name: string, namespace: string): Promise<KubeObject> {
  return JSON.parse((await kubectl(k, ['get', kind, name, '-n', namespace, '-o', 'json'])).stdout) as KubeObject;
}

export async function listPods(k: Kubectl, namespace: string, selector: string): Promise<KubeObject[]> {
  const list = JSON.parse((await kubectl(k, ['get', 'pods', '-n', namespace, '-l', selector, '-o', 'json'])).stdout) as { items?: KubeObject[] };
  return list.items ?? [];
}

/** `kubectl patch` with a patch built as JSON, never pasted together as text. */
export function patchArgs(kind: string, name: string, namespace: string, type: 'merge' | 'strategic', patch: unknown): string[] {
  return ['patch', kind, name, '-n', namespace, '--type', type, '-p', JSON.stringify(patch)];
}

export async function patch(k: Kubectl, kind: string, name: string, namespace: string, type: 'merge' | 'strategic', body: unknown): Promise<void> {
  await kubectl(k, patchArgs(kind, name, namespace, type, body), true);
}

export function rolloutArgs(deployment: string, namespace: string, timeoutMs: number): string[] {
  return ['rollout', 'status', `deployment/${deployment}`, '-n', namespace, `--timeout=${formatDuration(timeoutMs)}`];
}

export async function rolloutStatus(k: Kubectl, deployment: string, namespace: string, timeoutMs: number): Promise<void> {
  await kubectl(k, rolloutArgs(deployment, namespace, timeoutMs));
}

/** A command line as it is run, with the connection flags, for messages and --dry-run. */
export function kubectlLine(k: Kubectl, args: readonly string[]): readonly string[] {
  return ['kubectl', ...connectionArgs(k.connection), ...args];
}

export type Container = { readonly name: string; readonly image?: string; readonly imagePullPolicy?: string };

/** The containers of a Deployment's pod template. */
export function containers(deployment: KubeObject): Container[] {
  const template = deployment.spec?.template as { spec?: { containers?: Container[] } } | undefined;
  return template?.spec?.containers ?? [];
}

