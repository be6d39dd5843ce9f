import { commandLine, ToolError } from '../build/exec.ts';
import { candidatePods, findEppConfig, readScoringSetup, type CandidatePod, type ScoringSetup } from '../build/inspect.ts';
import { containers, getObject, patch, patchArgs, rolloutArgs, rolloutStatus, type KubeObject, type Kubectl } from '../build/kube.ts';
import { checkDnsLabel, checkImageReference, checkLabelSelector, checkResourceName } from '../build/names.ts';
import type { Env } from '../build/runtime.ts';
import { findWorkspace } from '../codemod/locate.ts';
import { DEFAULTS, loadConfig, type WorkspaceConfig } from '../config.ts';
import { OperationError, UsageError } from '../errors.ts';

/** Where deploy records the image it replaced, on the object it patched, so rollback finds it from anywhere. */
export const PREVIOUS_IMAGE_ANNOTATION = 'instrument.llm-d.ai/previous-image';

export interface ClusterOptions {
  readonly cwd: string;
  /** The workspace whose configuration is read, named as for apply (see findWorkspace). */
  readonly root?: string | undefined;
  readonly source?: string | undefined;
  readonly namespace?: string | undefined;
  readonly schedulerInstall?: string | undefined;
  readonly deployment?: string | undefined;
  readonly container?: string | undefined;
  readonly configMap?: string | undefined;
  readonly podNamespace?: string | undefined;
  readonly podSelector?: string | undefined;
  readonly target?: string | undefined;
  readonly timeoutSeconds?: number | undefined;
  readonly dryRun?: boolean | undefined;
  readonly env: Env;
  /** How often to look whether the operator has updated the Deployment. Defaults to 2 s. */
  readonly pollIntervalMs?: number | undefined;
  /** Progress for people: each command as it starts, and waiting notes. */
  readonly onProgress?: ((message: string) => void) | undefined;
}

export interface DeployOptions extends ClusterOptions {
  readonly image?: string | undefined;
}

export interface RollbackOptions extends ClusterOptions {
  /** The image to go back to when deploy recorded none. */
  readonly image?: string | undefined;
}

export interface Settings {
  readonly namespace: string;
  readonly schedulerInstall: string;
  readonly deployment: string;
  readonly container: string | undefined;
  readonly configMap: string | undefined;
  readonly podNamespace: string;
  readonly podSelector: string;
  readonly target: 'schedulerinstall' | 'deployment';
  readonly timeoutSeconds: number;
}

export interface Step {
  readonly command: string;
  /** `change` steps alter the cluster; --dry-run lists them without running them. */
  readonly change: boolean;
  readonly status: 'done' | 'planned';
}

export interface InspectResult {
  readonly command: 'inspect';
  readonly settings: Settings;
  readonly scoring: ScoringSetup;
  readonly pods: readonly CandidatePod[];
  readonly warnings: readonly string[];
}

export interface DeployResult {
  readonly command: 'deploy' | 'rollback';
  readonly status: 'deployed' | 'rolled-back' | 'planned';
  readonly image: string;
  /** deploy: the image replaced (recorded for rollback); rollback: the instrumented image removed. */
  readonly previousImage: string | undefined;
  readonly settings: Settings;
  readonly steps: readonly Step[];
  readonly scoring: ScoringSetup | undefined;
  readonly pods: readonly CandidatePod[];
  readonly warnings: readonly string[];
}

/** Flags over the workspace file over the defaults, every name checked before any is used. */
export function clusterSettings(options: ClusterOptions, config: WorkspaceConfig): Settings {
  const deploy = config.deploy ?? {};
  const target = options.target ?? deploy.target ?? DEFAULTS.deploy.target;
  if (target !== 'schedulerinstall' && target !== 'deployment') throw new UsageError(`--target ${JSON.stringify(target)}: expected schedulerinstall or deployment`, 'The default, schedulerinstall, patches the operator\'s resource.');
  const timeoutSeconds = options.timeoutSeconds ?? deploy.timeoutSeconds ?? DEFAULTS.deploy.timeoutSeconds;
  if (!Number.isInteger(timeoutSeconds) || timeoutSeconds <= 0) throw new UsageError(`--timeout ${timeoutSeconds}: expected a whole number of seconds above 0`, 'For example --timeout 300.');
  const container = options.container ?? deploy.container;
  const configMap = options.configMap ?? deploy.configMap;
  return {
    namespace: checkDnsLabel(options.namespace ?? deploy.namespace ?? DEFAULTS.deploy.namespace, '--namespace'),
    schedulerInstall: checkResourceName(options.schedulerInstall ?? deploy.schedulerInstall ?? DEFAULTS.deploy.schedulerInstall, '--schedulerinstall'),
    deployment: checkResourceName(options.deployment ?? deploy.deployment ?? DEFAULTS.deploy.deployment, '--deployment'),
    container: container === undefined ? undefined : checkDnsLabel(container, '--container'),
    configMap: configMap === undefined ? undefined : checkResourceName(configMap, '--configmap'),
    podNamespace: checkDnsLabel(options.podNamespace ?? config.pods?.namespace ?? DEFAULTS.pods.namespace, '--pod-namespace'),
    podSelector: checkLabelSelector(options.podSelector ?? config.pods?.selector ?? DEFAULTS.pods.selector, '--pod-selector'),
    target,
    timeoutSeconds,
  };
}

