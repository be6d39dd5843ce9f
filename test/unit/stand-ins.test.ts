import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import {
  createFakeCluster,
  deploymentImage,
  emptyClusterState,
  fakeDeployment,
  fakePod,
  fakeSchedulerInstall,
  type FakeCluster,
  type FakeClusterState,
} from '../helpers/fake-cluster.ts';
import { tempDir } from '../helpers/fixtures.ts';

/** Runs a stand-in the way instrument runs tools: an argument array, the cluster's env. */
async function run(cluster: FakeCluster, ...argv: string[]): Promise<{ stdout: string; stderr: string; exitCode: number }> {
  const result = await execa(argv[0]!, argv.slice(1), { env: cluster.env, reject: false, cwd: cluster.dir });
  return { stdout: result.stdout, stderr: result.stderr, exitCode: result.exitCode ?? -1 };
}

const NS = 'llm-d';
const KIND: Partial<FakeClusterState> = {
  context: 'kind-kind',
  kindClusters: { kind: { nodes: ['kind-control-plane', 'kind-worker'] } },
  localImages: { 'epp:dev': { id: 'sha256:1111' } },
};

/** A cluster with the EPP Deployment owned by a SchedulerInstall, one pod and some logs. */
function llmd(extra: Partial<FakeClusterState> = {}): FakeCluster {
  return createFakeCluster({
    ...KIND,
    crds: ['schedulerinstall'],
    resources: {
      [`deployment/${NS}/epp`]: fakeDeployment({ namespace: NS, name: 'epp', image: 'epp:old', ownedBy: 'gaie' }),
      [`schedulerinstall/${NS}/gaie`]: fakeSchedulerInstall({ namespace: NS, name: 'gaie', image: 'epp:old' }),
      [`configmap/${NS}/cfg`]: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg', namespace: NS }, data: { a: '1' } },
      [`pod/${NS}/epp-1`]: fakePod({ namespace: NS, name: 'epp-1', image: 'epp:old', labels: { app: 'epp', tier: 'x' } }),
      [`pod/${NS}/other`]: fakePod({ namespace: NS, name: 'other', image: 'o', labels: { app: 'other' } }),
      [`pod/elsewhere/epp-2`]: fakePod({ namespace: 'elsewhere', name: 'epp-2', image: 'epp:old', labels: { app: 'epp' } }),
      [`logs/${NS}/epp`]: 'line one\nline two\n',
    },
    ...extra,
  });
}

describe('the fake cluster helper', () => {
  it('fills the state, records every call first and re-reads the state', async () => {
    const cluster = createFakeCluster({ context: 'minikube' });
    expect(cluster.state()).toEqual({ ...emptyClusterState(), context: 'minikube' });
    expect(cluster.env.PATH!.split(':')[0]).toMatch(/test\/stand-ins$/);
    expect(cluster.env.FAKE_CLUSTER_DIR).toBe(cluster.dir);
    await run(cluster, 'kubectl', 'config', 'current-context');
    await run(cluster, 'kind', 'no-such-verb', 'with space');
    expect(cluster.calls()).toEqual([
      ['kubectl', 'config', 'current-context'],
      ['kind', 'no-such-verb', 'with space'],
    ]);
    cluster.setState({ context: null });
    expect(cluster.state().context).toBeNull();
    expect(cluster.state().rollout).toBe('complete');
  });

  it('uses a given folder and leaves no temporary files behind', async () => {
    const dir = join(tempDir(), 'cluster');
    const cluster = createFakeCluster(KIND, dir);
    expect(cluster.dir).toBe(dir);
    await run(cluster, 'kind', 'load', 'docker-image', 'epp:dev', '--name', 'kind');
    expect(existsSync(join(dir, 'state.json'))).toBe(true);
    expect(readFileSync(join(dir, 'calls.jsonl'), 'utf8')).toBe('{"argv":["kind","load","docker-image","epp:dev","--name","kind"]}\n');
    expect(cluster.state().nodeImages).toEqual({ 'kind-control-plane': ['epp:dev'], 'kind-worker': ['epp:dev'] });
    expect(existsSync(join(dir, 'state.lock'))).toBe(false);
  });

  it('keeps every update when calls run at the same time', async () => {
    const cluster = createFakeCluster({ minikubeProfiles: ['minikube'], localImages: { a: { id: '1' }, b: { id: '2' }, c: { id: '3' }, d: { id: '4' } } });
    await Promise.all(['a', 'b', 'c', 'd'].map((i) => run(cluster, 'minikube', 'image', 'load', i, '-p', 'minikube')));
    expect(cluster.state().minikubeImages['minikube']!.sort()).toEqual(['a', 'b', 'c', 'd'].map((i) => `docker.io/library/${i}:latest`));
    expect(cluster.calls()).toHaveLength(4);
  });
});

