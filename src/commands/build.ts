import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, relative, resolve } from 'node:path';
import { checkDockerignore, deriveDockerfile, derivedDockerignore } from '../build/dockerfile.ts';
import { commandLine, runTool } from '../build/exec.ts';
import { checkImageReference } from '../build/names.ts';
import { checkEngine, chooseRuntime, type Env, type RuntimeName } from '../build/runtime.ts';
import { unifiedDiff } from '../codemod/unified-diff.ts';
import { findWorkspace } from '../codemod/locate.ts';
import { goModDirectives } from '../codemod/workspace.ts';
import { DEFAULTS, loadConfig } from '../config.ts';
import { OperationError, UsageError } from '../errors.ts';
import { status } from './status.ts';

export interface BuildOptions {
  readonly cwd: string;
  /** The workspace, the llm-d tree or a folder in it (default: the current folder); paths below are relative to the workspace. */
  readonly root?: string | undefined;
  /** The llm-d tree to build, named directly (as apply's --source). */
  readonly source?: string | undefined;
  readonly tag?: string | undefined;
  readonly dockerfile?: string | undefined;
  readonly context?: string | undefined;
  /** `KEY=VALUE`, repeatable. */
  readonly buildArgs?: readonly string[] | undefined;
  readonly platform?: string | undefined;
  readonly runtime?: string | undefined;
  readonly allowUnpatched?: boolean | undefined;
  readonly dryRun?: boolean | undefined;
  readonly env: Env;
  /** Each line the engine prints, as it prints it. */
  readonly onOutput?: ((line: string) => void) | undefined;
}

export interface BuildResult {
  readonly command: 'build';
  readonly status: 'built' | 'planned';
  /** What was found: the llm-d tree and the workspace. */
  readonly found: string;
  readonly image: string;
  readonly runtime: RuntimeName;
  /** The exact command (the derived Dockerfile's path is temporary). */
  readonly argv: readonly string[];
  readonly dockerfile: {
    readonly path: string;
    /** Whether a derived copy was built instead of the user's file, and why (not). */
    readonly derived: boolean;
    readonly reason: string;
    /** The difference between the user's Dockerfile and the derived one. */
    readonly diff: string | undefined;
  };
  readonly imageId: string | undefined;
  readonly warnings: readonly string[];
}

function existingFile(path: string, what: string, hint: string): string {
  if (!existsSync(path)) throw new OperationError(`no ${what} at ${path}`, hint);
  return path;
}

/**
 * Directories `go.mod` replaces modules with that live inside the build context (the vendored
 * `_deps/...`). A replacement outside the context can never reach the image.
 */
function localReplacements(context: string): string[] {
  const goMod = join(context, 'go.mod');
  if (!existsSync(goMod)) return [];
  const targets = goModDirectives(readFileSync(goMod, 'utf8')).replaces.map((r) => r.target ?? '').filter((t) => t.startsWith('./') || t.startsWith('../') || t.startsWith('/'));
  for (const target of targets) {
    const rel = relative(context, resolve(context, target));
    if (rel.startsWith('..') || resolve(context, target) === resolve(target)) {
      throw new OperationError(
        `go.mod replaces a module with ${target}, which is outside the build context ${context}`,
        'Docker can only copy files from inside the context: move the replacement under the context (instrument vendor puts GIE in _deps/), or build with a wider --context.',
      );
    }
  }
  return targets.map((t) => relative(context, resolve(context, t)));
}

/**
 * Builds the EPP image from the workspace. When go.mod replaces GIE with the vendored copy, the
 * build uses a derived Dockerfile that also copies `_deps/` (the user's file is not touched).
 */
