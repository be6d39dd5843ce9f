import { closeSync, existsSync, fchmodSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, rmdirSync, readdirSync, rmSync, statSync, writeSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, normalize, relative, sep } from 'node:path';
import { OperationError } from '../errors.ts';
import { HELPER_FILE_NAME, helperText } from '../patches/run-record.ts';
import { findTargetFiles, writablePath, type SourceTree } from './locate.ts';
import { isCreatedFile } from './markers.ts';
import { sha256 } from './source-text.ts';

/** instrument's own folder in the tree it works on; revert removes it. */
export const STATE_DIR = '.instrument';

export function stateDir(tree: SourceTree): string {
  return join(tree.root, STATE_DIR);
}

/** What apply recorded about one file it changed. Paths are relative to the tree root. */
export interface AppliedFile {
  readonly path: string;
  /**
   * sha256 of the file before apply: revert must give back exactly these bytes. `null`: the file did
   * not exist, apply created it, and revert removes it only while it holds exactly the bytes written.
   */
  readonly pristineSha256: string | null;
  /** sha256 right after apply: a different hash later means someone edited the file. */
  readonly patchedSha256: string;
  readonly points: readonly string[];
}

export interface AppliedState {
  readonly schema: 1;
  readonly tool: string;
  readonly appliedAt: string;
  readonly verbosity: number;
  readonly layout: SourceTree['layout'];
  readonly sources: string;
  readonly files: readonly AppliedFile[];
}

export function readJson<T>(path: string, what: string): T | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw error;
  }
  try {
    return JSON.parse(text) as T;
  } catch (error) {
    throw new OperationError(
      `${path} is not readable JSON (${(error as Error).message})`,
      `It is instrument's ${what}. If you edited it, restore it; if it is damaged, check \`git status\` of your sources and remove ${dirname(path)} once they are as you want them.`,
    );
  }
}

const SHA256 = /^[0-9a-f]{64}$/;

export function isSha256(value: unknown): value is string {
  return typeof value === 'string' && SHA256.test(value);
}

/**
 * A path a record of ours may name: relative, inside the tree, outside our own folder, and one of
 * the kinds of file instrument ever writes (Go sources and go.mod). Anything else in a journal or a
 * state file was not written by us, and nothing is done with it.
 */
export function recordedPathProblem(path: unknown): string | undefined {
  if (typeof path !== 'string' || path === '') return 'is not a path';
  if (isAbsolute(path)) return `${path} is an absolute path`;
  const normal = normalize(path);
  if (normal.startsWith('..') || normal !== path.replace(/\/+$/, '')) return `${path} leads outside the tree or is not a plain relative path`;
  if (normal.split(sep)[0] === STATE_DIR) return `${path} is inside ${STATE_DIR}/`;
  if (!(basename(normal).endsWith('.go') || basename(normal) === 'go.mod')) return `${path} is neither a .go file nor a go.mod, the only files instrument writes`;
  return undefined;
}

function stateProblem(tree: SourceTree, state: unknown): string | undefined {
  if (typeof state !== 'object' || state === null || Array.isArray(state)) return 'it is not a JSON object';
  const s = state as Record<string, unknown>;
  if (s.schema !== 1) return `its schema is ${JSON.stringify(s.schema) ?? 'missing'}, and this instrument reads schema 1`;
  if (!Array.isArray(s.files)) return `its "files" is ${JSON.stringify(s.files) ?? 'missing'}, not a list`;
  if (s.layout !== tree.layout || s.sources !== (relative(tree.root, tree.sources) || '.')) {
    return `it was written for another tree (layout ${String(s.layout)}, sources ${String(s.sources)}; this tree: ${tree.layout}, ${relative(tree.root, tree.sources) || '.'})`;
  }
  for (const [i, file] of (s.files as unknown[]).entries()) {
    const f = (file ?? {}) as Record<string, unknown>;
    const pathProblem = recordedPathProblem(f.path);
    if (pathProblem) return `files[${i}]: ${pathProblem}`;
    if (!(f.pristineSha256 === null || isSha256(f.pristineSha256)) || !isSha256(f.patchedSha256)) return `files[${i}] (${String(f.path)}): its hashes are not sha256 values`;
    if (!Array.isArray(f.points) || !f.points.every((p) => typeof p === 'string')) return `files[${i}] (${String(f.path)}): its "points" is not a list of point ids`;
  }
  return undefined;
}

export function statePath(tree: SourceTree): string {
  return join(stateDir(tree), 'state.json');
}

/** The record of the last apply, checked: anything we did not write is refused, never acted on. */
export function readState(tree: SourceTree): AppliedState | undefined {
  const path = statePath(tree);
  const state = readJson<unknown>(path, 'record of the last apply');
  if (state === undefined) return undefined;
  const problem = stateProblem(tree, state);
  if (problem) {
    throw new OperationError(
      `${path} is not a record instrument wrote for this tree: ${problem}`,
      `Nothing was changed. If you copied or edited it, put the original back. Otherwise move it away: \`instrument revert\` then removes the blocks it finds in the sources (without the recorded hashes), and \`git diff\` shows the rest.`,
    );
  }
  return state as AppliedState;
}