describe('kubectl', () => {
  it('prints the current context, or fails when none is set', async () => {
    const cluster = createFakeCluster({ context: 'gke_x' });
    expect(await run(cluster, 'kubectl', 'config', 'current-context')).toEqual({ stdout: 'gke_x', stderr: '', exitCode: 0 });
    cluster.setState({ context: null });
    expect(await run(cluster, 'kubectl', 'config', 'current-context')).toEqual({ stdout: '', stderr: 'error: current-context is not set', exitCode: 1 });
    cluster.setState({ context: 'kind-kind', unreachable: true });
    expect((await run(cluster, 'kubectl', 'config', 'current-context')).stdout).toBe('kind-kind');
  });

  it('gets objects as JSON, and says NotFound with the API group of each kind', async () => {
    const cluster = llmd();
    const got = await run(cluster, 'kubectl', 'get', 'deployment', 'epp', '-n', NS, '-o', 'json');
    expect(got.exitCode).toBe(0);
    expect(JSON.parse(got.stdout)).toEqual(cluster.state().resources[`deployment/${NS}/epp`]);
    expect(got.stdout).toContain('\n  "apiVersion"');
    expect(JSON.parse((await run(cluster, 'kubectl', 'get', 'configmap', 'cfg', '-n', NS, '-o', 'json')).stdout).data).toEqual({ a: '1' });
    expect(JSON.parse((await run(cluster, 'kubectl', 'get', 'schedulerinstall', 'gaie', '-n', NS, '-o', 'json')).stdout).spec.epp.image).toBe('epp:old');

    const missing = { deployment: 'deployments.apps', configmap: 'configmaps', schedulerinstall: 'schedulerinstalls.llm-d.ai' };
    for (const [kind, plural] of Object.entries(missing)) {
      expect(await run(cluster, 'kubectl', 'get', kind, 'nope', '-n', NS, '-o', 'json')).toEqual({
        stdout: '',
        stderr: `Error from server (NotFound): ${plural} "nope" not found`,
        exitCode: 1,
      });
    }
  });

  it('does not know schedulerinstall without its CRD', async () => {
    const cluster = llmd({ crds: [] });
    for (const argv of [
      ['get', 'schedulerinstall', 'gaie', '-n', NS, '-o', 'json'],
      ['patch', 'schedulerinstall', 'gaie', '-n', NS, '--type', 'merge', '-p', '{}'],
    ]) {
      expect(await run(cluster, 'kubectl', ...argv)).toEqual({ stdout: '', stderr: 'error: the server doesn\'t have a resource type "schedulerinstall"', exitCode: 1 });
    }
  });

  it('lists the pods of a namespace that match an equality selector', async () => {
    const cluster = llmd();
    const list = async (selector: string) => {
      const result = await run(cluster, 'kubectl', 'get', 'pods', '-n', NS, '-l', selector, '-o', 'json');
      expect(result.exitCode).toBe(0);
      const parsed = JSON.parse(result.stdout) as { apiVersion: string; kind: string; items: Array<{ metadata: { name: string } }> };
      expect([parsed.apiVersion, parsed.kind]).toEqual(['v1', 'List']);
      return parsed.items.map((p) => p.metadata.name);
    };
    expect(await list('app=epp')).toEqual(['epp-1']);
    expect(await list('app=epp,tier=x')).toEqual(['epp-1']);
    expect(await list('app=epp,tier=y')).toEqual([]);
    expect(await list('app=nothing')).toEqual([]);
    expect((await run(cluster, 'kubectl', 'get', 'pods', '-n', NS, '-l', 'app in (epp)', '-o', 'json')).exitCode).toBe(64);
  });

  it('merge-patches a SchedulerInstall, null deleting, and the operator copies the image at once', async () => {
    const cluster = llmd();
    const patched = await run(cluster, 'kubectl', 'patch', 'schedulerinstall', 'gaie', '-n', NS, '--type', 'merge', '-p', '{"spec":{"epp":{"image":"epp:dev","extra":1}},"metadata":{"generation":null}}');
    expect(patched).toEqual({ stdout: 'schedulerinstall.llm-d.ai/gaie patched', stderr: '', exitCode: 0 });
    const state = cluster.state();
    expect(state.resources[`schedulerinstall/${NS}/gaie`]).toEqual({
      apiVersion: 'llm-d.ai/v1alpha1',
      kind: 'SchedulerInstall',
      metadata: { name: 'gaie', namespace: NS },
      spec: { epp: { image: 'epp:dev', extra: 1 } },
    });
    expect(deploymentImage(state.resources[`deployment/${NS}/epp`])).toBe('epp:dev');
    expect((await run(cluster, 'kubectl', 'patch', 'schedulerinstall', 'gaie', '-n', NS, '--type', 'merge', '-p', '{"spec":{"epp":{"image":"epp:dev"}}}')).stdout).toBe(
      'schedulerinstall.llm-d.ai/gaie patched (no change)',
    );
  });

  it('lets the operator copy the image only after some reads of the Deployment, or never', async () => {
    const cluster = llmd({ operator: { reconcile: { afterGets: 2 } } });
    await run(cluster, 'kubectl', 'patch', 'schedulerinstall', 'gaie', '-n', NS, '--type', 'merge', '-p', '{"spec":{"epp":{"image":"epp:dev"}}}');
    const image = async () => deploymentImage(JSON.parse((await run(cluster, 'kubectl', 'get', 'deployment', 'epp', '-n', NS, '-o', 'json')).stdout));
    expect(await image()).toBe('epp:old');
    expect(await image()).toBe('epp:old');
    expect(await image()).toBe('epp:dev');
    expect(cluster.state().operator.pending).toEqual([]);

    const never = llmd({ operator: { reconcile: 'never' } });
    await run(never, 'kubectl', 'patch', 'schedulerinstall', 'gaie', '-n', NS, '--type', 'merge', '-p', '{"spec":{"epp":{"image":"epp:dev"}}}');
    for (let i = 0; i < 3; i++) await run(never, 'kubectl', 'get', 'deployment', 'epp', '-n', NS, '-o', 'json');
    expect(deploymentImage(never.state().resources[`deployment/${NS}/epp`])).toBe('epp:old');
  });

  it('strategic-patches a Deployment, merging containers by name', async () => {
    const cluster = llmd();
    const deployment = fakeDeployment({ namespace: NS, name: 'epp', image: 'epp:old' });
    (deployment as { spec: { template: { spec: { containers: unknown[] } } } }).spec.template.spec.containers.push({ name: 'sidecar', image: 's:1' });
    cluster.setState({ resources: { [`deployment/${NS}/epp`]: deployment } });
    const patch = { spec: { template: { spec: { containers: [{ name: 'epp', image: 'epp:dev' }, { name: 'new', image: 'n:1' }] }, metadata: { annotations: { a: 'b' } } } } };
    expect(await run(cluster, 'kubectl', 'patch', 'deployment', 'epp', '-n', NS, '--type', 'strategic', '-p', JSON.stringify(patch))).toEqual({
      stdout: 'deployment.apps/epp patched',
      stderr: '',
      exitCode: 0,
    });
    const template = (cluster.state().resources[`deployment/${NS}/epp`] as { spec: { template: { metadata: unknown; spec: { containers: unknown[] } } } }).spec.template;
    expect(template.spec.containers).toEqual([
      { name: 'epp', image: 'epp:dev' },
      { name: 'sidecar', image: 's:1' },
      { name: 'new', image: 'n:1' },
    ]);
    expect(template.metadata).toEqual({ labels: { app: 'epp' }, annotations: { a: 'b' } });

    const unnamed = await run(cluster, 'kubectl', 'patch', 'deployment', 'epp', '-n', NS, '--type', 'strategic', '-p', '{"spec":{"template":{"spec":{"containers":[{"image":"x"}]}}}}');
    expect(unnamed.exitCode).toBe(1);
    expect(unnamed.stderr).toContain('does not contain declared merge key: name');
    expect((await run(cluster, 'kubectl', 'patch', 'deployment', 'nope', '-n', NS, '--type', 'strategic', '-p', '{}')).stderr).toBe(
      'Error from server (NotFound): deployments.apps "nope" not found',
    );
    expect((await run(cluster, 'kubectl', 'patch', 'schedulerinstall', 'gaie', '-n', NS, '--type', 'strategic', '-p', '{}')).stderr).toContain('(UnsupportedMediaType)');
  });

  it('reports each rollout outcome', async () => {
    const cluster = llmd();
    const status = () => run(cluster, 'kubectl', 'rollout', 'status', 'deployment/epp', '-n', NS, '--timeout=120s');
    expect(await status()).toEqual({ stdout: 'deployment "epp" successfully rolled out', stderr: '', exitCode: 0 });
    cluster.setState({ rollout: 'timeout' });
    expect(await status()).toEqual({
      stdout: 'Waiting for deployment "epp" rollout to finish: 0 of 1 updated replicas are available...',
      stderr: 'error: timed out waiting for the condition',
      exitCode: 1,
    });
    cluster.setState({ rollout: 'progress-deadline' });
    expect(await status()).toEqual({ stdout: '', stderr: 'error: deployment "epp" exceeded its progress deadline', exitCode: 1 });
    expect((await run(cluster, 'kubectl', 'rollout', 'status', 'deployment/nope', '-n', NS, '--timeout=120s')).stderr).toBe(
      'Error from server (NotFound): deployments.apps "nope" not found',
    );
  });

  it('prints the logs of a Deployment, followed or not', async () => {
    const cluster = llmd();
    expect(await run(cluster, 'kubectl', 'logs', '-n', NS, 'deploy/epp', '--since=10m')).toEqual({ stdout: 'line one\nline two', stderr: '', exitCode: 0 });
    expect((await run(cluster, 'kubectl', 'logs', '-f', '-n', NS, 'deploy/epp', '--since=1h30m')).stdout).toBe('line one\nline two');
    expect((await run(cluster, 'kubectl', 'logs', '-n', NS, 'deploy/epp', '--since=10m', '-f')).exitCode).toBe(0);
    expect(await run(cluster, 'kubectl', 'logs', '-n', NS, 'deploy/nope', '--since=10m')).toEqual({
      stdout: '',
      stderr: 'Error from server (NotFound): deployments.apps "nope" not found',
      exitCode: 1,
    });
  });

  it('refuses Forbidden verbs with the API server message', async () => {
    const cluster = llmd({ forbidden: ['patch', 'list'] });
    expect((await run(cluster, 'kubectl', 'patch', 'schedulerinstall', 'gaie', '-n', NS, '--type', 'merge', '-p', '{}')).stderr).toBe(
      'Error from server (Forbidden): schedulerinstalls.llm-d.ai "gaie" is forbidden: User "developer" cannot patch resource "schedulerinstalls" in API group "llm-d.ai" in the namespace "llm-d"',
    );
    expect((await run(cluster, 'kubectl', 'patch', 'deployment', 'epp', '-n', NS, '--type', 'strategic', '-p', '{}')).stderr).toBe(
      'Error from server (Forbidden): deployments.apps "epp" is forbidden: User "developer" cannot patch resource "deployments" in API group "apps" in the namespace "llm-d"',
    );
    expect((await run(cluster, 'kubectl', 'get', 'pods', '-n', NS, '-l', 'app=epp', '-o', 'json')).stderr).toBe(
      'Error from server (Forbidden): pods is forbidden: User "developer" cannot list resource "pods" in API group "" in the namespace "llm-d"',
    );
    expect((await run(cluster, 'kubectl', 'get', 'deployment', 'epp', '-n', NS, '-o', 'json')).exitCode).toBe(0);
    expect(deploymentImage(cluster.state().resources[`deployment/${NS}/epp`])).toBe('epp:old');
  });

  it('fails every server call like a dead API server when unreachable', async () => {
    const cluster = llmd({ unreachable: true });
    const refused = { stdout: '', stderr: 'The connection to the server 127.0.0.1:6443 was refused - did you specify the right host or port?', exitCode: 1 };
    expect(await run(cluster, 'kubectl', 'get', 'deployment', 'epp', '-n', NS, '-o', 'json')).toEqual(refused);
    expect(await run(cluster, 'kubectl', 'get', 'pods', '-n', NS, '-l', 'app=epp', '-o', 'json')).toEqual(refused);
    expect(await run(cluster, 'kubectl', 'patch', 'deployment', 'epp', '-n', NS, '--type', 'strategic', '-p', '{}')).toEqual(refused);
    expect(await run(cluster, 'kubectl', 'rollout', 'status', 'deployment/epp', '-n', NS, '--timeout=5s')).toEqual(refused);
    expect(await run(cluster, 'kubectl', 'logs', '-n', NS, 'deploy/epp', '--since=1m')).toEqual(refused);
  });

  it('rejects invocations it does not know, including flags in another order', async () => {
    const cluster = llmd();
    const other = await run(cluster, 'kubectl', 'get', 'deployment', 'epp', '-o', 'json', '-n', NS);
    expect(other).toEqual({ stdout: '', stderr: `stand-in kubectl: unsupported invocation: ["kubectl","get","deployment","epp","-o","json","-n","${NS}"]`, exitCode: 64 });
    expect((await run(cluster, 'kubectl', 'patch', 'deployment', 'epp', '-n', NS, '--type', 'json', '-p', '[]')).exitCode).toBe(64);
    expect((await run(cluster, 'kubectl', 'rollout', 'status', 'deployment/epp', '-n', NS, '--timeout=2m')).exitCode).toBe(64);
  });
});

