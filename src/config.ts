import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { UsageError } from './errors.ts';

/** The optional settings file of a workspace; every value in it can also be given as a flag. */
export const CONFIG_FILE = 'instrument.config.json';

/**
 * Settings, with the defaults of the manual workflow they replace. Flags win over the file, the
 * file over these defaults.
 */
export const DEFAULTS = {
  image: 'llm-d-inference-scheduler:local',
  build: {
    dockerfile: 'llm-d-inference-scheduler/Dockerfile.epp',
    context: 'llm-d-inference-scheduler',
  },
  deploy: {
    namespace: 'llm-d-inference-scheduler',
    schedulerInstall: 'llm-sched-install',
    deployment: 'gaie-inference-scheduling-epp',
    target: 'schedulerinstall',
    timeout: '5m',
  },
  pods: { namespace: 'llm-d-vllm', selector: 'role=proxy' },
} as const;

type Kind = 'string' | 'number' | 'string-map' | 'string-list';

/** The keys the file may hold, and their types: a typo in the file is an error, not a silent default. */
const SCHEMA: Record<string, Kind | Record<string, Kind>> = {
  image: 'string',
  build: { dockerfile: 'string', context: 'string', buildArgs: 'string-map', platform: 'string', runtime: 'string' },
  cluster: { kind: 'string', name: 'string', profile: 'string' },
  deploy: {
    namespace: 'string',
    schedulerInstall: 'string',
    deployment: 'string',
    container: 'string',
    configMap: 'string',
    rollbackImage: 'string',
    target: 'string',
    timeout: 'string',
    timeoutSeconds: 'number',
  },
  pods: { namespace: 'string', selector: 'string' },
  traffic: { url: 'string', model: 'string', prompt: 'string', requests: 'number', concurrency: 'number', timeoutSeconds: 'number', headers: 'string-list' },
  logs: { since: 'string', container: 'string' },
};

export type WorkspaceConfig = {
  image?: string;
  build?: { dockerfile?: string; context?: string; buildArgs?: Record<string, string>; platform?: string; runtime?: string };
  cluster?: { kind?: string; name?: string; profile?: string };
  deploy?: {
    namespace?: string;
    schedulerInstall?: string;
    deployment?: string;
    container?: string;
    configMap?: string;
    rollbackImage?: string;
    target?: string;
    /** A Go duration (`5m`); `timeoutSeconds` is the older spelling. */
    timeout?: string;
    timeoutSeconds?: number;
  };
  pods?: { namespace?: string; selector?: string };
  traffic?: { url?: string; model?: string; prompt?: string; requests?: number; concurrency?: number; timeoutSeconds?: number; headers?: string[] };
  logs?: { since?: string; container?: string };
};

function checkValue(value: unknown, kind: Kind, where: string, file: string): void {
  const ok =
    kind === 'string'
      ? typeof value === 'string'
      : kind === 'number'
        ? typeof value === 'number' && Number.isFinite(value)
        : kind === 'string-list'
          ? Array.isArray(value) && value.every((v) => typeof v === 'string')
          : typeof value === 'object' && value !== null && !Array.isArray(value) && Object.values(value).every((v) => typeof v === 'string');
  if (!ok) throw new UsageError(`${file}: ${where} must be a ${kind.replace('-', ' ')}`, `Fix ${where} in ${file}.`);
}

/** Reads `instrument.config.json` from the workspace, if there is one, and checks every key. */
export function loadConfig(root: string): WorkspaceConfig {
  const file = join(resolve(root), CONFIG_FILE);
  if (!existsSync(file)) return {};
  let parsed: unknown;
  try {
    // Editors on Windows write a byte-order mark; it is not part of the JSON.
    parsed = JSON.parse(readFileSync(file, 'utf8').replace(/^\uFEFF/, ''));
  } catch (error) {
    throw new UsageError(`${file} is not valid JSON: ${(error as Error).message}`, `Fix the file, or remove it to use the defaults.`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new UsageError(`${file} must hold a JSON object`, 'See the README for its keys.');
  for (const [key, value] of Object.entries(parsed)) {
    const kind = SCHEMA[key];
    if (kind === undefined) throw new UsageError(`${file}: unknown key "${key}"`, `Known keys: ${Object.keys(SCHEMA).join(', ')}.`);
    if (typeof kind === 'string') {
      checkValue(value, kind, key, file);
      continue;
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new UsageError(`${file}: "${key}" must be an object`, `Known keys in it: ${Object.keys(kind).join(', ')}.`);
    for (const [inner, innerValue] of Object.entries(value)) {
      const innerKind = kind[inner];
      if (innerKind === undefined) throw new UsageError(`${file}: unknown key "${key}.${inner}"`, `Known keys in "${key}": ${Object.keys(kind).join(', ')}.`);
      checkValue(innerValue, innerKind, `${key}.${inner}`, file);
    }
  }
  return parsed as WorkspaceConfig;
}
