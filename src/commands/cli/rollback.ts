import { ExitCode } from '../../exit-codes.ts';
import { defineCommand, json } from './define.ts';
import { clusterOptions, clusterRun, type ClusterFlags } from './options.ts';

export default defineCommand<ClusterFlags>({
  name: 'rollback',
  summary: 'put back the image deploy replaced, and wait for the rollout',
  description:
    'Put back the image deploy replaced (recorded on the patched object), remove the record, and wait for the rollout. With nothing recorded it changes nothing and exits 1, unless --image or deploy.rollbackImage of instrument.config.json names the image.',
  options: [
    ...clusterOptions({ pods: false }),
    { flags: '--image <image>', description: 'the image to go back to (default: the one deploy recorded, else deploy.rollbackImage of instrument.config.json)', complete: 'none' },
  ],
  examples: [
    { description: 'Put back the image the last deploy replaced', command: 'instrument rollback' },
    { description: 'Go back to a named release', command: 'instrument rollback --image ghcr.io/llm-d/llm-d-inference-scheduler:v0.4.0' },
  ],
  async run({ io, style, flags }) {
    const { rollback } = await import('../deploy.ts');
    const { renderDeploy } = await import('../../reporters/cluster.ts');
    const result = await rollback({ ...clusterRun(io, flags), image: flags.image });
    return { rendered: flags.json ? json(result) : renderDeploy(result, style), exitCode: ExitCode.ok };
  },
});