describe('kind', () => {
  it('lists clusters and nodes', async () => {
    const cluster = createFakeCluster(KIND);
    expect(await run(cluster, 'kind', 'get', 'clusters')).toEqual({ stdout: 'kind', stderr: '', exitCode: 0 });
    expect(await run(cluster, 'kind', 'get', 'nodes', '--name', 'kind')).toEqual({ stdout: 'kind-control-plane\nkind-worker', stderr: '', exitCode: 0 });
    expect(await run(cluster, 'kind', 'get', 'nodes', '--name', 'other')).toEqual({ stdout: '', stderr: 'No kind nodes found for cluster "other".', exitCode: 0 });
    cluster.setState({ kindClusters: {} });
    expect(await run(cluster, 'kind', 'get', 'clusters')).toEqual({ stdout: '', stderr: 'No kind clusters found.', exitCode: 0 });
  });

  it('loads a local image onto every node that lacks it', async () => {
    const cluster = createFakeCluster({ ...KIND, nodeImages: { 'kind-worker': ['docker.io/library/epp:dev'] } });
    expect(await run(cluster, 'kind', 'load', 'docker-image', 'epp:dev', '--name', 'kind')).toEqual({
      stdout: '',
      stderr: 'Image: "epp:dev" with ID "sha256:1111" not yet present on node "kind-control-plane", loading...',
      exitCode: 0,
    });
    expect(cluster.state().nodeImages).toEqual({ 'kind-control-plane': ['epp:dev'], 'kind-worker': ['docker.io/library/epp:dev'] });
    expect((await run(cluster, 'kind', 'load', 'docker-image', 'epp:dev', '--name', 'kind')).stderr).toBe(
      'Image: "epp:dev" with ID "sha256:1111" found to be already present on all nodes.',
    );
  });

  it('fails to load an image that is not local, or onto an unknown cluster', async () => {
    const cluster = createFakeCluster(KIND);
    expect(await run(cluster, 'kind', 'load', 'docker-image', 'epp:nope', '--name', 'kind')).toEqual({
      stdout: '',
      stderr: 'ERROR: image: "epp:nope" not present locally',
      exitCode: 1,
    });
    expect(await run(cluster, 'kind', 'load', 'docker-image', 'epp:dev', '--name', 'other')).toEqual({
      stdout: '',
      stderr: 'ERROR: no nodes found for cluster "other"',
      exitCode: 1,
    });
    expect(cluster.state().nodeImages).toEqual({});
  });

  it('loads an archive written by podman save', async () => {
    const cluster = createFakeCluster(KIND);
    const tar = join(cluster.dir, 'epp.tar');
    expect(await run(cluster, 'podman', 'save', '-o', tar, 'epp:dev')).toEqual({ stdout: '', stderr: '', exitCode: 0 });
    expect(readFileSync(tar, 'utf8')).toBe('epp:dev\n');
    expect(await run(cluster, 'kind', 'load', 'image-archive', tar, '--name', 'kind')).toEqual({ stdout: '', stderr: '', exitCode: 0 });
    expect(cluster.state().nodeImages).toEqual({ 'kind-control-plane': ['epp:dev'], 'kind-worker': ['epp:dev'] });
    expect(await run(cluster, 'kind', 'load', 'image-archive', 'missing.tar', '--name', 'kind')).toEqual({
      stdout: '',
      stderr: 'ERROR: stat missing.tar: no such file or directory',
      exitCode: 1,
    });
    expect((await run(cluster, 'kind', 'load', 'image-archive', tar, '--name', 'other')).stderr).toBe('ERROR: no nodes found for cluster "other"');
    expect((await run(cluster, 'podman', 'save', '-o', tar, 'epp:nope')).stderr).toBe('Error: epp:nope: image not known');
  });
});

