import { ExitCode } from '../../exit-codes.ts';
import { defineCommand, json } from './define.ts';
import { clusterOptions, clusterRun, type ClusterFlags } from './options.ts';

export default defineCommand<ClusterFlags>({
  name: 'inspect',
  summary: "report the EPP's scoring setup (epp-config.yaml) and the candidate pods; changes nothing",
  description:
    "Report the EPP's scoring setup from the epp-config.yaml of its config map (is active-request-scorer configured, under which name, with which weight in which profile?) and the candidate model-server pods. Changes nothing.",
  options: clusterOptions({ change: false }),
  examples: [
    { description: 'The scoring setup and the candidate pods, with the defaults', command: 'instrument inspect' },
    { description: 'Decode pods only, with a set-based selector', command: "instrument inspect -l 'role in (decode,both)' --pod-namespace llm-d-vllm" },
    { description: 'Another cluster, as JSON', command: 'instrument inspect --kubeconfig ~/.kube/staging --context staging --json' },
  ],
  async run({ io, style, flags }) {
    const { inspect } = await import('../deploy.ts');
    const { renderInspect } = await import('../../reporters/cluster.ts');
    const result = await inspect(clusterRun(io, flags));
    return { rendered: flags.json ? json(result) : renderInspect(result, style), exitCode: ExitCode.ok };
  },
});
