import { existsSync, mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import semver from 'semver';
import { commitOf, mirrorClone, tagNames } from '../build/git.ts';
import { sha256 } from '../codemod/source-text.ts';
import { OperationError, UsageError } from '../errors.ts';

/**
 * The upstream repository a check runs against: a bare mirror in a cache folder, cloned once
 * (from a remote URL or a local path) and fetched again on later runs.
 */

/** `$XDG_CACHE_HOME/instrument/upstream`, else `~/.cache/instrument/upstream`. */
export function defaultCacheDir(env: Readonly<Record<string, string | undefined>>): string {
  return join(env.XDG_CACHE_HOME ?? join(env.HOME ?? homedir(), '.cache'), 'instrument', 'upstream');
}

/** Clones (or fetches) `url` into the cache and returns the mirror's folder. */
export async function mirror(url: string, cacheDir: string): Promise<string> {
  const name = url.replace(/\.git$/, '').split(/[/:\\]/).filter(Boolean).at(-1) ?? 'upstream';
  const dir = join(cacheDir, `${name}-${sha256(url).slice(0, 12)}.git`);
  mkdirSync(cacheDir, { recursive: true });
  try {
    await mirrorClone(url, dir);
  } catch (error) {
    throw new OperationError(
      `could not ${existsSync(join(dir, 'HEAD')) ? 'fetch' : 'clone'} ${url}: ${(error as Error).message.trim().split('\n').slice(-2).join(' ')}`,
      'Check --upstream (a git URL or a local repository) and the network.',
      error,
    );
  }
  return dir;
}

/** The commit a ref (tag, branch, commit) names in the mirror. */
export async function resolveRef(mirrorDir: string, ref: string): Promise<string> {
  const commit = await commitOf(mirrorDir, ref);
  if (commit === undefined) throw new UsageError(`--ref ${ref}: no such tag, branch or commit in the upstream repository`, 'List them with `git ls-remote <upstream>`.');
  return commit;
}

/** The repository's tags that are semantic versions inside `range`, oldest first. */
export async function tagsInRange(mirrorDir: string, range: string): Promise<string[]> {
  if (semver.validRange(range) === null) throw new UsageError(`--tags ${JSON.stringify(range)} is not a semantic-version range`, 'For example --tags ">=v1.0.0" or --tags ">=v0.4.0 <=v1.5.0".');
  const tags = await tagNames(mirrorDir);
  return tags.filter((t) => semver.valid(t) !== null && semver.satisfies(t, range)).sort(semver.compare);
}