describe('docker and podman', () => {
  it('inspect local images', async () => {
    const cluster = createFakeCluster(KIND);
    for (const tool of ['docker', 'podman']) {
      const found = await run(cluster, tool, 'image', 'inspect', 'epp:dev');
      expect(found.exitCode).toBe(0);
      expect(JSON.parse(found.stdout)).toEqual([{ Id: 'sha256:1111', RepoTags: ['epp:dev'] }]);
    }
    expect(await run(cluster, 'docker', 'image', 'inspect', 'epp:nope')).toEqual({ stdout: '', stderr: 'Error: No such image: epp:nope', exitCode: 1 });
    expect(await run(cluster, 'podman', 'image', 'inspect', 'epp:nope')).toEqual({ stdout: '', stderr: 'Error: epp:nope: image not known', exitCode: 1 });
  });

  it('answer crictl inspecti inside kind nodes', async () => {
    const cluster = createFakeCluster({ ...KIND, nodeImages: { 'kind-control-plane': ['epp:dev'], 'kind-worker': ['docker.io/library/epp:dev'] } });
    for (const [node, image] of [
      ['kind-control-plane', 'epp:dev'],
      ['kind-control-plane', 'docker.io/library/epp:dev'],
      ['kind-worker', 'epp:dev'],
    ] as const) {
      const found = await run(cluster, 'docker', 'exec', node, 'crictl', 'inspecti', image);
      expect(found.exitCode).toBe(0);
      expect(JSON.parse(found.stdout)).toEqual({ status: { id: 'sha256:1111', repoTags: ['docker.io/library/epp:dev'] } });
    }
    expect(await run(cluster, 'docker', 'exec', 'kind-worker', 'crictl', 'inspecti', 'epp:other')).toEqual({
      stdout: '',
      stderr: 'FATA[0000] no such image "epp:other" present',
      exitCode: 1,
    });
    expect(await run(cluster, 'docker', 'exec', 'nowhere', 'crictl', 'inspecti', 'epp:dev')).toEqual({
      stdout: '',
      stderr: 'Error response from daemon: No such container: nowhere',
      exitCode: 1,
    });
  });
});

