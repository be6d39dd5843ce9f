import { execa } from 'execa';
import { randomBytes } from 'node:crypto';
import { delimiter, join } from 'node:path';
import { inject, onTestFinished } from 'vitest';
import type { ControlPlaneInfo } from './control-plane.ts';

/**
 * The EPP as the cluster tests find it on the real control plane (test/helpers/control-plane.ts):
 * a SchedulerInstall, the Deployment it owns (reconciled by test/cluster/operator.mjs) and the
 * config map with epp-config.yaml, in a namespace of its own per test.
 */

declare module 'vitest' {
  export interface ProvidedContext {
    controlPlane: ControlPlaneInfo;
  }
}

export const INSTALL = 'llm-sched-install';
export const DEPLOYMENT = 'gaie-inference-scheduling-epp';
export const CONFIG_MAP = 'gaie-epp-config';
export const STANDARD = 'ghcr.io/llm-d/llm-d-inference-scheduler:v0.4.0';
export const PREVIOUS_IMAGE = 'instrument.llm-d.ai/previous-image';
export const RESTARTED_AT = 'kubectl.kubernetes.io/restartedAt';

export const EPP_CONFIG = `apiVersion: inference.networking.x-k8s.io/v1alpha1
kind: EndpointPickerConfig
plugins:
- type: by-label-selector
  name: proxies-only
  parameters:
    matchLabels: {role: proxy}
- type: active-request-scorer
- type: queue-scorer
- type: max-score-picker
schedulingProfiles:
- name: default
  plugins:
  - pluginRef: proxies-only
  - pluginRef: active-request-scorer
    weight: 2
  - pluginRef: queue-scorer
    weight: 1
  - pluginRef: max-score-picker
`;

export function controlPlane(): ControlPlaneInfo {
  return inject('controlPlane');
}

/** The environment for running instrument against the control plane: its kubectl first on PATH. */
export function clusterEnv(extra: Record<string, string> = {}): Record<string, string> {
  const info = controlPlane();
  return { PATH: [info.bin, process.env.PATH ?? ''].join(delimiter), HOME: process.env.HOME ?? '', KUBECONFIG: info.kubeconfig, INSTRUMENT_POLL_INTERVAL_MS: '200', ...extra };
}

/** kubectl as the admin (setting up, and looking at what instrument did). */
export async function kubectl(args: readonly string[], input?: string): Promise<string> {
  const info = controlPlane();
  const run = await execa(join(info.bin, 'kubectl'), ['--kubeconfig', info.kubeconfig, '--context', 'admin', ...args], { input, reject: false, all: true });
  if (run.exitCode !== 0) throw new Error(`kubectl ${args.join(' ')} failed (${run.exitCode}):\n${run.all}`);
  return run.stdout;
}

export async function getJson<T = Record<string, any>>(kind: string, name: string, namespace: string): Promise<T> {
  return JSON.parse(await kubectl(['get', kind, name, '-n', namespace, '-o', 'json'])) as T;
}

export interface EppOptions {
  readonly image?: string;
  readonly eppConfig?: string;
  /** New pods cannot be scheduled while the old one runs (required anti-affinity on one node). */
  readonly blockedRollout?: boolean;
  /** The operator leaves this SchedulerInstall alone. */
  readonly operatorPaused?: boolean;
  /** The pod runs on the node whose kubelet cannot be reached. */
  readonly onUnreachableNode?: boolean;
}

/** A fresh namespace with the EPP in it, rolled out; removed when the test ends. */
export async function createEpp(options: EppOptions = {}, namespace = `epp-${randomBytes(3).toString('hex')}`): Promise<string> {
  const image = options.image ?? STANDARD;
  const info = controlPlane();
  await kubectl(['create', 'namespace', namespace]);
  onTestFinished(async () => {
    await kubectl(['delete', 'namespace', namespace, '--wait=false']);
  });
  const install = JSON.parse(
    await kubectl(['create', '-o', 'json', '-f', '-'], JSON.stringify({
      apiVersion: 'llm-d.ai/v1alpha1',
      kind: 'SchedulerInstall',
      metadata: { name: INSTALL, namespace, annotations: options.operatorPaused ? { 'instrument-test/operator': 'paused' } : {} },
      spec: { epp: { image } },
    })),
  ) as { metadata: { uid: string } };
  const labels = { app: 'epp', 'instrument-test/namespace': namespace };
  const podSpec: Record<string, unknown> = {
    containers: [{ name: 'epp', image, imagePullPolicy: 'IfNotPresent', volumeMounts: [{ name: 'config', mountPath: '/config' }] }],
    volumes: [{ name: 'config', configMap: { name: CONFIG_MAP } }],
    terminationGracePeriodSeconds: 0,
  };
  if (options.blockedRollout) {
    podSpec.affinity = { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: labels }, topologyKey: 'kubernetes.io/hostname' }] } };
  }
  if (options.onUnreachableNode) {
    podSpec.nodeSelector = { 'kubernetes.io/hostname': info.unreachableNode };
    podSpec.tolerations = [{ key: 'instrument-test/unreachable', operator: 'Exists', effect: 'NoSchedule' }];
  } else {
    podSpec.nodeSelector = { 'kubernetes.io/hostname': 'kwok-node' };
  }
  await kubectl(['apply', '-f', '-'], JSON.stringify({
    apiVersion: 'v1',
    kind: 'List',
    items: [
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: CONFIG_MAP, namespace }, data: { 'epp-config.yaml': options.eppConfig ?? EPP_CONFIG } },
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: {
          name: DEPLOYMENT,
          namespace,
          ownerReferences: [{ apiVersion: 'llm-d.ai/v1alpha1', kind: 'SchedulerInstall', name: INSTALL, uid: install.metadata.uid, controller: true }],
        },
        spec: {
          replicas: 1,
          selector: { matchLabels: labels },
          strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
          template: { metadata: { labels }, spec: podSpec },
        },
      },
    ],
  }));
  await kubectl(['rollout', 'status', `deployment/${DEPLOYMENT}`, '-n', namespace, '--timeout=90s']);
  return namespace;
}

/** The EPP's pods now (not being deleted), with the image and restartedAt annotation of each. */
export async function eppPods(namespace: string): Promise<Array<{ name: string; image: string; restartedAt: string | undefined; ready: boolean }>> {
  const list = JSON.parse(await kubectl(['get', 'pods', '-n', namespace, '-l', 'app=epp', '-o', 'json'])) as { items: any[] };
  return list.items
    .filter((p) => p.metadata.deletionTimestamp === undefined)
    .map((p) => ({
      name: p.metadata.name,
      image: p.spec.containers[0].image,
      restartedAt: p.metadata.annotations?.[RESTARTED_AT],
      ready: (p.status.conditions ?? []).some((c: any) => c.type === 'Ready' && c.status === 'True'),
    }));
}

export function deploymentImage(deployment: any): string | undefined {
  return deployment?.spec?.template?.spec?.containers?.[0]?.image;
}
