import { existsSync, mkdirSync } from 'node:fs';
import { execa } from 'execa';
import { isAbsolute, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { simpleGit, type SimpleGitProgressEvent } from 'simple-git';
import { OperationError } from '../errors.ts';

/**
 * The few git operations instrument needs, as small verbs over simple-git, so that commands stay
 * readable and tests can replace this module.
 */

/** The tag (if HEAD is exactly at one) and commit of a checkout; undefined when it is not a git checkout. */
export async function describeCheckout(dir: string): Promise<{ tags: string[]; commit: string } | undefined> {
  if (!existsSync(join(dir, '.git'))) return undefined;
  const git = simpleGit(dir);
  try {
    const commit = (await git.revparse(['HEAD'])).trim();
    const tags = (await git.tag(['--points-at', 'HEAD'])).split('\n').map((t) => t.trim()).filter(Boolean);
    return { tags, commit };
  } catch {
    return undefined;
  }
}

/** How much of the upstream history a clone holds. */
export type CloneDepth = 'one commit' | 'history without file contents' | 'whole history';

export interface Clone {
  readonly commit: string;
  readonly depth: CloneDepth;
  /** Why the clone holds more than the one commit, when it does. */
  readonly note?: string | undefined;
}

export interface CloneOptions {
  /** The folder a relative local path is taken from. */
  readonly cwd: string;
  /** git's progress (counting, receiving, resolving), as it comes. */
  readonly onProgress?: ((event: SimpleGitProgressEvent) => void) | undefined;
}

/**
 * A local repository as a file:// URL. git clones a plain path by copying or linking its whole
 * object store and ignores --depth and --filter there; through file:// it talks the protocol a
 * remote does, so the clone holds only what was asked for.
 */
function cloneSource(url: string, cwd: string): string {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url) || /^[^/]+@[^/]+:/.test(url)) return url;
  const path = isAbsolute(url) ? url : resolve(cwd, url);
  return existsSync(path) ? pathToFileURL(path).href : url;
}

/**
 * Clones the one tag or commit `ref` names from `url` (a remote URL or a local path) into `dir`,
 * detached at it. A tag comes as a shallow clone of its commit. A commit given by the 12 hex digits
 * of a Go pseudo-version cannot be fetched by that prefix, so the history is cloned without file
 * contents (a partial clone) and only the commit's files are fetched. Where the remote offers
 * neither (a dumb HTTP server; a local repository without uploadpack.allowFilter for partial
 * clones), the whole history is cloned, and the result says so.
 */
export async function cloneAt(url: string, ref: { ref: string; kind: 'tag' | 'commit' }, dir: string, options: CloneOptions): Promise<Clone> {
  const source = cloneSource(url, options.cwd);
  // simple-git adds --progress when it has a progress handler; --quiet would silence that.
  const git = () => simpleGit(options.onProgress ? { progress: options.onProgress } : {});
  const quiet = options.onProgress ? [] : ['--quiet'];
  const checkedOut = async (depth: CloneDepth, note?: string): Promise<Clone> => {
    const clone = simpleGit(dir);
    await clone.checkout(['--quiet', '--detach', ref.ref]);
    return { commit: (await clone.revparse(['HEAD'])).trim(), depth, note };
  };
  try {
    if (ref.kind === 'tag') {
      try {
        await git().clone(source, dir, ['--depth', '1', '--branch', ref.ref, '--no-checkout', ...quiet]);
        return await checkedOut('one commit');
      } catch (error) {
        if (!/does not support shallow/i.test((error as Error).message)) throw error;
        await git().clone(source, dir, ['--no-checkout', ...quiet]);
        return await checkedOut('whole history', `${url} cannot send a shallow clone (a dumb HTTP server), so its whole history was cloned`);
      }
    }
    await git().clone(source, dir, ['--filter=blob:none', '--no-checkout', ...quiet]);
    // Before the checkout, a partial clone holds no file contents at all; a remote that ignored the
    // filter (git then only warns) sent every object.
    const missing = await simpleGit(dir).raw(['rev-list', '--objects', '--all', '--missing=print']);
    const partial = /^\?/m.test(missing);
    const why = `go.mod names the commit by its first 12 hex digits, which git cannot fetch by, so the history was cloned to find it`;
    return partial
      ? await checkedOut('history without file contents', why)
      : await checkedOut('whole history', `${why}; ${url} does not serve partial clones, so file contents came too`);
  } catch (error) {
    throw new OperationError(
      `could not clone ${url} at ${ref.ref}: ${(error as Error).message.trim().split('\n').slice(-3).join(' ')}`,
      'Check the URL (--upstream) and that the ref exists there (`git ls-remote <url>`).',
      error,
    );
  }
}

/** Makes `dir` a bare mirror of `url`, or brings an existing mirror up to date (tags included). */
export async function mirrorClone(url: string, dir: string): Promise<void> {
  if (existsSync(join(dir, 'HEAD'))) await simpleGit(dir).fetch(['--prune', '--tags', '--force', 'origin']);
  else await simpleGit().clone(url, dir, ['--mirror', '--quiet']);
}

/** The commit a ref (tag, branch, commit) names; undefined when it names none. */
export async function commitOf(dir: string, ref: string): Promise<string | undefined> {
  try {
    return (await simpleGit(dir).revparse([`${ref}^{commit}`])).trim();
  } catch {
    return undefined;
  }
}

export async function tagNames(dir: string): Promise<string[]> {
  return (await simpleGit(dir).tags()).all;
}

/** Writes a clean copy of a commit's files into `dest` (git archive: no .git, nothing else). */
export async function exportCommit(gitDir: string, commit: string, dest: string): Promise<void> {
  mkdirSync(dest, { recursive: true });
  await execa('git', ['--git-dir', gitDir, 'archive', '--format=tar', commit], { buffer: { stdout: false } }).pipe('tar', ['-x', '-C', dest]);
}