describe('minikube', () => {
  it('loads images into a profile and lists them', async () => {
    const cluster = createFakeCluster({
      context: 'minikube',
      minikubeProfiles: ['minikube'],
      localImages: { 'epp:dev': { id: 'sha256:1' }, 'ghcr.io/me/epp:dev': { id: 'sha256:2' } },
    });
    expect(await run(cluster, 'minikube', 'image', 'load', 'epp:dev', '-p', 'minikube')).toEqual({ stdout: '', stderr: '', exitCode: 0 });
    await run(cluster, 'minikube', 'image', 'load', 'ghcr.io/me/epp:dev', '-p', 'minikube');
    await run(cluster, 'minikube', 'image', 'load', 'epp:dev', '-p', 'minikube');
    expect(cluster.state().minikubeImages).toEqual({ minikube: ['docker.io/library/epp:dev', 'ghcr.io/me/epp:dev'] });
    expect(await run(cluster, 'minikube', 'image', 'ls', '-p', 'minikube')).toEqual({ stdout: 'docker.io/library/epp:dev\nghcr.io/me/epp:dev', stderr: '', exitCode: 0 });
    expect((await run(cluster, 'minikube', 'image', 'load', 'epp:nope', '-p', 'minikube')).exitCode).toBe(80);
  });

  it('says an unknown profile is not found, exit 85', async () => {
    const cluster = createFakeCluster({ minikubeProfiles: ['minikube'], localImages: { 'epp:dev': { id: 'sha256:1' } } });
    const notFound = { stdout: '', stderr: '🤷  Profile "dev" not found. Run "minikube profile list" to view all profiles.', exitCode: 85 };
    expect(await run(cluster, 'minikube', 'image', 'load', 'epp:dev', '-p', 'dev')).toEqual(notFound);
    expect(await run(cluster, 'minikube', 'image', 'ls', '-p', 'dev')).toEqual(notFound);
  });
});

