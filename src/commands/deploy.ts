import { checkDuration, formatDuration } from '../build/duration.ts';
import { commandLine, ToolError } from '../build/exec.ts';
import { candidatePods, findEppConfig, readScoringSetup, type CandidatePod, type ScoringSetup } from '../build/inspect.ts';
import { containers, getObject, kubectlLine, patch, patchArgs, rolloutArgs, rolloutStatus, type KubeConnection, type KubeObject, type Kubectl } from '../build/kube.ts';
import { checkDnsLabel, checkImageReference, checkLabelSelector, checkResourceName } from '../build/names.ts';
import type { Env } from '../build/runtime.ts';
import { findWorkspace } from '../codemod/locate.ts';
import { CONFIG_FILE, DEFAULTS, loadConfig, type WorkspaceConfig } from '../config.ts';
import { OperationError, UsageError } from '../errors.ts';

/** Where deploy records the image it replaced, on the object it patched, so rollback finds it from anywhere. */
export const PREVIOUS_IMAGE_ANNOTATION = 'instrument.llm-d.ai/previous-image';
/** The pod-template annotation `kubectl rollout restart` sets; a new value rolls out new pods. */
export const RESTARTED_AT_ANNOTATION = 'kubectl.kubernetes.io/restartedAt';

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
  /** A Go duration (`5m`, `90s`). */
  readonly timeout?: string | undefined;
  readonly dryRun?: boolean | undefined;
  /** kubectl's --kubeconfig and --context, passed to every call. */
  readonly connection?: KubeConnection | undefined;
  readonly env: Env;
  /** How often to look whether the operator has updated the Deployment. Defaults to 2 s. */
  readonly pollIntervalMs?: number | undefined;
  /** Progress for people: each command as it starts, and waiting notes. */
  readonly onProgress?: ((message: string) => void) | undefined;
}

/** What deploy found and is about to do, handed over before it changes anything. */
export interface DeployPlan {
  /** What was found: the llm-d tree and the workspace whose configuration was read (findWorkspace). */
  readonly found: string;
  readonly scoring: ScoringSetup | undefined;
  readonly pods: readonly CandidatePod[];
  readonly warnings: readonly string[];
}

export interface DeployOptions extends ClusterOptions {
  readonly image?: string | undefined;
  /** Called once, after the checks and before the first change (so the report comes first). */
  readonly onPlan?: ((plan: DeployPlan) => void) | undefined;
}

export interface RollbackOptions extends ClusterOptions {
  /** The image to go back to, instead of the one deploy recorded. */
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
  /** How long to wait for the operator and the rollout, in ms. */
  readonly timeoutMs: number;
}

export interface Step {
  readonly command: string;
  /** `change` steps alter the cluster; --dry-run lists them without running them. */
  readonly change: boolean;
  readonly status: 'done' | 'planned';
}

export interface InspectResult {
  readonly command: 'inspect';
  /** What was found: the llm-d tree and the workspace whose configuration was read (findWorkspace). */
  readonly found: string;
  readonly settings: Settings;
  readonly scoring: ScoringSetup;
  readonly pods: readonly CandidatePod[];
  readonly warnings: readonly string[];
}

export interface DeployResult {
  readonly command: 'deploy' | 'rollback';
  /** What was found: the llm-d tree and the workspace whose configuration was read (findWorkspace). */
  readonly found: string;
  readonly status: 'deployed' | 'rolled-back' | 'planned';
  readonly image: string;
  /** The image was already in place: new pods were rolled out instead (as `kubectl rollout restart`). */
  readonly restarted: boolean;
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
  const timeoutMs =
    options.timeout !== undefined
      ? checkDuration(options.timeout, '--timeout')
      : deploy.timeout !== undefined
        ? checkDuration(deploy.timeout, 'deploy.timeout in instrument.config.json')
        : deploy.timeoutSeconds !== undefined
          ? checkDuration(`${deploy.timeoutSeconds}s`, 'deploy.timeoutSeconds in instrument.config.json')
          : checkDuration(DEFAULTS.deploy.timeout, '--timeout');
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
    timeoutMs,
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
  return { env: options.env, connection: options.connection, onCommand: (argv) => options.onProgress?.(`$ ${commandLine(argv)}`) };
}

/** Reports the EPP's scoring configuration and the candidate pods. Changes nothing. */
export async function inspect(options: ClusterOptions): Promise<InspectResult> {
  const workspace = findWorkspace(options);
  const settings = clusterSettings(options, loadConfig(workspace.root));
  const k = kubectlFor(options);
  const deployment = await getObject(k, 'deployment', settings.deployment, settings.namespace);
  const { scoring, pods, warnings } = await readSetup(k, settings, deployment);
  return { command: 'inspect', found: workspace.found, settings, scoring, pods, warnings };
}

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

/** What the Deployment's pod template must show once the change has reached it. */
interface Wanted {
  readonly image: string;
  /** With a restart: the restartedAt value the new pod template carries. */
  readonly restartedAt: string | undefined;
}

