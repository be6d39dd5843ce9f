import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { onTestFinished } from 'vitest';
import { defaultState } from '../stand-ins/lib/cluster.mjs';
import { REPO } from './fixtures.ts';

/**
 * A pretend machine for the cluster commands: stand-in kubectl, kind, minikube, docker and podman
 * (test/stand-ins, described in its README.md) read and change one state file and record every call.
 */

export const STAND_INS = join(REPO, 'test', 'stand-ins');

/** A Kubernetes object as `kubectl get -o json` prints it. */
export type KubeObject = { [key: string]: unknown };

export type Reconcile = 'immediately' | 'never' | { afterGets: number };

/** Everything the stand-ins know; see test/stand-ins/README.md for what each field drives. */
export interface FakeClusterState {
  /** `kubectl config current-context`; null when none is set. */
  context: string | null;
  /** kind clusters by name, with their node (container) names. */
  kindClusters: Record<string, { nodes: string[] }>;
  minikubeProfiles: string[];
  /** Images the container runtime has, by reference (`epp:dev`). */
  localImages: Record<string, { id: string }>;
  /** Images on each kind node, as loaded (filled by `kind load`). */
  nodeImages: Record<string, string[]>;
  /** Images in each minikube profile, fully qualified (filled by `minikube image load`). */
  minikubeImages: Record<string, string[]>;
  /**
   * `<kind>/<namespace>/<name>` → object, kind one of deployment, schedulerinstall, configmap, pod;
   * `logs/<namespace>/<deployment>` → the text `kubectl logs` prints.
   */
  resources: Record<string, KubeObject | string>;
  /** Resource types beyond the built-in ones, e.g. ['schedulerinstall']. */
  crds: string[];
  /** When the SchedulerInstall operator copies spec.epp.image into its Deployment; `pending` is the stand-ins' own bookkeeping. */
  operator: { reconcile: Reconcile; pending?: Array<{ deployment: string; image: string; getsLeft: number }> };
  /** What `kubectl rollout status` does. */
  rollout: 'complete' | 'timeout' | 'progress-deadline';
  /** Kubernetes verbs (get, list, patch) that fail with Forbidden. */
  forbidden: string[];
  /** Every kubectl call that needs the API server fails with connection refused. */
  unreachable: boolean;
  /** Forced failures, keyed by the tool and its first words ("kind load", "kubectl rollout status"). */
  failures: Record<string, { stderr: string; exitCode: number }>;
}

export interface FakeCluster {
  /** $FAKE_CLUSTER_DIR: state.json and calls.jsonl. */
  readonly dir: string;
  /** PATH with the stand-ins first, and FAKE_CLUSTER_DIR: pass it to whatever runs the tools. */
  readonly env: Record<string, string>;
  /** The state as it is now on disk (the stand-ins change it). */
  state(): FakeClusterState;
  /** The argv of every call so far, in order, tool name first. */
  calls(): string[][];
  /** Replaces the given top-level fields of the state. */
  setState(patch: Partial<FakeClusterState>): void;
}

/** An empty machine: no context, clusters, images or resources; rollouts complete, the operator reconciles at once. */
export function emptyClusterState(): FakeClusterState {
  return defaultState();
}

/**
 * A fake cluster in `dir` (by default a temporary folder removed when the test ends). Fields left
 * out of `state` take their value from emptyClusterState().
 */
export function createFakeCluster(state: Partial<FakeClusterState> = {}, dir?: string): FakeCluster {
  let clusterDir: string;
  if (dir === undefined) {
    clusterDir = mkdtempSync(join(tmpdir(), 'instrument-cluster-'));
    onTestFinished(() => rmSync(clusterDir, { recursive: true, force: true }));
  } else {
    clusterDir = dir;
    mkdirSync(clusterDir, { recursive: true });
  }
  const stateFile = join(clusterDir, 'state.json');
  const callsFile = join(clusterDir, 'calls.jsonl');

  // Same write-then-rename as the stand-ins, so they never read half a file.
  const write = (next: FakeClusterState) => {
    const temp = `${stateFile}.${process.pid}.tmp`;
    writeFileSync(temp, JSON.stringify(next, null, 2) + '\n');
    renameSync(temp, stateFile);
  };
  const read = (): FakeClusterState => JSON.parse(readFileSync(stateFile, 'utf8')) as FakeClusterState;

  write({ ...emptyClusterState(), ...state });
  writeFileSync(callsFile, '');

  return {
    dir: clusterDir,
    env: { PATH: [STAND_INS, process.env.PATH ?? ''].join(delimiter), FAKE_CLUSTER_DIR: clusterDir },
    state: read,
    calls: () =>
      existsSync(callsFile)
        ? readFileSync(callsFile, 'utf8')
            .split('\n')
            .filter((line) => line !== '')
            .map((line) => (JSON.parse(line) as { argv: string[] }).argv)
        : [],
    setState: (patch) => write({ ...read(), ...patch }),
  };
}

// Objects shaped like the real ones, for `resources`.

/** The image of the first container of a Deployment, as the operator and `instrument deploy` set it. */
export function deploymentImage(deployment: KubeObject | string | undefined): string | undefined {
  const spec = (deployment as { spec?: { template?: { spec?: { containers?: Array<{ image?: string }> } } } } | undefined)?.spec;
  return spec?.template?.spec?.containers?.[0]?.image;
}

export function fakeDeployment(options: {
  namespace: string;
  name: string;
  image: string;
  container?: string;
  labels?: Record<string, string>;
  /** The SchedulerInstall that owns it, so the operator copies that one's image here. */
  ownedBy?: string;
}): KubeObject {
  const labels = options.labels ?? { app: options.name };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: options.name,
      namespace: options.namespace,
      labels,
      generation: 1,
      ...(options.ownedBy === undefined
        ? {}
        : {
            ownerReferences: [
              { apiVersion: 'llm-d.ai/v1alpha1', kind: 'SchedulerInstall', name: options.ownedBy, uid: `uid-${options.ownedBy}`, controller: true },
            ],
          }),
    },
    spec: {
      replicas: 1,
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: { containers: [{ name: options.container ?? 'epp', image: options.image }] },
      },
    },
  };
}

export function fakeSchedulerInstall(options: { namespace: string; name: string; image: string }): KubeObject {
  return {
    apiVersion: 'llm-d.ai/v1alpha1',
    kind: 'SchedulerInstall',
    metadata: { name: options.name, namespace: options.namespace, generation: 1 },
    spec: { epp: { image: options.image } },
  };
}

export function fakePod(options: { namespace: string; name: string; image: string; labels: Record<string, string>; container?: string }): KubeObject {
  const container = options.container ?? 'epp';
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: options.name, namespace: options.namespace, labels: options.labels },
    spec: { containers: [{ name: container, image: options.image }] },
    status: { phase: 'Running', containerStatuses: [{ name: container, image: options.image, ready: true }] },
  };
}
