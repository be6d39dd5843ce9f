import { parse as parseYaml } from 'yaml';
import { OperationError } from '../errors.ts';
import { getObject, listPods, type KubeObject, type Kubectl } from './kube.ts';

/** The EPP's plugin configuration file inside its config map. */
export const EPP_CONFIG_KEY = 'epp-config.yaml';
/** The plugin types whose presence and weights matter for this tool's questions. */
export const WATCHED_TYPES = ['active-request-scorer', 'by-label-selector', 'max-score-picker'] as const;

export interface PluginUse {
  readonly profile: string;
  readonly weight: number | undefined;
}

export interface WatchedPlugin {
  readonly type: (typeof WATCHED_TYPES)[number];
  readonly configured: boolean;
  /** The names it is configured under (a type may be configured more than once). */
  readonly names: readonly string[];
  /** Where scheduling profiles refer to it, with the weight they give it. */
  readonly uses: readonly PluginUse[];
}

export interface ScoringSetup {
  readonly configMap: string;
  readonly plugins: ReadonlyArray<{ readonly type: string; readonly name: string }>;
  readonly profiles: ReadonlyArray<{ readonly name: string; readonly plugins: ReadonlyArray<{ readonly ref: string; readonly type: string | undefined; readonly weight: number | undefined }> }>;
  readonly watched: readonly WatchedPlugin[];
}

export interface CandidatePod {
  readonly name: string;
  readonly ip: string | undefined;
  readonly phase: string | undefined;
  readonly ready: boolean;
}

type EppConfig = {
  plugins?: Array<{ type?: unknown; name?: unknown }>;
  schedulingProfiles?: Array<{ name?: unknown; plugins?: Array<{ pluginRef?: unknown; weight?: unknown }> }>;
};

/**
 * Reads the EndpointPickerConfig (parsed as YAML, never grepped): which plugins are configured, and
 * which weights the scheduling profiles give them.
 */
export function readScoringSetup(yamlText: string, configMap: string): ScoringSetup {
  let config: EppConfig;
  try {
    config = (parseYaml(yamlText) ?? {}) as EppConfig;
  } catch (error) {
    throw new OperationError(`configmap/${configMap} key ${EPP_CONFIG_KEY} is not valid YAML: ${(error as Error).message}`, 'Check the EPP configuration with `kubectl get configmap -o yaml`.');
  }
  const plugins = (Array.isArray(config.plugins) ? config.plugins : [])
    .filter((p) => typeof p?.type === 'string')
    .map((p) => ({ type: p.type as string, name: typeof p.name === 'string' ? p.name : (p.type as string) }));
  const typeOf = new Map(plugins.map((p) => [p.name, p.type]));
  const profiles = (Array.isArray(config.schedulingProfiles) ? config.schedulingProfiles : []).map((profile) => ({
    name: typeof profile?.name === 'string' ? profile.name : '(unnamed)',
    plugins: (Array.isArray(profile?.plugins) ? profile.plugins : [])
      .filter((p) => typeof p?.pluginRef === 'string')
      .map((p) => ({ ref: p.pluginRef as string, type: typeOf.get(p.pluginRef as string), weight: typeof p.weight === 'number' ? p.weight : undefined })),
  }));
  const watched = WATCHED_TYPES.map((type) => {
    const names = plugins.filter((p) => p.type === type).map((p) => p.name);
    const uses = profiles.flatMap((profile) => profile.plugins.filter((p) => names.includes(p.ref)).map((p) => ({ profile: profile.name, weight: p.weight })));
    return { type, configured: names.length > 0, names, uses };
  });
  return { configMap, plugins, profiles, watched };
}

/** The config map holding epp-config.yaml: the one named, or the one the Deployment mounts. */
export async function findEppConfig(k: Kubectl, namespace: string, deployment: KubeObject, named: string | undefined): Promise<{ name: string; text: string }> {
  const candidates = named
    ? [named]
    : (((deployment.spec?.template as { spec?: { volumes?: Array<{ configMap?: { name?: string } }> } })?.spec?.volumes ?? [])
        .map((v) => v.configMap?.name)
        .filter((n): n is string => typeof n === 'string'));
  for (const name of candidates) {
    const map = await getObject(k, 'configmap', name, namespace);
    const text = map.data?.[EPP_CONFIG_KEY];
    if (text !== undefined) return { name, text };
  }
  throw new OperationError(
    named ? `configmap/${named} in ${namespace} has no ${EPP_CONFIG_KEY} key` : `no config map mounted by the EPP deployment in ${namespace} holds ${EPP_CONFIG_KEY}`,
    'Name the config map with --configmap (or deploy.configMap in instrument.config.json).',
  );
}

export async function candidatePods(k: Kubectl, namespace: string, selector: string): Promise<CandidatePod[]> {
  return (await listPods(k, namespace, selector)).map((pod) => {
    const status = pod.status as { podIP?: string; phase?: string; conditions?: Array<{ type?: string; status?: string }> } | undefined;
    return {
      name: pod.metadata?.name ?? '',
      ip: status?.podIP,
      phase: status?.phase,
      ready: status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false,
    };
  });
}
