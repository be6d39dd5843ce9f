import { chooseCluster, loadCommands, loadImage, type ClusterTarget } from '../build/cluster.ts';
import type { KubeConnection } from '../build/kube.ts';
import { checkImageReference } from '../build/names.ts';
import { chooseRuntime, type Env, type RuntimeName } from '../build/runtime.ts';
import { findWorkspace } from '../codemod/locate.ts';
import { DEFAULTS, loadConfig } from '../config.ts';

export interface LoadOptions {
  readonly cwd: string;
  /** The workspace, named as for apply (the llm-d tree or a folder in it finds the same one). */
  readonly root?: string | undefined;
  readonly source?: string | undefined;
  readonly image?: string | undefined;
  /** kind or minikube; default: from the current kubectl context. */
  readonly cluster?: string | undefined;
  /** The kind cluster name or minikube profile. */
  readonly name?: string | undefined;
  readonly runtime?: string | undefined;
  readonly dryRun?: boolean | undefined;
  /** kubectl's --kubeconfig and --context: which context names the cluster. */
  readonly connection?: KubeConnection | undefined;
  readonly env: Env;
  readonly onCommand?: ((argv: readonly string[]) => void) | undefined;
}

export interface LoadResult {
  readonly command: 'load';
  readonly status: 'loaded' | 'planned';
  /** The workspace whose configuration was read, and the llm-d tree found there. */
  readonly found: string;
  readonly image: string;
  readonly runtime: RuntimeName;
  readonly cluster: ClusterTarget;
  /** Every command run (or, for --dry-run, to run). */
  readonly commands: ReadonlyArray<readonly string[]>;
  /** The nodes (kind) or profile (minikube) the image was found on afterwards. */
  readonly verifiedOn: readonly string[];
}

/** Loads the built image into a local kind or minikube cluster and checks it arrived on the nodes. */
export async function load(options: LoadOptions): Promise<LoadResult> {
  const workspace = findWorkspace(options);
  const config = loadConfig(workspace.root);
  const image = checkImageReference(options.image ?? config.image ?? DEFAULTS.image);
  const runtime = chooseRuntime(options.runtime ?? config.build?.runtime, options.env);
  const commands: string[][] = [];
  const record = (argv: readonly string[]) => {
    commands.push([...argv]);
    options.onCommand?.(argv);
  };
  const kubectl = { env: options.env, connection: options.connection, onCommand: record };
  const cluster = await chooseCluster(
    kubectl,
    options.cluster !== undefined
      ? { kind: options.cluster, name: options.name, from: 'flag' }
      : { kind: config.cluster?.kind, name: options.name ?? (config.cluster?.kind === 'minikube' ? config.cluster.profile : config.cluster?.name), from: 'config' },
  );
  if (options.dryRun) {
    for (const argv of loadCommands(cluster, image, runtime, '<temporary>/image.tar')) commands.push(argv);
    return { command: 'load', status: 'planned', found: workspace.found, image, runtime, cluster, commands, verifiedOn: [] };
  }
  const verifiedOn = await loadImage(cluster, image, runtime, options.env, record);
  return { command: 'load', status: 'loaded', found: workspace.found, image, runtime, cluster, commands, verifiedOn };
}