function eppContainer(deployment: KubeObject, settings: Settings): { name: string; image: string | undefined; pullPolicy: string | undefined } {
  const all = containers(deployment);
  const chosen = settings.container === undefined ? all[0] : all.find((c) => c.name === settings.container);
  if (!chosen) {
    throw new OperationError(
      settings.container === undefined ? `deployment/${settings.deployment} has no containers` : `deployment/${settings.deployment} has no container named ${settings.container}`,
      `Its containers: ${all.map((c) => c.name).join(', ') || 'none'}. Pass --container.`,
    );
  }
  return { name: chosen.name, image: chosen.image, pullPolicy: chosen.imagePullPolicy };
}

function annotationOf(object: KubeObject): string | undefined {
  return object.metadata?.annotations?.[PREVIOUS_IMAGE_ANNOTATION];
}

function eppImageOf(install: KubeObject): string | undefined {
  const epp = install.spec?.epp as { image?: unknown } | undefined;
  return typeof epp?.image === 'string' ? epp.image : undefined;
}

/** Reads the scoring setup and the candidate pods (the part shared by inspect and deploy). */
async function readSetup(k: Kubectl, settings: Settings, deployment: KubeObject): Promise<{ scoring: ScoringSetup; pods: CandidatePod[]; warnings: string[] }> {
  const config = await findEppConfig(k, settings.namespace, deployment, settings.configMap);
  const scoring = readScoringSetup(config.text, config.name);
  const pods = await candidatePods(k, settings.podNamespace, settings.podSelector);
  const warnings = [
    ...scoring.watched.filter((w) => !w.configured).map((w) => `${w.type} is not configured in configmap/${config.name} (${'epp-config.yaml'})`),
    ...(pods.length === 0 ? [`no candidate pods match -l ${settings.podSelector} in namespace ${settings.podNamespace}`] : []),
  ];
  return { scoring, pods, warnings };
}

function kubectlFor(options: ClusterOptions): Kubectl {
  return { env: options.env, onCommand: (argv) => options.onProgress?.(`$ ${commandLine(argv)}`) };
}

/** Reports the EPP's scoring configuration and the candidate pods. Changes nothing. */
export async function inspect(options: ClusterOptions): Promise<InspectResult> {
  const settings = clusterSettings(options, loadConfig(findWorkspace(options).root));
  const k = kubectlFor(options);
  const deployment = await getObject(k, 'deployment', settings.deployment, settings.namespace);
  const { scoring, pods, warnings } = await readSetup(k, settings, deployment);
  return { command: 'inspect', settings, scoring, pods, warnings };
}

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

/**
 * Waits until the Deployment's EPP container runs `image` (the operator copies it from the
 * SchedulerInstall on its own schedule), then for the rollout.
 */
async function waitForImage(k: Kubectl, settings: Settings, image: string, options: ClusterOptions, steps: Step[]): Promise<void> {
  const deadline = Date.now() + settings.timeoutSeconds * 1000;
  const interval = options.pollIntervalMs ?? 2000;
  for (;;) {
    const deployment = await getObject({ env: k.env }, 'deployment', settings.deployment, settings.namespace);
    const current = eppContainer(deployment, settings).image;
    if (current === image) break;
    if (Date.now() >= deadline) {
      throw new OperationError(
        `deployment/${settings.deployment} still runs ${current ?? 'no image'}, not ${image}, ${settings.timeoutSeconds}s after the patch: ${
          settings.target === 'schedulerinstall' ? `the operator did not reconcile schedulerinstall/${settings.schedulerInstall}` : 'the patch did not take'
        }`,
        `Check the operator's logs and \`kubectl describe deployment ${settings.deployment} -n ${settings.namespace}\`; \`instrument rollback\` puts the previous image back.`,
      );
    }
    options.onProgress?.(`waiting for deployment/${settings.deployment} to run ${image} (now ${current ?? 'none'})`);
    await sleep(interval);
  }
  steps.push({ command: `wait until deployment/${settings.deployment} runs ${image}`, change: false, status: 'done' });
  const remaining = Math.max(1, Math.ceil((deadline - Date.now()) / 1000));
  try {
    await rolloutStatus(k, settings.deployment, settings.namespace, remaining);
  } catch (error) {
    if (error instanceof ToolError) {
      throw new OperationError(
        `the rollout of deployment/${settings.deployment} to ${image} did not finish in ${settings.timeoutSeconds}s:\n${error.message}`,
        `Look at \`kubectl describe deployment ${settings.deployment} -n ${settings.namespace}\` and the new pods' events, then run \`instrument rollback\` to put the previous image back.`,
        error,
      );
    }
    throw error;
  }
  steps.push({ command: commandLine(['kubectl', ...rolloutArgs(settings.deployment, settings.namespace, remaining)]), change: false, status: 'done' });
}