/** Creates the state folder, refusing one that is a link to somewhere outside the tree, or a file. */
export function ensureStateDir(tree: SourceTree): string {
  const dir = stateDir(tree);
  writablePath(tree.root, dir);
  const found = statSync(dir, { throwIfNoEntry: false });
  if (found && !found.isDirectory()) {
    throw new OperationError(
      `${dir} is a file, but instrument keeps its lock, journal and record of the last apply in that folder`,
      `Move ${dir} away (instrument never deletes it), then run the command again.`,
    );
  }
  if (!found) mkdirSync(dir);
  return dir;
}

/** Writes and flushes a new file with exactly `mode` (the temporary half of an atomic write). */
export function writeDurable(path: string, bytes: Uint8Array, mode: number): void {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'w', mode);
    // open() applies the umask; a file that was 0664 must come back 0664.
    fchmodSync(fd, mode);
    // Positioned writes (pwrite): the event loop's own writes (eventfd wake-ups) are plain write
    // calls, so the fault-injection harness can count ours alone.
    for (let done = 0; done < bytes.length; ) done += writeSync(fd, bytes, done, bytes.length - done, done);
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
  } catch (error) {
    // Calls on a descriptor name no path: say which file, and leave no half-written one behind.
    (error as NodeJS.ErrnoException).path ??= path;
    if (fd !== undefined) closeQuietly(fd);
    removeQuietly(path);
    throw error;
  }
}

/** Removes a temporary file of ours after a failure, keeping that failure as the one reported. */
function removeQuietly(path: string): void {
  try {
    rmSync(path, { force: true });
  } catch {
    // Left for the cleanup of the next run, which owns every temporary name of ours.
  }
}

function closeQuietly(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // The write already failed; that is the error to report.
  }
}

/** Renames a flushed temporary file over its target and flushes the folder. */
export function replaceWith(tmp: string, path: string): void {
  try {
    renameSync(tmp, path);
  } catch (error) {
    removeQuietly(tmp);
    throw error;
  }
  syncDir(dirname(path));
}

/**
 * Writes a file so that a crash at any moment leaves either the old or the new content: a temporary
 * file in the same folder, flushed, then renamed over the target, keeping the target's permission bits.
 */
export function writeFileAtomic(path: string, bytes: Uint8Array): void {
  const tmp = ourTemporaryPath(path);
  writeDurable(tmp, bytes, existsSync(path) ? statSync(path).mode & 0o7777 : 0o644);
  replaceWith(tmp, path);
}

/**
 * The one form of every temporary file instrument makes: `.<name>.instrument-<pid>.tmp` beside the
 * file it becomes. `cleanUpTemporaryFiles` (transaction.ts) recognises exactly this form.
 */
export function ourTemporaryPath(path: string, pid = process.pid): string {
  return join(dirname(path), `.${basename(path)}.instrument-${pid}.tmp`);
}

const TEMPORARY = /^\.(.+)\.instrument-(\d+)\.tmp$/;

/** For a name of our temporary form: the file it was to become and the pid that made it. */
export function parseTemporaryName(name: string): { target: string; pid: number } | undefined {
  const match = TEMPORARY.exec(name);
  return match ? { target: match[1]!, pid: Number(match[2]) } : undefined;
}

export function syncDir(dir: string): void {
  try {
    const fd = openSync(dir, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // Some file systems refuse fsync on folders; the rename is still atomic there.
  }
}

export function writeState(tree: SourceTree, state: AppliedState): void {
  writeFileAtomic(join(ensureStateDir(tree), 'state.json'), Buffer.from(JSON.stringify(state, null, 2) + '\n'));
}

export function removeState(tree: SourceTree): void {
  rmSync(join(stateDir(tree), 'state.json'), { force: true });
}

/** Removes the state folder when nothing of ours (or anything else) is left in it. */
export function removeStateDirIfEmpty(tree: SourceTree): void {
  const dir = stateDir(tree);
  if (statSync(dir, { throwIfNoEntry: false })?.isDirectory() && readdirSync(dir).length === 0) rmdirSync(dir);
}

/**
 * The files that hold (or held) our blocks: those the last apply recorded, else, when the record is
 * gone, every target file (and the workspace go.mod) that still holds instrument markers.
 */
export function patchedFiles(tree: SourceTree): { files: AppliedFile[]; recorded: boolean } {
  const state = readState(tree);
  if (state) return { files: [...state.files], recorded: true };
  const targets = findTargetFiles(tree.sources);
  const candidates = [...targets.scheduler, ...targets.profile, ...targets.server];
  if (tree.llmd) candidates.push(join(tree.llmd, 'go.mod'));
  const files: AppliedFile[] = candidates
    .filter((path) => existsSync(path) && readFileSync(path, 'utf8').includes('// instrument:'))
    .map((path) => ({ path: relative(tree.root, path), pristineSha256: '', patchedSha256: '', points: [] }));
  for (const dir of new Set(targets.profile.map((path) => dirname(path)))) {
    const helper = join(dir, HELPER_FILE_NAME);
    if (!existsSync(helper)) continue;
    const text = readFileSync(helper, 'utf8');
    if (!isCreatedFile(text)) continue;
    // With no record, the bytes apply would write for this package are what the file must be.
    const expected = helperText(/^package (\w+)$/m.exec(text)?.[1] ?? '');
    files.push({ path: relative(tree.root, helper), pristineSha256: null, patchedSha256: sha256(expected), points: [] });
  }
  return { files, recorded: false };
}
