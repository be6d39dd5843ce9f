import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli.ts';
import { createFakeCluster, type FakeClusterState } from '../helpers/fake-cluster.ts';
import { tempDir } from '../helpers/fixtures.ts';

const LOCAL = 'llm-d-inference-scheduler:local';

// `load` talks to kind and minikube, which cannot run here: stand-ins (test/stand-ins) answer for
// them, and for the `kubectl config current-context` that picks one. Everything else kubectl does
// is tested against a real API server (test/cluster/).
function cluster(overrides: Partial<FakeClusterState> = {}) {
  return createFakeCluster({
    context: 'kind-kind',
    kindClusters: { kind: { nodes: ['kind-control-plane', 'kind-worker'] } },
    minikubeProfiles: ['minikube'],
    localImages: { [LOCAL]: { id: 'sha256:' + 'a'.repeat(64) } },
    ...overrides,
  });
}

async function run(fake: ReturnType<typeof cluster>, args: string[], cwd = tempDir()) {
  return cli(args, { cwd, env: fake.env });
}

describe('instrument load', () => {
  it('loads into the kind cluster of the current context and checks every node', async () => {
    const fake = cluster();
    const result = await run(fake, ['load']);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(fake.calls()).toEqual([
      ['kubectl', 'config', 'current-context'],
      ['docker', 'image', 'inspect', LOCAL],
      ['kind', 'load', 'docker-image', LOCAL, '--name', 'kind'],
      ['kind', 'get', 'nodes', '--name', 'kind'],
      ['docker', 'exec', 'kind-control-plane', 'crictl', 'inspecti', LOCAL],
      ['docker', 'exec', 'kind-worker', 'crictl', 'inspecti', LOCAL],
    ]);
    expect(result.stdout).toContain('loaded llm-d-inference-scheduler:local into kind cluster kind (from the context)');
    expect(result.stdout).toContain('found on: kind-control-plane, kind-worker');
  });

  it('loads into minikube, by context or by flag', async () => {
    const fake = cluster({ context: 'minikube' });
    expect((await run(fake, ['load'])).exitCode).toBe(0);
    expect(fake.calls().slice(2)).toEqual([
      ['minikube', 'image', 'load', LOCAL, '-p', 'minikube'],
      ['minikube', 'image', 'ls', '-p', 'minikube'],
    ]);
    const byFlag = cluster({ context: 'kind-kind' });
    expect((await run(byFlag, ['load', '--cluster', 'minikube', '--profile', 'minikube'])).exitCode).toBe(0);
    expect(byFlag.calls()[0]).toEqual(['docker', 'image', 'inspect', LOCAL]);
  });

  it('goes through an archive with podman', async () => {
    const fake = cluster();
    const result = await run(fake, ['load', '--runtime', 'podman', '--json']);
    expect(result.exitCode, result.stderr).toBe(0);
    const calls = fake.calls();
    expect(calls.map((c) => c.slice(0, 3))).toEqual([
      ['kubectl', 'config', 'current-context'],
      ['podman', 'image', 'inspect'],
      ['podman', 'save', '-o'],
      ['kind', 'load', 'image-archive'],
      ['kind', 'get', 'nodes'],
      ['podman', 'exec', 'kind-control-plane'],
      ['podman', 'exec', 'kind-worker'],
    ]);
    expect(calls[3]![3]).toBe(calls[2]![3]);
  });

  it('prints the commands with --dry-run and runs none of them', async () => {
    const fake = cluster();
    const result = await run(fake, ['load', '--dry-run']);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain(`  kind load docker-image ${LOCAL} --name kind`);
    expect(fake.calls()).toEqual([['kubectl', 'config', 'current-context']]);
  });

  it('fails with the command, its exit code, its stderr and a hint', async () => {
    const fake = cluster({ context: 'kind-dev' });
    const result = await run(fake, ['load']);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain(`\`kind load docker-image ${LOCAL} --name dev\` failed (exit code 1)`);
    expect(result.stderr).toContain('ERROR: no nodes found for cluster "dev"');
    expect(result.stderr).toContain('`kind get clusters`');

    const unbuilt = cluster({ localImages: {} });
    const missing = await run(unbuilt, ['load']);
    expect(missing.exitCode).toBe(1);
    expect(missing.stderr).toContain('instrument build');
    expect(unbuilt.calls().some((c) => c[0] === 'kind')).toBe(false);

    const elsewhere = await run(cluster({ context: 'gke_prod' }), ['load']);
    expect(elsewhere.exitCode).toBe(2);
    expect(elsewhere.stderr).toContain('"gke_prod" is neither a kind (kind-*) nor a minikube cluster');
  });

  it('takes the cluster from --context, and passes --kubeconfig to kubectl', async () => {
    const fake = cluster({ context: 'gke_prod' });
    const byContext = await run(fake, ['load', '--context', 'kind-kind', '--dry-run']);
    expect(byContext.exitCode, byContext.stderr).toBe(0);
    expect(byContext.stdout).toContain('into kind cluster kind (from the context)');
    expect(fake.calls()).toEqual([]);

    const cwd = tempDir();
    const byFile = await run(fake, ['load', '--kubeconfig', 'other.yaml', '--dry-run'], cwd);
    expect(byFile.exitCode).toBe(2);
    expect(fake.calls()).toEqual([['kubectl', '--kubeconfig', join(cwd, 'other.yaml'), 'config', 'current-context']]);
  });

  it('names the cluster it cannot use', async () => {
    const elsewhere = await run(cluster({ context: 'gke_prod' }), ['load']);
    expect(elsewhere.exitCode).toBe(2);
    expect(elsewhere.stderr).toContain('"gke_prod" is neither a kind (kind-*) nor a minikube cluster');
  });
});