function restartedAtOf(deployment: KubeObject): string | undefined {
  return (deployment.spec?.template as { metadata?: { annotations?: Record<string, string> } } | undefined)?.metadata?.annotations?.[RESTARTED_AT_ANNOTATION];
}

/**
 * Waits until the Deployment's pod template shows the change (the operator copies it from the
 * SchedulerInstall on its own schedule), then for the rollout.
 */
async function waitForTemplate(k: Kubectl, settings: Settings, wanted: Wanted, options: ClusterOptions, steps: Step[]): Promise<void> {
  const deadline = Date.now() + settings.timeoutMs;
  const interval = options.pollIntervalMs ?? 2000;
  const timeout = formatDuration(settings.timeoutMs);
  const what = wanted.restartedAt === undefined ? `runs ${wanted.image}` : `has the pod-template annotation ${RESTARTED_AT_ANNOTATION}=${wanted.restartedAt}`;
  for (;;) {
    const deployment = await getObject({ env: k.env, connection: k.connection }, 'deployment', settings.deployment, settings.namespace);
    const current = eppContainer(deployment, settings).image;
    const restarted = wanted.restartedAt === undefined || restartedAtOf(deployment) === wanted.restartedAt;
    if (current === wanted.image && restarted) break;
    if (Date.now() >= deadline) {
      const operator = settings.target === 'schedulerinstall';
      throw new OperationError(
        current !== wanted.image
          ? `deployment/${settings.deployment} still runs ${current ?? 'no image'}, not ${wanted.image}, ${timeout} after the patch: ${
              operator ? `the operator did not reconcile schedulerinstall/${settings.schedulerInstall}` : 'the patch did not take'
            }`
          : `deployment/${settings.deployment} has no new pod template ${timeout} after the patch: ${
              operator ? `the operator did not copy spec.epp.podAnnotations of schedulerinstall/${settings.schedulerInstall} into it` : 'the patch did not take'
            }`,
        `Check the operator's logs and \`kubectl describe deployment ${settings.deployment} -n ${settings.namespace}\`${
          operator && current === wanted.image ? '; `--target deployment` restarts the Deployment directly' : ''
        }; \`instrument rollback\` puts the previous image back.`,
      );
    }
    options.onProgress?.(`waiting for deployment/${settings.deployment} to show the change (it runs ${current ?? 'no image'}${restarted ? '' : ', old pod template'})`);
    await sleep(interval);
  }
  steps.push({ command: `wait until deployment/${settings.deployment} ${what}`, change: false, status: 'done' });
  const remaining = Math.max(1, Math.ceil((deadline - Date.now()) / 1000)) * 1000;
  try {
    await rolloutStatus(k, settings.deployment, settings.namespace, remaining);
  } catch (error) {
    if (error instanceof ToolError) {
      throw new OperationError(
        `the rollout of deployment/${settings.deployment} to ${wanted.image} did not finish in ${timeout}:\n${error.message}`,
        `Look at \`kubectl describe deployment ${settings.deployment} -n ${settings.namespace}\` and the new pods' events, then run \`instrument rollback\` to put the previous image back.`,
        error,
      );
    }
    throw error;
  }
  steps.push({ command: commandLine(kubectlLine(k, rolloutArgs(settings.deployment, settings.namespace, remaining))), change: false, status: 'done' });
}

/**
 * Patches the image into the SchedulerInstall (or, with --target deployment, the Deployment) and
 * waits. With `restartedAt` the pod template also gets a new restartedAt annotation, which rolls
 * out new pods even when the image reference is the one already in place.
 */
async function switchImage(
  k: Kubectl,
  settings: Settings,
  wanted: Wanted,
  annotation: string | null,
  container: string,
  options: ClusterOptions,
  steps: Step[],
): Promise<void> {
  const metadata = { annotations: { [PREVIOUS_IMAGE_ANNOTATION]: annotation } };
  const podAnnotations = wanted.restartedAt === undefined ? undefined : { [RESTARTED_AT_ANNOTATION]: wanted.restartedAt };
  const image = wanted.image;
  const [kind, name, type, body] =
    settings.target === 'schedulerinstall'
      ? (['schedulerinstall', settings.schedulerInstall, 'merge', { metadata, spec: { epp: { image, ...(podAnnotations ? { podAnnotations } : {}) } } }] as const)
      : ([
          'deployment',
          settings.deployment,
          'strategic',
          { metadata, spec: { template: { ...(podAnnotations ? { metadata: { annotations: podAnnotations } } : {}), spec: { containers: [{ name: container, image }] } } } },
        ] as const);
  const command = commandLine(kubectlLine(k, patchArgs(kind, name, settings.namespace, type, body)));
  if (options.dryRun) {
    steps.push({ command, change: true, status: 'planned' });
    steps.push({ command: `wait until deployment/${settings.deployment} runs ${image}${podAnnotations ? ' with the new pod template' : ''}`, change: false, status: 'planned' });
    steps.push({ command: commandLine(kubectlLine(k, rolloutArgs(settings.deployment, settings.namespace, settings.timeoutMs))), change: false, status: 'planned' });
    return;
  }
  await patch(k, kind, name, settings.namespace, type, body);
  steps.push({ command, change: true, status: 'done' });
  await waitForTemplate(k, settings, wanted, options, steps);
}

