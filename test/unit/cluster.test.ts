import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli.ts';
import { createFakeCluster, deploymentImage, fakeDeployment, fakePod, fakeSchedulerInstall, type FakeClusterState, type KubeObject } from '../helpers/fake-cluster.ts';
import { tempDir } from '../helpers/fixtures.ts';

const NS = 'llm-d-inference-scheduler';
const DEPLOYMENT = 'gaie-inference-scheduling-epp';
const INSTALL = 'llm-sched-install';
const STANDARD = 'ghcr.io/llm-d/llm-d-inference-scheduler:v0.4.0';
const LOCAL = 'llm-d-inference-scheduler:local';
const ANNOTATION = 'instrument.llm-d.ai/previous-image';

const EPP_CONFIG = `apiVersion: inference.networking.x-k8s.io/v1alpha1
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

function eppDeployment(image = STANDARD): KubeObject {
  const deployment = fakeDeployment({ namespace: NS, name: DEPLOYMENT, image, ownedBy: INSTALL }) as { spec: { template: { spec: Record<string, unknown> } } };
  deployment.spec.template.spec.volumes = [{ name: 'config', configMap: { name: 'gaie-epp-config' } }];
  return deployment as KubeObject;
}

function cluster(overrides: Partial<FakeClusterState> = {}) {
  return createFakeCluster({
    context: 'kind-kind',
    kindClusters: { kind: { nodes: ['kind-control-plane', 'kind-worker'] } },
    minikubeProfiles: ['minikube'],
    localImages: { [LOCAL]: { id: 'sha256:' + 'a'.repeat(64) } },
    crds: ['schedulerinstall'],
    resources: {
      [`deployment/${NS}/${DEPLOYMENT}`]: eppDeployment(),
      [`schedulerinstall/${NS}/${INSTALL}`]: fakeSchedulerInstall({ namespace: NS, name: INSTALL, image: STANDARD }),
      [`configmap/${NS}/gaie-epp-config`]: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'gaie-epp-config', namespace: NS }, data: { 'epp-config.yaml': EPP_CONFIG } },
      'pod/llm-d-vllm/proxy-a': fakePod({ namespace: 'llm-d-vllm', name: 'proxy-a', image: 'vllm', labels: { role: 'proxy' } }),
      'pod/llm-d-vllm/proxy-b': fakePod({ namespace: 'llm-d-vllm', name: 'proxy-b', image: 'vllm', labels: { role: 'proxy' } }),
      'pod/llm-d-vllm/other': fakePod({ namespace: 'llm-d-vllm', name: 'other', image: 'vllm', labels: { role: 'decode' } }),
    },
    ...overrides,
  });
}

async function run(fake: ReturnType<typeof cluster>, args: string[], cwd = tempDir()) {
  return cli(args, { cwd, env: { ...fake.env, INSTRUMENT_POLL_INTERVAL_MS: '50' } });
}

const patchBody = (calls: string[][]) => JSON.parse(calls.find((c) => c[1] === 'patch')!.at(-1)!);

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
});

describe('instrument deploy', () => {
  it('checks the scoring setup, records the old image, patches the SchedulerInstall and waits', async () => {
    const fake = cluster({ operator: { reconcile: { afterGets: 2 } } });
    const result = await run(fake, ['deploy']);
    expect(result.exitCode, result.stderr).toBe(0);
    const calls = fake.calls();
    expect(calls).toEqual([
      ['kubectl', 'get', 'deployment', DEPLOYMENT, '-n', NS, '-o', 'json'],
      ['kubectl', 'get', 'configmap', 'gaie-epp-config', '-n', NS, '-o', 'json'],
      ['kubectl', 'get', 'pods', '-n', 'llm-d-vllm', '-l', 'role=proxy', '-o', 'json'],
      ['kubectl', 'get', 'schedulerinstall', INSTALL, '-n', NS, '-o', 'json'],
      ['kubectl', 'patch', 'schedulerinstall', INSTALL, '-n', NS, '--type', 'merge', '-p', expect.any(String)],
      ['kubectl', 'get', 'deployment', DEPLOYMENT, '-n', NS, '-o', 'json'],
      ['kubectl', 'get', 'deployment', DEPLOYMENT, '-n', NS, '-o', 'json'],
      ['kubectl', 'get', 'deployment', DEPLOYMENT, '-n', NS, '-o', 'json'],
      ['kubectl', 'rollout', 'status', `deployment/${DEPLOYMENT}`, '-n', NS, expect.stringMatching(/^--timeout=\d+s$/)],
    ]);
    expect(patchBody(calls)).toEqual({ metadata: { annotations: { [ANNOTATION]: STANDARD } }, spec: { epp: { image: LOCAL } } });
    expect(deploymentImage(fake.state().resources[`deployment/${NS}/${DEPLOYMENT}`])).toBe(LOCAL);
    expect(result.stdout).toMatch(/configured\s+active-request-scorer as active-request-scorer \(in default weight 2\)/);
    expect(result.stdout).toMatch(/configured\s+by-label-selector as proxies-only \(in default\)/);
    expect(result.stdout).toMatch(/configured\s+max-score-picker/);
    expect(result.stdout).toContain('proxy-a');
    expect(result.stdout).not.toContain('other');
    expect(result.stdout).toContain(`deployed ${LOCAL} to deployment/${DEPLOYMENT}`);
    expect(result.stdout).toContain(`it replaced ${STANDARD}`);
  });

  it('keeps the first recorded image when deployed twice, and rollback restores it', async () => {
    const fake = cluster();
    expect((await run(fake, ['deploy'])).exitCode).toBe(0);
    expect((await run(fake, ['deploy', '--image', 'registry.example/epp:debug2'])).exitCode).toBe(0);
    const install = fake.state().resources[`schedulerinstall/${NS}/${INSTALL}`] as { metadata: { annotations: Record<string, string> } };
    expect(install.metadata.annotations[ANNOTATION]).toBe(STANDARD);

    const before = fake.calls().length;
    const rolled = await run(fake, ['rollback']);
    expect(rolled.exitCode, rolled.stderr).toBe(0);
    const calls = fake.calls().slice(before);
    expect(patchBody(calls)).toEqual({ metadata: { annotations: { [ANNOTATION]: null } }, spec: { epp: { image: STANDARD } } });
    expect(calls.at(-1)!.slice(0, 3)).toEqual(['kubectl', 'rollout', 'status']);
    const after = fake.state().resources[`schedulerinstall/${NS}/${INSTALL}`] as { metadata: { annotations?: Record<string, string> }; spec: { epp: { image: string } } };
    expect(after.metadata.annotations?.[ANNOTATION]).toBeUndefined();
    expect(after.spec.epp.image).toBe(STANDARD);
    expect(rolled.stdout).toContain(`rolled back deployment/${DEPLOYMENT} to ${STANDARD}`);
  });

  it('rolls back to the configured or standard image when none was recorded, saying so', async () => {
    const fake = cluster({ resources: { ...cluster().state().resources, [`schedulerinstall/${NS}/${INSTALL}`]: fakeSchedulerInstall({ namespace: NS, name: INSTALL, image: LOCAL }) } });
    const result = await run(fake, ['rollback', '--image', 'ghcr.io/llm-d/llm-d-inference-scheduler:v0.3.0']);
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toContain('no image recorded by instrument deploy');
    expect(patchBody(fake.calls()).spec.epp.image).toBe('ghcr.io/llm-d/llm-d-inference-scheduler:v0.3.0');
  });

  it('prints the changes with --dry-run and makes none', async () => {
    const fake = cluster();
    const result = await run(fake, ['deploy', '--dry-run']);
    expect(result.exitCode).toBe(0);
    expect(fake.calls().some((c) => c[1] === 'patch' || c[1] === 'rollout')).toBe(false);
    expect(result.stdout).toContain(
      `change  kubectl patch schedulerinstall ${INSTALL} -n ${NS} --type merge -p '{"metadata":{"annotations":{"${ANNOTATION}":"${STANDARD}"}},"spec":{"epp":{"image":"${LOCAL}"}}}'`,
    );
    expect(result.stdout).toContain(`kubectl rollout status deployment/${DEPLOYMENT} -n ${NS} --timeout=300s`);
  });

  it('patches the Deployment only with --target deployment, with a warning', async () => {
    const fake = cluster();
    const result = await run(fake, ['deploy', '--target', 'deployment']);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stderr).toContain('an operator that manages it may put its own image back');
    const patchCall = fake.calls().find((c) => c[1] === 'patch')!;
    expect(patchCall.slice(0, 8)).toEqual(['kubectl', 'patch', 'deployment', DEPLOYMENT, '-n', NS, '--type', 'strategic']);
    expect(patchBody(fake.calls())).toEqual({
      metadata: { annotations: { [ANNOTATION]: STANDARD } },
      spec: { template: { spec: { containers: [{ name: 'epp', image: LOCAL }] } } },
    });
  });

  it('fails when the operator never reconciles, saying how to roll back', async () => {
    const fake = cluster({ operator: { reconcile: 'never' } });
    const result = await run(fake, ['deploy', '--timeout', '1']);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain(`deployment/${DEPLOYMENT} still runs ${STANDARD}, not ${LOCAL}, 1s after the patch: the operator did not reconcile schedulerinstall/${INSTALL}`);
    expect(result.stderr).toContain('instrument rollback');
  });

  it('fails when the rollout times out, saying how to roll back', async () => {
    const fake = cluster({ rollout: 'timeout' });
    const result = await run(fake, ['deploy', '--timeout', '5']);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain(`the rollout of deployment/${DEPLOYMENT} to ${LOCAL} did not finish in 5s`);
    expect(result.stderr).toContain('error: timed out waiting for the condition');
    expect(result.stderr).toContain('run `instrument rollback`');
  });

  it('fails when the user may not patch, with the server message and a hint', async () => {
    const fake = cluster({ forbidden: ['patch'] });
    const result = await run(fake, ['deploy']);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain('Error from server (Forbidden)');
    expect(result.stderr).toContain('kubectl auth can-i patch');
    expect(deploymentImage(fake.state().resources[`deployment/${NS}/${DEPLOYMENT}`])).toBe(STANDARD);
  });

  it('fails clearly when the API server does not answer', async () => {
    const result = await run(cluster({ unreachable: true }), ['deploy']);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain('was refused');
    expect(result.stderr).toContain('kubectl cluster-info');
  });

  it('checks names before using them, and reads them from instrument.config.json', async () => {
    const fake = cluster();
    expect((await run(fake, ['deploy', '--image', 'UPPER/Case:x'])).exitCode).toBe(2);
    expect((await run(fake, ['deploy', '--namespace', 'bad_ns'])).exitCode).toBe(2);
    expect((await run(fake, ['deploy', '--pod-selector', 'role=a b'])).exitCode).toBe(2);
    expect(fake.calls()).toEqual([]);

    const cwd = tempDir();
    writeFileSync(join(cwd, 'instrument.config.json'), JSON.stringify({ deploy: { namespace: 'other-ns', deployment: 'my-epp' } }));
    await run(fake, ['deploy'], cwd);
    expect(fake.calls()[0]).toEqual(['kubectl', 'get', 'deployment', 'my-epp', '-n', 'other-ns', '-o', 'json']);
    writeFileSync(join(cwd, 'instrument.config.json'), JSON.stringify({ deploy: { namespaces: 'x' } }));
    const typo = await run(fake, ['deploy'], cwd);
    expect(typo.exitCode).toBe(2);
    expect(typo.stderr).toContain('unknown key "deploy.namespaces"');
  });
});

describe('instrument inspect', () => {
  it('reports the scorers, filter and picker with weights, and the candidate pods, changing nothing', async () => {
    const fake = cluster();
    const result = await run(fake, ['inspect', '--json']);
    expect(result.exitCode, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report.scoring.watched).toEqual([
      { type: 'active-request-scorer', configured: true, names: ['active-request-scorer'], uses: [{ profile: 'default', weight: 2 }] },
      { type: 'by-label-selector', configured: true, names: ['proxies-only'], uses: [{ profile: 'default' }] },
      { type: 'max-score-picker', configured: true, names: ['max-score-picker'], uses: [{ profile: 'default' }] },
    ]);
    expect(report.pods.map((p: { name: string }) => p.name)).toEqual(['proxy-a', 'proxy-b']);
    expect(fake.calls().every((c) => c[1] === 'get')).toBe(true);
  });

  it('warns about a scorer that is not configured', async () => {
    const state = cluster().state();
    const map = state.resources[`configmap/${NS}/gaie-epp-config`] as { data: Record<string, string> };
    map.data['epp-config.yaml'] = EPP_CONFIG.replace('- type: active-request-scorer\n', '');
    const result = await run(cluster({ resources: state.resources }), ['inspect']);
    expect(result.stdout).toMatch(/not configured active-request-scorer/);
    expect(result.stderr).toContain('active-request-scorer is not configured in configmap/gaie-epp-config');
  });
});
