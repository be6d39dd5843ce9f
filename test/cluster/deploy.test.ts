import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/program.ts';
import { tempDir } from '../helpers/fixtures.ts';
import { clusterEnv, controlPlane, createEpp, deploymentImage, DEPLOYMENT, EPP_CONFIG, eppPods, getJson, INSTALL, PREVIOUS_IMAGE, RESTARTED_AT, STANDARD } from '../helpers/epp-cluster.ts';

// deploy and rollback against a real API server, controller manager, scheduler and kwok node,
// with our stand-in SchedulerInstall operator (test/cluster/operator.mjs).

const LOCAL = 'llm-d-inference-scheduler:local';

/** Runs the CLI in-process, keeping stdout and stderr apart and, in `both`, in the order written. */
async function run(args: readonly string[], options: { cwd?: string; env?: Record<string, string> } = {}) {
  let stdout = '';
  let stderr = '';
  let both = '';
  const exitCode = await runCli(args, {
    cwd: options.cwd ?? tempDir(),
    env: clusterEnv(options.env),
    stdout: (t) => ((stdout += t), (both += t)),
    stderr: (t) => ((stderr += t), (both += t)),
  });
  return { exitCode, stdout, stderr, both };
}

const install = (ns: string) => getJson('schedulerinstall', INSTALL, ns);
const deployment = (ns: string) => getJson('deployment', DEPLOYMENT, ns);

