import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import semver from 'semver';
import type { CheckReport } from '../check/report.ts';
import { defaultCacheDir, mirror, resolveRef, tagsInRange } from '../check/upstream.ts';
import { refPassed, verifyRef, type RefReport } from '../check/verify.ts';
import { UsageError } from '../errors.ts';

export interface CheckOptions {
  readonly cwd: string;
  /** A git URL, or the path of a local repository. */
  readonly upstream: string;
  readonly refs?: readonly string[] | undefined;
  /** A semantic-version range over the repository's tags. */
  readonly tags?: string | undefined;
  readonly build?: boolean | undefined;
  /** Also run upstream's go test of the patched packages. */
  readonly test?: boolean | undefined;
  /** Also run the generated behaviour test in the patched copy (implies build). */
  readonly behaviour?: boolean | undefined;
  /** How many refs at once. Defaults to the number of CPUs. */
  readonly jobs?: number | undefined;
  readonly cacheDir?: string | undefined;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly onRef?: ((report: RefReport, done: number, total: number) => void) | undefined;
}

/**
 * For each ref: a clean checkout, apply, verify, revert, and a byte-for-byte comparison, refs in
 * parallel up to `jobs`. The report says, per ref and point, whether the patches still work.
 */
export async function check(options: CheckOptions): Promise<CheckReport> {
  const started = performance.now();
  // A URL (scheme://... or git@host:path) is cloned as it is; anything else is a local repository.
  const isUrl = /^[a-z][a-z0-9+.-]*:\/\//i.test(options.upstream) || /^[\w.-]+@[\w.-]+:/.test(options.upstream);
  const upstream = isUrl ? options.upstream : resolve(options.cwd, options.upstream);
  if (!isUrl && !existsSync(upstream)) {
    throw new UsageError(`--upstream ${options.upstream}: not a URL, and no such local repository`, 'Pass a git URL (https://github.com/...) or the path of a local clone.');
  }
  const jobs = options.jobs ?? availableParallelism();
  const build = options.build === true || options.behaviour === true;
  const behaviour = options.behaviour === true;
  if (!Number.isInteger(jobs) || jobs < 1) throw new UsageError(`--jobs ${jobs}: expected a whole number above 0`, 'For example --jobs 4.');
  if ((options.refs ?? []).length === 0 && options.tags === undefined) throw new UsageError('name the refs to check with --ref (repeatable) or --tags RANGE', 'For example --tags ">=v1.0.0" or --ref main.');

  // The range is checked before anything is cloned: a typo should not cost a clone.
  if (options.tags !== undefined && semver.validRange(options.tags) === null) {
    throw new UsageError(`--tags ${JSON.stringify(options.tags)} is not a semantic-version range`, 'For example --tags ">=v1.0.0" or --tags ">=v0.4.0 <=v1.5.0".');
  }
  const repository = await mirror(upstream, resolve(options.cwd, options.cacheDir ?? defaultCacheDir(options.env)));
  const names = [...(options.tags !== undefined ? await tagsInRange(repository, options.tags) : []), ...(options.refs ?? [])];
  if (names.length === 0) throw new UsageError(`--tags ${options.tags}: no tag of ${options.upstream} is in that range`, 'List its tags with `git ls-remote --tags <upstream>`.');
  const targets = await Promise.all([...new Set(names)].map(async (ref) => ({ ref, commit: await resolveRef(repository, ref) })));

  // TMPDIR of the run's own environment, so that a caller (or a test) decides where checkouts go.
  const work = mkdtempSync(join(options.env.TMPDIR ?? tmpdir(), 'instrument-check-'));
  const reports: RefReport[] = new Array(targets.length);
  try {
    let next = 0;
    let done = 0;
    const worker = async () => {
      while (next < targets.length) {
        const i = next++;
        const { ref, commit } = targets[i]!;
        reports[i] = await verifyRef({ mirror: repository, ref, commit, dir: join(work, String(i)), build, test: options.test === true, behaviour, env: options.env });
        options.onRef?.(reports[i]!, ++done, targets.length);
      }
    };
    await Promise.all(Array.from({ length: Math.min(jobs, targets.length) }, worker));
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return {
    upstream: options.upstream,
    build,
    test: options.test === true,
    behaviour,
    refs: reports,
    ok: reports.every(refPassed),
    durationMs: performance.now() - started,
  };
}

/** Writes a rendered report to a file (relative to the working folder), making its folder. */
export function writeReport(cwd: string, file: string, text: string): void {
  const path = resolve(cwd, file);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
}
