import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmdirSync, rmSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { cloneAt, describeCheckout, type CloneDepth, type CloneOptions } from '../build/git.ts';
import { OperationError, UsageError } from '../errors.ts';
import { declaredModule, GIE_MODULE, LLMD_MODULES, VENDORED_GIE_DIR, resolveTree, summarizeTree, type TreeSummary, type TreeOptions } from '../codemod/locate.ts';
import { readState } from '../codemod/state.ts';
import { requiredGieVersion } from '../codemod/workspace.ts';

export const DEFAULT_GIE_UPSTREAM = 'https://github.com/kubernetes-sigs/gateway-api-inference-extension.git';

/** A Go module version as a git ref: the commit of a pseudo-version, else the tag itself. */
export function versionToRef(version: string): { ref: string; kind: 'commit' | 'tag' } {
  const pseudo = /-(?:[0-9a-z.]+\.)?\d{14}-([0-9a-f]{12})$/.exec(version);
  return pseudo ? { ref: pseudo[1]!, kind: 'commit' } : { ref: version.replace(/\+incompatible$/, ''), kind: 'tag' };
}

function llmdGoMod(llmd: string): { path: string; required: string | undefined } {
  const path = join(llmd, 'go.mod');
  if (!existsSync(path)) throw new UsageError(`${path} does not exist`, `Run instrument in the llm-d checkout or the workspace that holds it, or pass --root.`);
  return { path, required: requiredGieVersion(readFileSync(path, 'utf8')) };
}

/**
 * Says whether the vendored copy is the GIE version llm-d's go.mod requires. The copy's version is
 * read from its git checkout (as `instrument vendor` leaves it); without git it cannot be told.
 */
export async function vendoredVersionWarning(llmd: string): Promise<string | undefined> {
  const LLMD_DIR = basename(llmd);
  const { required } = llmdGoMod(llmd);
  if (!required) return `${LLMD_DIR}/go.mod does not require ${GIE_MODULE}, so the vendored copy may not be used at all`;
  const dir = join(llmd, VENDORED_GIE_DIR);
  const checkout = await describeCheckout(dir);
  const wanted = versionToRef(required);
  if (!checkout) {
    return `cannot tell which GIE version ${LLMD_DIR}/${VENDORED_GIE_DIR} holds (it is not a git checkout); go.mod requires ${required}`;
  }
  const matches = wanted.kind === 'commit' ? checkout.commit.startsWith(wanted.ref) : checkout.tags.includes(wanted.ref);
  if (matches) return undefined;
  const has = checkout.tags.length > 0 ? checkout.tags.join(', ') : checkout.commit.slice(0, 12);
  return `the vendored copy is at ${has} but ${LLMD_DIR}/go.mod requires ${GIE_MODULE} ${required}; the image would build a different GIE than go.mod names (run \`instrument vendor --force\` to replace it)`;
}

export interface VendorOptions extends TreeOptions {
  /** Where GIE is cloned from. Defaults to the kubernetes-sigs repository. */
  readonly upstream?: string | undefined;
  /** Replace an existing vendored copy. */
  readonly force?: boolean | undefined;
  /** git's progress while it clones (for a status line on a terminal). */
  readonly onProgress?: CloneOptions['onProgress'];
}

export interface VendorResult {
  readonly command: 'vendor';
  readonly status: 'vendored' | 'present';
  readonly tree: TreeSummary;
  readonly dir: string;
  readonly version: string;
  readonly ref: string;
  readonly commit: string | undefined;
  readonly upstream: string;
  /** Where an existing copy was moved by --force. */
  readonly movedAside?: string | undefined;
  /** How much history the new copy holds, and why more than its commit when it does. */
  readonly depth?: CloneDepth | undefined;
  readonly depthNote?: string | undefined;
}

/** Fills `_deps/gateway-api-inference-extension` with the GIE version that llm-d's go.mod requires. */
export async function vendor(options: VendorOptions): Promise<VendorResult> {
  // vendor fills the llm-d tree's _deps/, so --source names that tree the way --root does.
  const tree = resolveTree({ cwd: options.cwd, root: options.source ?? options.root, source: undefined });
  const llmd = tree.llmd!;
  const { required } = llmdGoMod(llmd);
  // llm-d-router's go.mod still requires GIE, for its API types only; a copy in _deps/ would be
  // taken for the EPP's sources, and the EPP in pkg/epp left alone.
  if (declaredModule(llmd) === LLMD_MODULES[1]) {
    throw new OperationError(`${basename(llmd)}/go.mod declares ${LLMD_MODULES[1]}, whose EPP is in its own tree (pkg/epp)`, 'Nothing to vendor: run `instrument apply` on the tree as it is.');
  }
  if (!required) throw new OperationError(`${basename(llmd)}/go.mod does not require ${GIE_MODULE}`, 'Nothing to vendor: this llm-d version keeps the EPP in its own tree (pkg/epp).');
  const wanted = versionToRef(required);
  const { ref } = wanted;
  const dir = join(llmd, VENDORED_GIE_DIR);
  const upstream = options.upstream ?? DEFAULT_GIE_UPSTREAM;
  const shown = relative(tree.root, dir);
  const present = existsSync(dir);
  if (present && !options.force) {
    return { command: 'vendor', status: 'present', tree: summarizeTree(tree), dir: shown, version: required, ref, commit: (await describeCheckout(dir))?.commit, upstream };
  }
  if (present && readState(tree)) {
    throw new OperationError(`the patches are applied in ${shown}`, 'Run `instrument revert` first, then vendor again.');
  }
  // Clone next to the target and move it into place only once complete, so a failed clone changes
  // nothing; an existing copy is moved aside, never deleted.
  const depsMade = !existsSync(dirname(dir));
  mkdirSync(dirname(dir), { recursive: true });
  const staging = join(dirname(dir), `.${basename(dir)}.instrument-${process.pid}`);
  rmSync(staging, { recursive: true, force: true });
  let clone: Awaited<ReturnType<typeof cloneAt>>;
  try {
    clone = await cloneAt(upstream, wanted, staging, { cwd: options.cwd, onProgress: options.onProgress });
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    // A _deps/ made for this clone goes with it; one that was there (or holds anything) stays.
    if (depsMade && readdirSync(dirname(dir)).length === 0) rmdirSync(dirname(dir));
    throw error;
  }
  let movedAside: string | undefined;
  if (present) {
    movedAside = `${dir}.replaced-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    renameSync(dir, movedAside);
  }
  renameSync(staging, dir);
  return {
    command: 'vendor',
    status: 'vendored',
    tree: summarizeTree(tree),
    dir: shown,
    version: required,
    ref,
    commit: clone.commit,
    upstream,
    movedAside: movedAside && relative(tree.root, movedAside),
    depth: clone.depth,
    depthNote: clone.note,
  };
}