describe('instrument deploy', () => {
  it('reports and warns first, then patches the SchedulerInstall; the operator and the rollout follow', async () => {
    // No active-request-scorer: deploy warns about it, before it changes anything.
    const ns = await createEpp({ eppConfig: EPP_CONFIG.replace('- type: active-request-scorer\n', '') });
    const before = await eppPods(ns);
    const result = await run(['deploy', '--namespace', ns, '--image', LOCAL]);
    expect(result.exitCode, result.both).toBe(0);
    expect(result.stderr.split('\n').filter((l) => l.startsWith('no llm-d tree in or above '))).toHaveLength(1);

    const si = await install(ns);
    expect(si.spec.epp.image).toBe(LOCAL);
    expect(si.metadata.annotations[PREVIOUS_IMAGE]).toBe(STANDARD);
    expect(deploymentImage(await deployment(ns))).toBe(LOCAL);
    const after = await eppPods(ns);
    expect(after.map((p) => p.image)).toEqual([LOCAL]);
    expect(after[0]!.ready).toBe(true);
    expect(after[0]!.name).not.toBe(before[0]!.name);

    const patchAt = result.both.indexOf(`$ kubectl patch schedulerinstall ${INSTALL}`);
    expect(patchAt).toBeGreaterThan(0);
    expect(result.both.indexOf('scoring setup (configmap/gaie-epp-config')).toBeLessThan(patchAt);
    expect(result.both.indexOf('warning: active-request-scorer is not configured in configmap/gaie-epp-config')).toBeLessThan(patchAt);
    expect(result.both.indexOf('candidate pods:')).toBeLessThan(patchAt);
    expect(result.stdout).toMatch(/proxy-a {2}10\.\d+\.\d+\.\d+ {2}Running {2}ready/);
    expect(result.stdout).toContain(`deployed ${LOCAL} to deployment/${DEPLOYMENT}`);
    // Said once, before the change, not again at the end.
    expect(result.stdout.match(/scoring setup/g)).toHaveLength(1);
    expect(result.stderr.match(/active-request-scorer is not configured/g)).toHaveLength(1);
  });

  it('rolls out new pods when the image is already in place, through the SchedulerInstall, and says so', async () => {
    const ns = await createEpp({ image: LOCAL });
    const [old] = await eppPods(ns);
    const result = await run(['deploy', '--namespace', ns, '--image', LOCAL]);
    expect(result.exitCode, result.both).toBe(0);
    expect(result.stderr).toContain(`${LOCAL} is already in place: rolling out new pods (as \`kubectl rollout restart\` does, through spec.epp.podAnnotations`);
    expect(result.stdout).toContain(`redeployed ${LOCAL} to deployment/${DEPLOYMENT}`);
    expect(result.stdout).toContain('new pods were rolled out');

    const stamp = (await install(ns)).spec.epp.podAnnotations[RESTARTED_AT];
    expect(Date.parse(stamp)).toBeGreaterThan(Date.now() - 120_000);
    expect((await deployment(ns)).spec.template.metadata.annotations[RESTARTED_AT]).toBe(stamp);
    const pods = await eppPods(ns);
    expect(pods).toHaveLength(1);
    expect(pods[0]).toMatchObject({ image: LOCAL, restartedAt: stamp, ready: true });
    expect(pods[0]!.name).not.toBe(old!.name);
  });

  it('restarts the Deployment itself with --target deployment', async () => {
    const ns = await createEpp({ image: LOCAL });
    const [old] = await eppPods(ns);
    const result = await run(['deploy', '--namespace', ns, '--image', LOCAL, '--target', 'deployment']);
    expect(result.exitCode, result.both).toBe(0);
    const template = (await deployment(ns)).spec.template;
    expect(template.metadata.annotations[RESTARTED_AT]).toBeDefined();
    const pods = await eppPods(ns);
    expect(pods.map((p) => p.name)).not.toContain(old!.name);
    expect(pods[0]!.restartedAt).toBe(template.metadata.annotations[RESTARTED_AT]);
  });

  it('accepts an image by digest', async () => {
    const ns = await createEpp();
    const byDigest = `registry.example/llm-d/epp@sha256:${'0123456789abcdef'.repeat(4)}`;
    const result = await run(['deploy', '--namespace', ns, '--image', byDigest, '--timeout', '90s']);
    expect(result.exitCode, result.both).toBe(0);
    expect(deploymentImage(await deployment(ns))).toBe(byDigest);
    expect((await eppPods(ns)).map((p) => p.image)).toEqual([byDigest]);
    const tagAndDigest = `registry.example/llm-d/epp:v1@sha256:${'f'.repeat(64)}`;
    expect((await run(['deploy', '--namespace', ns, '--image', tagAndDigest])).exitCode).toBe(0);
    expect(deploymentImage(await deployment(ns))).toBe(tagAndDigest);
  });

  it('lists the changes with --dry-run, with --kubeconfig and --context on every command, and makes none', async () => {
    const ns = await createEpp();
    const { kubeconfig } = controlPlane();
    const result = await run(['deploy', '--namespace', ns, '--dry-run', '--kubeconfig', kubeconfig, '--context', 'admin', '--timeout', '1h30m'], { env: { KUBECONFIG: '/nonexistent' } });
    expect(result.exitCode, result.both).toBe(0);
    const commands = result.stderr.split('\n').filter((l) => l.startsWith('$ kubectl'));
    expect(commands.length).toBeGreaterThanOrEqual(4);
    for (const command of commands) expect(command).toMatch(new RegExp(`^\\$ kubectl --kubeconfig ${kubeconfig} --context admin `));
    expect(result.stdout).toContain(`change  kubectl --kubeconfig ${kubeconfig} --context admin patch schedulerinstall ${INSTALL} -n ${ns} --type merge -p`);
    expect(result.stdout).toContain(`kubectl --kubeconfig ${kubeconfig} --context admin rollout status deployment/${DEPLOYMENT} -n ${ns} --timeout=1h30m`);
    expect((await install(ns)).spec.epp.image).toBe(STANDARD);
  });

  it('fails when the operator never reconciles, within a Go-duration timeout, saying how to roll back', async () => {
    const ns = await createEpp({ operatorPaused: true });
    const started = Date.now();
    const result = await run(['deploy', '--namespace', ns, '--image', LOCAL, '--timeout', '1500ms']);
    expect(result.exitCode).toBe(1);
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(result.stderr).toContain(`deployment/${DEPLOYMENT} still runs ${STANDARD}, not ${LOCAL}, 1500ms after the patch: the operator did not reconcile schedulerinstall/${INSTALL}`);
    expect(result.stderr).toContain('instrument rollback');
    expect(deploymentImage(await deployment(ns))).toBe(STANDARD);
  });

  it('fails when the rollout does not finish, with kubectl\'s message and the way back', async () => {
    // The new pod cannot be scheduled beside the old one (required anti-affinity, one node).
    const ns = await createEpp({ blockedRollout: true });
    const result = await run(['deploy', '--namespace', ns, '--image', LOCAL, '--timeout', '6s']);
    expect(result.exitCode, result.both).toBe(1);
    expect(result.stderr).toContain(`the rollout of deployment/${DEPLOYMENT} to ${LOCAL} did not finish in 6s`);
    expect(result.stderr).toContain('error: timed out waiting for the condition');
    expect(result.stderr).toContain('run `instrument rollback`');
    // The old pod still serves.
    expect((await eppPods(ns)).filter((p) => p.ready).map((p) => p.image)).toEqual([STANDARD]);
  });

  it('is refused by RBAC for a user who may read but not patch, and changes nothing', async () => {
    const ns = await createEpp();
    const result = await run(['deploy', '--namespace', ns, '--image', LOCAL, '--context', 'viewer']);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain('Error from server (Forbidden): schedulerinstalls.llm-d.ai "llm-sched-install" is forbidden: User "viewer" cannot patch resource "schedulerinstalls"');
    expect(result.stderr).toContain('kubectl auth can-i patch');
    expect((await install(ns)).spec.epp.image).toBe(STANDARD);
  });

  it('fails clearly when no API server answers', async () => {
    const result = await run(['deploy', '--context', 'down']);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(/connection refused|was refused/);
    expect(result.stderr).toContain('kubectl cluster-info');
  });
});