/** Patches the image into the SchedulerInstall (or, with --target deployment, the Deployment) and waits. */
async function switchImage(
  k: Kubectl,
  settings: Settings,
  image: string,
  annotation: string | null,
  container: string,
  options: ClusterOptions,
  steps: Step[],
): Promise<void> {
  const metadata = { annotations: { [PREVIOUS_IMAGE_ANNOTATION]: annotation } };
  const [kind, name, type, body] =
    settings.target === 'schedulerinstall'
      ? (['schedulerinstall', settings.schedulerInstall, 'merge', { metadata, spec: { epp: { image } } }] as const)
      : (['deployment', settings.deployment, 'strategic', { metadata, spec: { template: { spec: { containers: [{ name: container, image }] } } } }] as const);
  const command = commandLine(['kubectl', ...patchArgs(kind, name, settings.namespace, type, body)]);
  if (options.dryRun) {
    steps.push({ command, change: true, status: 'planned' });
    steps.push({ command: `wait until deployment/${settings.deployment} runs ${image}`, change: false, status: 'planned' });
    steps.push({ command: commandLine(['kubectl', ...rolloutArgs(settings.deployment, settings.namespace, settings.timeoutSeconds)]), change: false, status: 'planned' });
    return;
  }
  await patch(k, kind, name, settings.namespace, type, body);
  steps.push({ command, change: true, status: 'done' });
  await waitForImage(k, settings, image, options, steps);
}

/**
 * Deploys the instrumented image: checks the scoring setup, records the image it replaces, patches
 * the SchedulerInstall (the operator reconciles the Deployment from it), and waits for the rollout.
 */
export async function deploy(options: DeployOptions): Promise<DeployResult> {
  const config = loadConfig(findWorkspace(options).root);
  const settings = clusterSettings(options, config);
  const image = checkImageReference(options.image ?? config.image ?? DEFAULTS.image);
  const k = kubectlFor(options);
  const steps: Step[] = [];
  const warnings: string[] = [];

  const deployment = await getObject(k, 'deployment', settings.deployment, settings.namespace);
  const container = eppContainer(deployment, settings);
  // The scoring setup is reported, not required: a cluster without it can still be deployed to.
  let scoring: ScoringSetup | undefined;
  let pods: CandidatePod[] = [];
  try {
    const setup = await readSetup(k, settings, deployment);
    ({ scoring, pods } = setup);
    warnings.push(...setup.warnings);
  } catch (error) {
    if (!(error instanceof OperationError)) throw error;
    warnings.push(`could not read the scoring setup: ${error.message.split('\n')[0]}`);
  }

  let previous: string | undefined;
  if (settings.target === 'schedulerinstall') {
    const install = await getObject(k, 'schedulerinstall', settings.schedulerInstall, settings.namespace);
    previous = annotationOf(install) ?? eppImageOf(install) ?? container.image;
  } else {
    warnings.push(`patching deployment/${settings.deployment} directly: an operator that manages it may put its own image back at its next reconcile`);
    previous = annotationOf(deployment) ?? container.image;
  }
  if (container.pullPolicy === 'Always' && !image.includes('/')) {
    warnings.push(`deployment/${settings.deployment} pulls its image Always, but ${image} is a local image no registry has: the pods will fail to pull it (set imagePullPolicy: IfNotPresent)`);
  }
  // A second deploy keeps the image recorded by the first, so rollback still goes back to the original.
  await switchImage(k, settings, image, previous ?? null, container.name, options, steps);
  return { command: 'deploy', status: options.dryRun ? 'planned' : 'deployed', image, previousImage: previous, settings, steps, scoring, pods, warnings };
}

/** Puts back the image deploy recorded (else --image, else the standard llm-d image) the same way. */
export async function rollback(options: RollbackOptions): Promise<DeployResult> {
  const config = loadConfig(findWorkspace(options).root);
  const settings = clusterSettings(options, config);
  const k = kubectlFor(options);
  const steps: Step[] = [];
  const warnings: string[] = [];
  const deployment = await getObject(k, 'deployment', settings.deployment, settings.namespace);
  const container = eppContainer(deployment, settings);
  const holder = settings.target === 'schedulerinstall' ? await getObject(k, 'schedulerinstall', settings.schedulerInstall, settings.namespace) : deployment;
  const recorded = annotationOf(holder);
  const image = checkImageReference(recorded ?? options.image ?? config.deploy?.rollbackImage ?? DEFAULTS.deploy.rollbackImage);
  if (!recorded) warnings.push(`no image recorded by instrument deploy on ${settings.target}/${settings.target === 'schedulerinstall' ? settings.schedulerInstall : settings.deployment}; rolling back to ${image}`);
  await switchImage(k, settings, image, null, container.name, options, steps);
  return { command: 'rollback', status: options.dryRun ? 'planned' : 'rolled-back', image, previousImage: container.image, settings, steps, scoring: undefined, pods: [], warnings };
}