export async function build(options: BuildOptions): Promise<BuildResult> {
  const workspace = findWorkspace(options);
  const root = workspace.root;
  const config = loadConfig(root);
  const image = checkImageReference(options.tag ?? config.image ?? DEFAULTS.image, '--tag');
  // The llm-d tree found (whatever its folder is called) is the default context; --source names it directly.
  const tree = workspace.tree;
  const treeDir = tree?.llmd ?? (tree?.layout === 'source' ? tree.sources : undefined);
  const contextSetting = options.context ?? config.build?.context;
  const context = contextSetting !== undefined ? resolve(root, contextSetting) : (treeDir ?? resolve(root, DEFAULTS.build.context));
  if (!existsSync(context) || !statSync(context).isDirectory()) throw new UsageError(`--context ${context}: no such folder`, 'Pass the folder docker builds from (llm-d-inference-scheduler/ in a workspace).');
  const dockerfileSetting = options.dockerfile ?? config.build?.dockerfile;
  let dockerfile = dockerfileSetting !== undefined ? resolve(root, dockerfileSetting) : join(context, basename(DEFAULTS.build.dockerfile));
  const warnings: string[] = [];
  if (dockerfileSetting === undefined && !existsSync(dockerfile) && existsSync(join(context, 'Dockerfile'))) {
    // llm-d v0.2 and v0.3 have a single Dockerfile.
    dockerfile = join(context, 'Dockerfile');
  }
  existingFile(dockerfile, 'Dockerfile', 'Pass the EPP Dockerfile with --dockerfile (llm-d v0.4.0 and later: Dockerfile.epp; earlier: Dockerfile).');
  const buildArgs = [...Object.entries(config.build?.buildArgs ?? {}).map(([k, v]) => `${k}=${v}`), ...(options.buildArgs ?? [])];
  for (const arg of buildArgs) if (!/^[A-Za-z_][A-Za-z0-9_]*=/.test(arg)) throw new UsageError(`--build-arg ${JSON.stringify(arg)}: expected KEY=VALUE`, 'Pass each build argument as --build-arg KEY=VALUE.');
  const platform = options.platform ?? config.build?.platform;
  if (platform !== undefined && !/^[a-z0-9]+\/[a-z0-9_]+(\/[a-z0-9]+)?$/.test(platform)) throw new UsageError(`--platform ${JSON.stringify(platform)}: expected os/arch[/variant]`, 'For example --platform linux/amd64.');
  const runtime = chooseRuntime(options.runtime ?? config.build?.runtime, options.env);

  if (!options.allowUnpatched) {
    const { status: state } = await status({ cwd: options.cwd, root: options.root, source: options.source });
    if (state !== 'applied') {
      throw new OperationError(`the EPP sources are not instrumented (instrument status: ${state})`, 'Run `instrument apply` first, or pass --allow-unpatched to build them as they are.');
    }
  }

  // The vendored layout: go.mod's replacement directories must be copied into the image.
  const replaced = localReplacements(context);
  const user = readFileSync(dockerfile, 'utf8');
  let derived: { text: string; reason: string } | undefined;
  let reason = 'go.mod replaces no module with a folder of the context, so the Dockerfile is built as it is';
  if (replaced.length > 0) {
    checkDockerignore(context, dockerfile, replaced);
    const dirs = [...new Set(replaced.map((r) => r.split('/')[0]!))];
    if (dirs.length !== 1) throw new OperationError(`go.mod replaces modules with folders under ${dirs.join(', ')}`, 'instrument copies one vendored folder (_deps/); keep the replacements under it.');
    const derivation = deriveDockerfile(user, dirs[0]);
    if ('error' in derivation) throw new OperationError(`cannot tell where ${basename(dockerfile)} builds the Go module: ${derivation.error}`, 'Add `COPY _deps/ _deps/` before the first `go` step of your Dockerfile yourself, then build with --allow-unpatched if needed.');
    if (derivation.needed) derived = { text: derivation.text, reason: `added \`${derivation.copied}\` before line ${derivation.line} (the first Go step after go.mod is copied)` };
    else reason = derivation.reason;
  }

  const workDir = derived ? mkdtempSync(join(tmpdir(), 'instrument-build-')) : undefined;
  try {
    let fileToBuild = dockerfile;
    if (derived && workDir) {
      fileToBuild = join(workDir, basename(dockerfile));
      writeFileSync(fileToBuild, derived.text);
      // BuildKit reads <Dockerfile>.dockerignore beside the file first (podman: --ignorefile).
      writeFileSync(`${fileToBuild}.dockerignore`, derivedDockerignore(context, dockerfile, replaced));
    }
    const argv = [
      runtime,
      'build',
      '-t',
      image,
      '-f',
      fileToBuild,
      ...(derived && runtime === 'podman' ? ['--ignorefile', `${fileToBuild}.dockerignore`] : []),
      ...buildArgs.flatMap((a) => ['--build-arg', a]),
      ...(platform ? ['--platform', platform] : []),
      context,
    ];
    const shown = relative(root, dockerfile) || dockerfile;
    const result = (status: BuildResult['status'], imageId?: string): BuildResult => ({
      command: 'build',
      status,
      found: workspace.found,
      image,
      runtime,
      argv,
      dockerfile: {
        path: shown,
        derived: derived !== undefined,
        reason: derived?.reason ?? reason,
        diff: derived ? unifiedDiff([{ display: shown, before: user, after: derived.text }]) : undefined,
      },
      imageId,
      warnings,
    });
    if (options.dryRun) return result('planned');
    await checkEngine(runtime, options.env);
    options.onOutput?.(`$ ${commandLine(argv)}`);
    await runTool(argv, { env: options.env, onLine: options.onOutput });
    const inspected = JSON.parse((await runTool([runtime, 'image', 'inspect', image], { env: options.env })).stdout) as Array<{ Id?: string }>;
    return result('built', inspected[0]?.Id);
  } finally {
    // A dry run keeps the derived file, so that the printed command can be run as it is.
    if (workDir && !options.dryRun) rmSync(workDir, { recursive: true, force: true });
  }
}