describe('instrument rollback', () => {
  it('puts back the recorded image, then refuses to guess when nothing is recorded', async () => {
    const ns = await createEpp();
    expect((await run(['deploy', '--namespace', ns, '--image', LOCAL])).exitCode).toBe(0);
    expect((await run(['deploy', '--namespace', ns, '--image', 'registry.example/epp:debug2'])).exitCode).toBe(0);
    expect((await install(ns)).metadata.annotations[PREVIOUS_IMAGE]).toBe(STANDARD);

    const rolled = await run(['rollback', '--namespace', ns]);
    expect(rolled.exitCode, rolled.both).toBe(0);
    expect(rolled.stdout).toContain(`rolled back deployment/${DEPLOYMENT} to ${STANDARD}`);
    const after = await install(ns);
    expect(after.metadata.annotations?.[PREVIOUS_IMAGE]).toBeUndefined();
    expect(after.spec.epp.image).toBe(STANDARD);
    expect((await eppPods(ns)).map((p) => p.image)).toEqual([STANDARD]);

    // Run twice: nothing recorded any more, so no image is guessed.
    const again = await run(['rollback', '--namespace', ns]);
    expect(again.exitCode).toBe(1);
    expect(again.stderr).toContain(`no image to roll back to: schedulerinstall/${INSTALL} in ${ns} has no ${PREVIOUS_IMAGE} annotation`);
    expect(again.stderr).toContain('`instrument rollback --image <image>`');
    expect(again.stderr).toContain('deploy.rollbackImage in instrument.config.json');
    expect(again.stderr).not.toContain('$ kubectl patch');
    expect((await install(ns)).spec.epp.image).toBe(STANDARD);
  });

  it('uses --image, or the configured fallback, saying so', async () => {
    const ns = await createEpp({ image: LOCAL });
    const cwd = tempDir();
    writeFileSync(join(cwd, 'instrument.config.json'), JSON.stringify({ deploy: { namespace: ns, rollbackImage: 'ghcr.io/llm-d/llm-d-inference-scheduler:v0.3.0' } }));
    const configured = await run(['rollback'], { cwd });
    expect(configured.exitCode, configured.both).toBe(0);
    expect(configured.stderr).toContain('rolling back to deploy.rollbackImage from instrument.config.json: ghcr.io/llm-d/llm-d-inference-scheduler:v0.3.0');
    expect(deploymentImage(await deployment(ns))).toBe('ghcr.io/llm-d/llm-d-inference-scheduler:v0.3.0');

    const named = await run(['rollback', '--namespace', ns, '--image', STANDARD, '--timeout', '2m']);
    expect(named.exitCode, named.both).toBe(0);
    expect(deploymentImage(await deployment(ns))).toBe(STANDARD);
  });
});
