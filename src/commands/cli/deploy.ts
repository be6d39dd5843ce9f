import { ExitCode } from '../../exit-codes.ts';
import { defineCommand, json } from './define.ts';
import { clusterOptions, clusterRun, type ClusterFlags } from './options.ts';

export default defineCommand<ClusterFlags>({
  name: 'deploy',
  summary: 'point the EPP at the instrumented image through the SchedulerInstall, and wait for the rollout',
  description:
    'Point the EPP at the instrumented image through the SchedulerInstall, and wait for the operator and the rollout. It first reads everything and prints its report (the scoring setup, the candidate pods) and warnings, before the first change. The same image again rolls out new pods, as kubectl rollout restart does.',
  options: [...clusterOptions(), { flags: '--image <image>', description: 'the image to deploy, by tag or digest (default llm-d-inference-scheduler:local)', complete: 'none' }],
  examples: [
    { description: 'Deploy the image built and loaded before, through the SchedulerInstall', command: 'instrument deploy' },
    { description: 'Print the kubectl commands that would change the cluster, on another context', command: 'instrument deploy --dry-run --context kind-dev' },
    { description: 'Patch the Deployment itself, in another namespace, waiting at most 10 minutes', command: 'instrument deploy --target deployment -n epp -c epp --timeout 10m' },
  ],
  async run({ io, style, flags }) {
    const { deploy } = await import('../deploy.ts');
    const { renderDeploy, renderPlan } = await import('../../reporters/cluster.ts');
    // The report and its warnings come before the first change, so a wrong setup can be stopped.
    const result = await deploy({
      ...clusterRun(io, flags),
      image: flags.image,
      onPlan: (plan) => {
        const shown = renderPlan(plan, style);
        if (!flags.json) io.stdout(shown.stdout);
        io.stderr(shown.stderr);
      },
    });
    return { rendered: flags.json ? json(result) : renderDeploy(result, style, { planShown: true }), exitCode: ExitCode.ok };
  },
});
