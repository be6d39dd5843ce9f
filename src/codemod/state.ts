import { closeSync, existsSync, fchmodSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, rmdirSync, readdirSync, rmSync, statSync, writeSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { InternalError, OperationError } from '../errors.ts';
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
  /** sha256 of the file before apply: revert must give back exactly these bytes. */
  readonly pristineSha256: string;
  /** sha256 right after apply: a different hash later means someone edited the file. */
  readonly patchedSha256: string;
  readonly points: readonly string[];
  /**
   * apply created the file (`pristineSha256` is then `''`): revert removes it, but only when its
   * bytes still hash to `patchedSha256`.
   */
  readonly created?: true;
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
  if (!existsSync(path)) return undefined;
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as T;
  } catch (error) {
    throw new OperationError(
      `${path} is not readable JSON (${(error as Error).message})`,
      `It is instrument's ${what}. If you edited it, restore it; if it is damaged, check \`git status\` of your sources and remove ${dirname(path)} once they are as you want them.`,
    );
  }
}

export function readState(tree: SourceTree): AppliedState | undefined {
  const state = readJson<AppliedState>(join(stateDir(tree), 'state.json'), 'record of the last apply');
  if (state && state.schema !== 1) throw new InternalError(`unknown state schema ${String(state.schema)}`);
  return state;
}

/** Creates the state folder, refusing one that is a link to somewhere outside the tree. */
export function ensureStateDir(tree: SourceTree): string {
  const dir = stateDir(tree);
  writablePath(tree.root, dir);
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** Writes and flushes a new file with exactly `mode` (the temporary half of an atomic write). */
export function writeDurable(path: string, bytes: Uint8Array, mode: number): void {
  const fd = openSync(path, 'w', mode);
  try {
    // open() applies the umask; a file that was 0664 must come back 0664.
    fchmodSync(fd, mode);
    writeSync(fd, bytes);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Renames a flushed temporary file over its target and flushes the folder. */
export function replaceWith(tmp: string, path: string): void {
  renameSync(tmp, path);
  syncDir(dirname(path));
}

/**
 * Writes a file so that a crash at any moment leaves either the old or the new content: a temporary
 * file in the same folder, flushed, then renamed over the target, keeping the target's permission bits.
 */
export function writeFileAtomic(path: string, bytes: Uint8Array): void {
  const tmp = temporaryPathFor(path);
  writeDurable(tmp, bytes, existsSync(path) ? statSync(path).mode & 0o7777 : 0o644);
  replaceWith(tmp, path);
}

export function temporaryPathFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.instrument-${process.pid}.tmp`);
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
  if (existsSync(dir) && readdirSync(dir).length === 0) rmdirSync(dir);
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
    files.push({ path: relative(tree.root, helper), pristineSha256: '', patchedSha256: sha256(expected), points: [], created: true });
  }
  return { files, recorded: false };
}
