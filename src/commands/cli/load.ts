import { ExitCode } from '../../exit-codes.ts';
import { defineCommand, json } from './define.ts';
import { configRoot, connection, connectionOptions, dryRun, jsonOutput, source, type ConnectionFlags } from './options.ts';

export default defineCommand<
  ConnectionFlags & { root?: string; source?: string; image?: string; cluster?: string; name?: string; profile?: string; runtime?: string; dryRun?: boolean; json?: boolean }
>({
  name: 'load',
  summary: 'load the image into the kind or minikube cluster of the current kubectl context, and check it is on the nodes',
  options: [
    configRoot,
    source,
    { flags: '--image <image>', description: 'the image (default llm-d-inference-scheduler:local)', complete: 'none' },
    { flags: '--cluster <kind>', description: 'the cluster type (default: from the current context: kind-* or minikube)', choices: ['kind', 'minikube'] },
    { flags: '--name <name>', description: 'kind cluster name (default: from the context, else kind)', complete: 'none' },
    { flags: '--profile <profile>', description: 'minikube profile (default minikube)', complete: 'none' },
    { flags: '--runtime <runtime>', description: 'container runtime holding the image', choices: ['docker', 'podman'] },
    dryRun('print the commands and run nothing'),
    jsonOutput,
    ...connectionOptions,
  ],
  examples: [
    { description: 'Load the built image into the cluster of the current context (kind-* or minikube)', command: 'instrument load' },
    { description: 'Into the kind cluster "dev", named by its context', command: 'instrument load --context kind-dev' },
    { description: 'Print the commands only', command: 'instrument load --cluster minikube --profile epp --dry-run' },
  ],
  async run({ io, style, flags }) {
    const { load } = await import('../load.ts');
    const { renderLoad } = await import('../../reporters/cluster.ts');
    const result = await load({
      cwd: io.cwd,
      root: flags.root,
      source: flags.source,
      image: flags.image,
      cluster: flags.cluster,
      name: flags.name ?? flags.profile,
      runtime: flags.runtime,
      dryRun: flags.dryRun,
      connection: connection(io, flags),
      env: io.env,
      onCommand: (argv) => io.stderr(`$ ${argv.join(' ')}\n`),
    });
    return { rendered: flags.json ? json(result) : renderLoad(result, style), exitCode: ExitCode.ok };
  },
});
