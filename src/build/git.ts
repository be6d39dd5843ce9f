import { existsSync, mkdirSync } from 'node:fs';
import { execa } from 'execa';
import { join } from 'node:path';
import { simpleGit } from 'simple-git';
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

/** Clones `url` (a remote URL or a local path) and checks out `ref` (tag, branch or commit) in `dir`. */
export async function cloneAt(url: string, ref: string, dir: string): Promise<string> {
  try {
    await simpleGit().clone(url, dir, ['--no-checkout', '--quiet']);
    const git = simpleGit(dir);
    await git.checkout(['--quiet', '--detach', ref]);
    return (await git.revparse(['HEAD'])).trim();
  } catch (error) {
    throw new OperationError(
      `could not clone ${url} at ${ref}: ${(error as Error).message.trim().split('\n').slice(-3).join(' ')}`,
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