/**
 * Deploys the instrumented image: checks the scoring setup, records the image it replaces, patches
 * the SchedulerInstall (the operator reconciles the Deployment from it), and waits for the rollout.
 * When the image reference is already in place (the everyday loop: rebuild the same tag, load,
 * deploy), it rolls out new pods the way `kubectl rollout restart` does.
 */
export async function deploy(options: DeployOptions): Promise<DeployResult> {
  const workspace = findWorkspace(options);
  const config = loadConfig(workspace.root);
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
  let inPlace: string | undefined;
  if (settings.target === 'schedulerinstall') {
    const install = await getObject(k, 'schedulerinstall', settings.schedulerInstall, settings.namespace);
    inPlace = eppImageOf(install) ?? container.image;
    previous = annotationOf(install) ?? inPlace;
  } else {
    warnings.push(`patching deployment/${settings.deployment} directly: an operator that manages it may put its own image back at its next reconcile`);
    inPlace = container.image;
    previous = annotationOf(deployment) ?? container.image;
  }
  if (container.pullPolicy === 'Always' && !image.includes('/')) {
    warnings.push(`deployment/${settings.deployment} pulls its image Always, but ${image} is a local image no registry has: the pods will fail to pull it (set imagePullPolicy: IfNotPresent)`);
  }
  const restart = inPlace === image;
  if (restart) {
    warnings.push(
      `${image} is already in place: rolling out new pods (as \`kubectl rollout restart\` does${
        settings.target === 'schedulerinstall' ? ', through spec.epp.podAnnotations of the SchedulerInstall' : ''
      }) so that they start from the image as it is now`,
    );
  }
  options.onPlan?.({ found: workspace.found, scoring, pods, warnings });
  const wanted = { image, restartedAt: restart ? new Date().toISOString() : undefined };
  // A second deploy keeps the image recorded by the first, so rollback still goes back to the original.
  await switchImage(k, settings, wanted, previous ?? null, container.name, options, steps);
  return { command: 'deploy', found: workspace.found, status: options.dryRun ? 'planned' : 'deployed', image, restarted: restart, previousImage: previous, settings, steps, scoring, pods, warnings };
}

/**
 * Puts back an image the same way: --image when given, else the one deploy recorded, else the
 * configured deploy.rollbackImage. Without any of them it refuses: it never guesses an image.
 */
export async function rollback(options: RollbackOptions): Promise<DeployResult> {
  // Checked before kubectl is asked anything: a bad name is a usage error, not a cluster failure.
  if (options.image !== undefined) checkImageReference(options.image);
  const workspace = findWorkspace(options);
  const config = loadConfig(workspace.root);
  if (config.deploy?.rollbackImage !== undefined) checkImageReference(config.deploy.rollbackImage, `${CONFIG_FILE} deploy.rollbackImage`);
  const settings = clusterSettings(options, config);
  const k = kubectlFor(options);
  const steps: Step[] = [];
  const warnings: string[] = [];
  const explicit = options.image === undefined ? undefined : checkImageReference(options.image);
  const fallback = config.deploy?.rollbackImage === undefined ? undefined : checkImageReference(config.deploy.rollbackImage, 'deploy.rollbackImage in instrument.config.json');
  const deployment = await getObject(k, 'deployment', settings.deployment, settings.namespace);
  const container = eppContainer(deployment, settings);
  const holder = settings.target === 'schedulerinstall' ? await getObject(k, 'schedulerinstall', settings.schedulerInstall, settings.namespace) : deployment;
  const holderName = `${settings.target}/${settings.target === 'schedulerinstall' ? settings.schedulerInstall : settings.deployment}`;
  const recorded = annotationOf(holder);
  const image = explicit ?? recorded ?? fallback;
  if (image === undefined) {
    throw new OperationError(
      `no image to roll back to: ${holderName} in ${settings.namespace} has no ${PREVIOUS_IMAGE_ANNOTATION} annotation (instrument deploy records it; a rollback removes it), and rollback does not guess`,
      `Name the image: \`instrument rollback --image <image>\` (the EPP now runs ${container.image ?? 'no image'}), or set deploy.rollbackImage in instrument.config.json to use as the fallback when nothing is recorded.`,
    );
  }
  if (explicit === undefined && recorded === undefined) warnings.push(`no image recorded by instrument deploy on ${holderName}; rolling back to deploy.rollbackImage from instrument.config.json: ${image}`);
  if (explicit !== undefined && recorded !== undefined && recorded !== explicit) warnings.push(`rolling back to ${explicit} (--image), not to ${recorded}, which deploy recorded`);
  await switchImage(k, settings, { image, restartedAt: undefined }, null, container.name, options, steps);
  return { command: 'rollback', found: workspace.found, status: options.dryRun ? 'planned' : 'rolled-back', image, restarted: false, previousImage: container.image, settings, steps, scoring: undefined, pods: [], warnings };
}