describe('forced failures', () => {
  it('win over everything for the calls they match, the longest key first', async () => {
    const cluster = createFakeCluster({
      ...KIND,
      failures: {
        'kind load': { stderr: 'ERROR: failed to load image: boom', exitCode: 1 },
        'kind load image-archive': { stderr: 'archive boom', exitCode: 3 },
        'minikube image load': { stderr: 'X Exiting due to GUEST_IMAGE_LOAD', exitCode: 80 },
      },
    });
    expect(await run(cluster, 'kind', 'load', 'docker-image', 'epp:dev', '--name', 'kind')).toEqual({ stdout: '', stderr: 'ERROR: failed to load image: boom', exitCode: 1 });
    expect((await run(cluster, 'kind', 'load', 'image-archive', 'x.tar', '--name', 'kind')).exitCode).toBe(3);
    expect((await run(cluster, 'minikube', 'image', 'load', 'epp:dev', '-p', 'nope')).exitCode).toBe(80);
    expect((await run(cluster, 'kind', 'get', 'clusters')).exitCode).toBe(0);
    expect(cluster.state().nodeImages).toEqual({});
    expect(cluster.calls().map((argv) => argv.slice(0, 2))).toEqual([
      ['kind', 'load'],
      ['kind', 'load'],
      ['minikube', 'image'],
      ['kind', 'get'],
    ]);
  });
});

describe('the stand-ins themselves', () => {
  it('refuse to run without FAKE_CLUSTER_DIR', async () => {
    const cluster = createFakeCluster();
    const result = await execa('kubectl', ['config', 'current-context'], { env: { PATH: cluster.env.PATH! }, extendEnv: false, reject: false });
    expect(result.exitCode).toBe(64);
    expect(result.stderr).toContain('FAKE_CLUSTER_DIR is not set');
  });

  it('read a hand-written state file with fields left out', async () => {
    const cluster = createFakeCluster();
    writeFileSync(join(cluster.dir, 'state.json'), '{"context":"kind-kind"}');
    expect((await run(cluster, 'kubectl', 'config', 'current-context')).stdout).toBe('kind-kind');
    expect((await run(cluster, 'kind', 'get', 'clusters')).stderr).toBe('No kind clusters found.');
  });
});
