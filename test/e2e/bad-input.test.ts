import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, closeSync, cpSync, ftruncateSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
// @ts-expect-error: a plain ES module script (bench/), run by node directly as well
import { snapshot } from '../../bench/fault-injection.mjs';
import { BIN } from '../helpers/cli.ts';
import { FIXTURES, helperFile, REPO, TARGET_FILES, tempDir } from '../helpers/fixtures.ts';

/**
 * Bad input, one row each: the exit code, the first line of the message, and that nothing on disk
 * changed (every path, kind, mode and byte under the row's folder, which also holds anything "outside"
 * the tree a row points at). Exit 3 is for bugs in instrument only, so no row expects it.
 */
interface Row {
  readonly name: string;
  /** Builds the bad input in `base` (a fresh folder); returns the arguments and the folder to run in. */
  readonly setup: (base: string) => { args: string[]; cwd?: string } | Promise<{ args: string[]; cwd?: string }>;
  readonly exit: 1 | 2;
  /** The first line of the message: of stderr, or of stdout for reports (`from: 'stdout'`). */
  readonly first: string | RegExp;
  readonly from?: 'stdout';
  /** Run as an unprivileged user (when the tests run as root, permissions would not apply). */
  readonly unprivileged?: boolean;
  /** strace arguments, for failures of the file system itself. */
  readonly strace?: () => readonly string[];
  /** More checks of the run's output. */
  readonly also?: (run: { stdout: string; stderr: string }) => void;
}

const G12 = join(FIXTURES, 'g12');
const PROFILE = TARGET_FILES.g12.profile;
const SERVER = TARGET_FILES.g12.server;
const ROOT = process.getuid?.() === 0;
/** setpriv's arguments that run a command as nobody. */
const AS_NOBODY = ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups'];

let copiedForNobody: string | undefined;
afterAll(() => {
  if (copiedForNobody) rmSync(copiedForNobody, { recursive: true, force: true });
});

/**
 * The bin as nobody can run it: the checkout's own, or, when nobody cannot read that (a checkout
 * under a folder only root may enter, as /root or one made by `mktemp -d`), a copy of what the bin
 * runs on in a folder anyone may enter, made once per run.
 */
function binForNobody(): string {
  if (copiedForNobody) return join(copiedForNobody, 'bin', 'instrument.cjs');
  try {
    execFileSync(AS_NOBODY[0]!, [...AS_NOBODY.slice(1), process.execPath, '-e', `require('fs').accessSync(${JSON.stringify(BIN)}, 4)`], { stdio: 'ignore' });
    return BIN;
  } catch {
    copiedForNobody = mkdtempSync(join(tmpdir(), 'instrument-bin-'));
    chmodSync(copiedForNobody, 0o755);
    for (const part of ['package.json', 'bin', 'dist', 'grammars', 'node_modules']) cpSync(join(REPO, part), join(copiedForNobody, part), { recursive: true });
    return join(copiedForNobody, 'bin', 'instrument.cjs');
  }
}

/** A copy of the g12 fixture as a --source tree. */
function tree(base: string, applied = false): string {
  const dir = join(base, 'tree');
  cpSync(G12, dir, { recursive: true });
  if (applied) execFileSync(process.execPath, [BIN, 'apply', '--source', dir]);
  return dir;
}

/** A workspace whose llm-d checkout holds the EPP in-tree (the g12 fixture). */
function workspace(base: string): string {
  const root = join(base, 'ws');
  cpSync(G12, join(root, 'llm-d-inference-scheduler'), { recursive: true });
  return root;
}

function state(dir: string): string {
  mkdirSync(join(dir, '.instrument'), { recursive: true });
  return join(dir, '.instrument');
}

const SHA = 'a'.repeat(64);
const journal = (dir: string, content: unknown) => writeFileSync(join(state(dir), 'journal.json'), typeof content === 'string' ? content : JSON.stringify(content));
const entry = (path: string, extra: Record<string, unknown> = {}) => ({ path, pristineSha256: SHA, patchedSha256: 'b'.repeat(64), ...extra });
const applyJournal = (files: unknown) => ({ operation: 'apply', startedAt: '2026-12-01T00:00:00Z', pid: 1, files });
/** A recorded state with one field replaced. */
function editState(dir: string, change: (s: Record<string, unknown>) => unknown): void {
  const path = join(dir, '.instrument', 'state.json');
  writeFileSync(path, JSON.stringify(change(JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>)));
}
const src = (dir: string, ...more: string[]) => ({ args: [...more, '--source', dir] });

/** strace: return `errno` from the n-th call of `syscall`. */
const inject = (syscall: string, errno: string, when: number) => ['-e', `trace=${syscall}`, '-e', `inject=${syscall}:error=${errno}:when=${when}`];

/** The n-th call of `syscall` (strace's numbering) that names `needle`, as apply or revert makes it on a copy. */
function nthCall(args: (dir: string) => string[], applied: boolean, syscall: string, needle: RegExp): number {
  const base = tempDir();
  const dir = tree(base, applied);
  const trace = join(base, 'trace');
  execFileSync('strace', ['-o', trace, '-y', '-e', `trace=${syscall}`, process.execPath, BIN, ...args(dir)]);
  const calls = readFileSync(trace, 'utf8').split('\n').filter((l) => l.startsWith(`${syscall}(`));
  const index = calls.findIndex((l) => needle.test(l));
  if (index === -1) throw new Error(`no ${syscall} call matching ${needle} in ${args(dir).join(' ')}`);
  return index + 1;
}

const ROWS: Row[] = [
  // The lock.
  {
    name: 'an empty lock just made (its writer may still be writing)',
    setup: (b) => {
      const dir = tree(b);
      writeFileSync(join(state(dir), 'lock'), '');
      return src(dir, 'apply');
    },
    exit: 1,
    first: /^error: another instrument run is taking the lock on this tree/,
  },
  {
    name: 'a lock held by a live process',
    setup: (b) => {
      const dir = tree(b);
      writeFileSync(join(state(dir), 'lock'), JSON.stringify({ id: 'x1', pid: process.pid, host: hostname(), command: 'apply', since: 'earlier' }));
      return src(dir, 'apply');
    },
    exit: 1,
    first: `error: another instrument run holds the lock on this tree: \`apply\`, pid ${process.pid} on ${hostname()}, since earlier`,
  },
  {
    name: 'a lock held on another host',
    setup: (b) => {
      const dir = tree(b);
      writeFileSync(join(state(dir), 'lock'), JSON.stringify({ id: 'x2', pid: 1, host: 'elsewhere', command: 'revert', since: 'earlier' }));
      return src(dir, 'revert');
    },
    exit: 1,
    first: 'error: another instrument run holds the lock on this tree: `revert`, pid 1 on elsewhere, since earlier',
  },
  // instrument's folder.
  {
    name: '.instrument is a file (apply)',
    setup: (b) => {
      const dir = tree(b);
      writeFileSync(join(dir, '.instrument'), 'mine');
      return src(dir, 'apply');
    },
    exit: 1,
    first: /^error: .*\/tree\/\.instrument is a file, but instrument keeps its lock/,
  },
  {
    name: '.instrument is a file (revert)',
    setup: (b) => {
      const dir = tree(b);
      writeFileSync(join(dir, '.instrument'), 'mine');
      return src(dir, 'revert');
    },
    exit: 1,
    first: /^error: .*\.instrument is a file/,
  },
  {
    name: '.instrument is a link out of the tree',
    setup: (b) => {
      const dir = tree(b);
      mkdirSync(join(b, 'elsewhere'));
      symlinkSync(join(b, 'elsewhere'), join(dir, '.instrument'));
      return src(dir, 'apply');
    },
    exit: 1,
    first: /^error: refusing to write .*\.instrument: it resolves to .*elsewhere, outside/,
  },
  // A damaged journal: nothing it names is deleted or written.
  {
    name: 'a journal that is not JSON',
    setup: (b) => {
      const dir = tree(b);
      journal(dir, '{"operation": "apply", "files": [');
      return src(dir, 'apply');
    },
    exit: 1,
    first: /^error: .*journal\.json is not readable JSON/,
  },
  {
    name: 'a journal whose tmp entry names go.mod',
    setup: (b) => {
      const dir = tree(b);
      journal(dir, applyJournal([entry(PROFILE, { tmp: 'go.mod' })]));
      return src(dir, 'apply');
    },
    exit: 1,
    first: `error: an interrupted instrument apply (started 2026-12-01T00:00:00Z) left ${PROFILE}, and it has been changed since; nothing was changed`,
  },
  {
    name: 'a journal entry naming go.mod',
    setup: (b) => {
      const dir = tree(b);
      journal(dir, applyJournal([entry('go.mod', { tmp: 'go.mod' })]));
      return src(dir, 'revert');
    },
    exit: 1,
    first: 'error: an interrupted instrument apply (started 2026-12-01T00:00:00Z) left go.mod, and it has been changed since; nothing was changed',
  },
  {
    name: 'a journal entry naming ../outside.txt',
    setup: (b) => {
      const dir = tree(b);
      writeFileSync(join(b, 'outside.txt'), 'not yours');
      journal(dir, applyJournal([entry('../outside.txt', { tmp: '../outside.txt' })]));
      return src(dir, 'apply');
    },
    exit: 1,
    first: /^error: .*journal\.json is damaged: files\[0\]: \.\.\/outside\.txt leads outside the tree or is not a plain relative path; nothing was changed$/,
  },
  {
    name: 'a journal whose tmp entry names ../outside.txt',
    setup: (b) => {
      const dir = tree(b);
      writeFileSync(join(b, 'outside.txt'), 'not yours');
      journal(dir, applyJournal([entry(SERVER, { tmp: '../outside.txt' })]));
      return src(dir, 'revert');
    },
    exit: 1,
    first: /^error: an interrupted instrument apply .* left pkg\/epp\/handlers\/server\.go, and it has been changed since; nothing was changed$/,
  },
  {
    name: 'a journal naming an absolute path',
    setup: (b) => {
      const dir = tree(b);
      journal(dir, applyJournal([entry(join(b, 'x.go'))]));
      return src(dir, 'apply');
    },
    exit: 1,
    first: /^error: .*journal\.json is damaged: files\[0\]: .*x\.go is an absolute path; nothing was changed$/,
  },
  {
    name: 'a journal naming a file that is no Go source nor go.mod',
    setup: (b) => {
      const dir = tree(b);
      journal(dir, applyJournal([entry('README.md')]));
      return src(dir, 'apply');
    },
    exit: 1,
    first: /damaged: files\[0\]: README\.md is neither a \.go file nor a go\.mod, the only files instrument writes; nothing was changed$/,
  },
  {
    name: 'a journal naming our own state file',
    setup: (b) => {
      const dir = tree(b);
      journal(dir, applyJournal([entry('.instrument/state.json')]));
      return src(dir, 'apply');
    },
    exit: 1,
    first: /damaged: files\[0\]: \.instrument\/state\.json is inside \.instrument\/; nothing was changed$/,
  },
  {
    name: 'a journal naming files that do not exist',
    setup: (b) => {
      const dir = tree(b);
      journal(dir, applyJournal([entry('pkg/gone/missing.go')]));
      return src(dir, 'apply');
    },
    exit: 1,
    first: 'error: an interrupted instrument apply (started 2026-12-01T00:00:00Z) names pkg/gone/missing.go, which does not exist; nothing was changed',
  },
  {
    name: 'a journal with an unknown operation',
    setup: (b) => {
      const dir = tree(b);
      journal(dir, { ...applyJournal([]), operation: 'frobnicate' });
      return src(dir, 'revert');
    },
    exit: 1,
    first: /damaged: its operation is "frobnicate"; nothing was changed$/,
  },
  {
    name: 'a journal whose files is a number',
    setup: (b) => {
      const dir = tree(b);
      journal(dir, applyJournal(5));
      return src(dir, 'apply');
    },
    exit: 1,
    first: /damaged: its "files" is not a list; nothing was changed$/,
  },
  {
    name: 'a journal that is a list',
    setup: (b) => {
      const dir = tree(b);
      journal(dir, '[]');
      return src(dir, 'apply');
    },
    exit: 1,
    first: /damaged: it is not a JSON object; nothing was changed$/,
  },
  {
    name: 'a journal with hashes that are not sha256',
    setup: (b) => {
      const dir = tree(b);
      journal(dir, applyJournal([{ path: PROFILE, pristineSha256: 'x', patchedSha256: 'y' }]));
      return src(dir, 'apply');
    },
    exit: 1,
    first: /damaged: files\[0\] \(pkg\/epp\/scheduling\/framework\/scheduler_profile\.go\): its hashes are not sha256 values; nothing was changed$/,
  },
  {
    name: 'a journal whose created file holds other bytes',
    setup: (b) => {
      const dir = tree(b);
      writeFileSync(join(dir, 'pkg/epp/handlers/instrument_helpers.go'), 'package handlers // someone else\n');
      journal(dir, applyJournal([entry('pkg/epp/handlers/instrument_helpers.go', { pristineSha256: null })]));
      return src(dir, 'revert');
    },
    exit: 1,
    first: /left pkg\/epp\/handlers\/instrument_helpers\.go, and it has been changed since; nothing was changed$/,
  },
  // The record of the last apply.
  {
    name: 'state with another schema',
    setup: (b) => {
      const dir = tree(b, true);
      editState(dir, (s) => ({ ...s, schema: 2 }));
      return src(dir, 'revert');
    },
    exit: 1,
    first: /^error: .*state\.json is not a record instrument wrote for this tree: its schema is 2, and this instrument reads schema 1$/,
  },
  {
    name: 'state {}',
    setup: (b) => {
      const dir = tree(b, true);
      editState(dir, () => ({}));
      return src(dir, 'revert');
    },
    exit: 1,
    first: /state\.json is not a record instrument wrote for this tree: its schema is missing, and this instrument reads schema 1$/,
  },
  {
    name: 'state with "files": 5',
    setup: (b) => {
      const dir = tree(b, true);
      editState(dir, (s) => ({ ...s, files: 5 }));
      return src(dir, 'revert');
    },
    exit: 1,
    first: /state\.json is not a record instrument wrote for this tree: its "files" is 5, not a list$/,
  },
  {
    name: 'state copied from another tree',
    setup: (b) => {
      const dir = tree(b, true);
      editState(dir, (s) => ({ ...s, layout: 'vendored', sources: 'llm-d-inference-scheduler/_deps/gateway-api-inference-extension' }));
      return src(dir, 'revert');
    },
    exit: 1,
    first: /state\.json is not a record instrument wrote for this tree: it was written for another tree \(layout vendored, sources llm-d-inference-scheduler\/_deps\/gateway-api-inference-extension; this tree: source, \.\)$/,
  },
  {
    name: 'state naming a file outside the tree',
    setup: (b) => {
      const dir = tree(b, true);
      editState(dir, (s) => ({ ...s, files: [{ path: '../x.go', pristineSha256: SHA, patchedSha256: SHA, points: [] }] }));
      return src(dir, 'revert');
    },
    exit: 1,
    first: /state\.json is not a record instrument wrote for this tree: files\[0\]: \.\.\/x\.go leads outside the tree/,
  },
  {
    name: 'state with a file entry that is not an object',
    setup: (b) => {
      const dir = tree(b, true);
      editState(dir, (s) => ({ ...s, files: [7] }));
      return src(dir, 'revert');
    },
    exit: 1,
    first: /state\.json is not a record instrument wrote for this tree: files\[0\]: is not a path$/,
  },
  {
    name: 'state that is not JSON (status)',
    setup: (b) => {
      const dir = tree(b, true);
      writeFileSync(join(dir, '.instrument', 'state.json'), '{ oops');
      return src(dir, 'status');
    },
    exit: 1,
    first: /^error: .*state\.json is not readable JSON/,
  },
  {
    name: 'state with another schema (apply)',
    setup: (b) => {
      const dir = tree(b, true);
      editState(dir, (s) => ({ ...s, schema: 'two' }));
      return src(dir, 'apply');
    },
    exit: 1,
    first: /state\.json is not a record instrument wrote for this tree: its schema is "two"/,
  },
  // Patched files changed before revert.
  {
    name: 'a patched file made non-UTF-8 before revert',
    setup: (b) => {
      const dir = tree(b, true);
      writeFileSync(join(dir, SERVER), Buffer.concat([readFileSync(join(dir, SERVER)), Buffer.from([0xff, 0xfe, 0x0a])]));
      return src(dir, 'revert');
    },
    exit: 1,
    from: 'stdout',
    first: 'revert refused: 1 file(s) cannot be reverted as they are; nothing was changed',
    also: (run) => {
      expect(run.stdout).toContain(`${SERVER}: refused, not changed`);
      expect(run.stdout).toContain('is no longer valid UTF-8');
      expect(run.stdout).toContain(`${PROFILE}: not changed (another file was refused)`);
      expect(run.stdout).not.toContain('restored');
    },
  },
  {
    name: 'a patched file deleted before revert',
    setup: (b) => {
      const dir = tree(b, true);
      rmSync(join(dir, PROFILE));
      return src(dir, 'revert');
    },
    exit: 1,
    from: 'stdout',
    first: 'revert refused: 1 file(s) cannot be reverted as they are; nothing was changed',
    also: (run) => expect(run.stdout).toContain('apply patched this file, and it no longer exists'),
  },
  {
    name: 'a refused revert with --json says per file what happened',
    setup: (b) => {
      const dir = tree(b, true);
      const path = join(dir, PROFILE);
      writeFileSync(path, readFileSync(path, 'utf8').replace('instrRun.Total(instrEndpoint, instrTotal)', 'instrRun.Total(instrEndpoint, instrTotal+1)'));
      return src(dir, 'revert', '--json');
    },
    exit: 1,
    from: 'stdout',
    first: '{',
    also: (run) => {
      const result = JSON.parse(run.stdout) as { status: string; files: Array<{ path: string; outcome: string }> };
      expect(result.status).toBe('refused');
      expect(Object.fromEntries(result.files.map((f) => [f.path, f.outcome]))).toEqual({
        [TARGET_FILES.g12.scheduler]: 'unchanged',
        [PROFILE]: 'refused',
        [helperFile('g12')]: 'unchanged',
        [SERVER]: 'unchanged',
      });
    },
  },
  {
    name: 'an end marker deleted, without --force',
    setup: (b) => {
      const dir = tree(b, true);
      const path = join(dir, SERVER);
      writeFileSync(path, readFileSync(path, 'utf8').replace(/^[ \t]*\/\/ instrument:end server\.request\n/m, ''));
      return src(dir, 'revert');
    },
    exit: 1,
    from: 'stdout',
    first: 'revert refused: 1 file(s) cannot be reverted as they are; nothing was changed',
    also: (run) => expect(run.stdout).toMatch(/server\.go:\d+: begin marker of server\.request has no end marker/),
  },
  {
    name: 'revert --force with an end marker deleted and the block edited',
    setup: (b) => {
      const dir = tree(b, true);
      const path = join(dir, SERVER);
      writeFileSync(path, readFileSync(path, 'utf8').replace(/^[ \t]*\/\/ instrument:end server\.request\n/m, '').replace('"point", "server.request"', '"point", "server.request", "mine", 2'));
      return src(dir, 'revert', '--force');
    },
    exit: 1,
    from: 'stdout',
    first: 'revert refused: 1 file(s) cannot be reverted as they are; nothing was changed',
    also: (run) => expect(run.stdout).toContain('the block cannot be told apart from the code around it, so it is not removed'),
  },
  {
    name: 'revert --force with a begin marker deleted',
    setup: (b) => {
      const dir = tree(b, true);
      const path = join(dir, PROFILE);
      writeFileSync(path, readFileSync(path, 'utf8').replace(/^[ \t]*\/\/ instrument:begin profile\.picked [0-9a-f]{12}\n/m, ''));
      return src(dir, 'revert', '--force');
    },
    exit: 1,
    from: 'stdout',
    first: 'revert refused: 1 file(s) cannot be reverted as they are; nothing was changed',
    also: (run) => expect(run.stdout).toMatch(/end marker of profile\.picked has no begin marker; the block cannot be told apart/),
  },
  {
    name: 'a marker line edited into a look-alike',
    setup: (b) => {
      const dir = tree(b, true);
      const path = join(dir, PROFILE);
      writeFileSync(path, readFileSync(path, 'utf8').replace('// instrument:end profile.scores', '// instrument:end profile.scores (mine)'));
      return src(dir, 'revert', '--force');
    },
    exit: 1,
    from: 'stdout',
    first: 'revert refused: 1 file(s) cannot be reverted as they are; nothing was changed',
  },
  {
    name: 'a file apply created, changed since (revert)',
    setup: (b) => {
      const dir = tree(b, true);
      const helper = 'pkg/epp/handlers/instrument_helpers.go';
      writeFileSync(join(dir, helper), 'package handlers // edited\n');
      editState(dir, (s) => ({ ...s, files: [...(s.files as unknown[]), { path: helper, pristineSha256: null, patchedSha256: SHA, points: [] }] }));
      return src(dir, 'revert', '--force');
    },
    exit: 1,
    from: 'stdout',
    first: 'revert refused: 1 file(s) cannot be reverted as they are; nothing was changed',
    also: (run) => expect(run.stdout).toContain('instrument created this file, but it was changed since, so it is not removed'),
  },
  {
    name: 'apply again with another --verbosity',
    setup: (b) => src(tree(b, true), 'apply', '--verbosity', '4'),
    exit: 1,
    first: 'error: the patches are already applied with --verbosity 2',
  },
  // The tree itself.
  {
    name: 'llm-d-inference-scheduler is a file (apply)',
    setup: (b) => {
      writeFileSync(join(b, 'llm-d-inference-scheduler'), 'a file');
      return { args: ['apply'], cwd: b };
    },
    exit: 2,
    first: /^error: .*\/llm-d-inference-scheduler is a file, not the llm-d checkout \(a folder\) instrument looks for$/,
  },
  {
    name: 'llm-d-inference-scheduler is a file (status)',
    setup: (b) => {
      writeFileSync(join(b, 'llm-d-inference-scheduler'), 'a file');
      return { args: ['status'], cwd: b };
    },
    exit: 2,
    first: /llm-d-inference-scheduler is a file/,
  },
  {
    name: 'not a workspace',
    setup: (b) => ({ args: ['apply'], cwd: b }),
    exit: 2,
    first: /^error: no llm-d tree in or above .*: no folder there holds a go\.mod declaring github\.com\/llm-d\/llm-d-inference-scheduler or github\.com\/llm-d\/llm-d-router, and none is named llm-d-inference-scheduler\/$/,
  },
  {
    name: '--root that does not exist',
    setup: (b) => ({ args: ['revert', '--root', join(b, 'nope')], cwd: b }),
    exit: 2,
    first: /^error: --root .*nope: no such folder$/,
  },
  {
    name: '--source that is a file',
    setup: (b) => {
      writeFileSync(join(b, 'f'), '');
      return { args: ['apply', '--source', join(b, 'f')], cwd: b };
    },
    exit: 2,
    first: /^error: --source .*\/f: no such folder$/,
  },
  {
    name: 'a symbolic-link loop in the tree',
    setup: (b) => {
      const dir = tree(b);
      symlinkSync('loop.go', join(dir, 'pkg', 'loop.go'));
      return src(dir, 'apply');
    },
    exit: 1,
    first: /^error: cannot look at .*pkg\/loop\.go: a symbolic link loop \(or too many links in a row\) \(ELOOP\)$/,
  },
  {
    name: 'a symbolic-link loop in the tree (--dry-run)',
    setup: (b) => {
      const dir = tree(b);
      symlinkSync('a.go', join(dir, 'pkg', 'b.go'));
      symlinkSync('b.go', join(dir, 'pkg', 'a.go'));
      return src(dir, 'apply', '--dry-run');
    },
    exit: 1,
    first: /^error: cannot look at .*pkg\/a\.go: a symbolic link loop/,
  },
  {
    name: 'an unreadable .go file anywhere in the tree',
    unprivileged: true,
    setup: (b) => {
      const dir = tree(b);
      chmodSync(join(dir, 'pkg/epp/metrics/metrics.go'), 0o000);
      return src(dir, 'apply');
    },
    exit: 1,
    first: /^error: cannot open .*pkg\/epp\/metrics\/metrics\.go: permission denied \(EACCES\)$/,
  },
  {
    name: 'an unreadable .go file anywhere in the tree (--dry-run)',
    unprivileged: true,
    setup: (b) => {
      const dir = tree(b);
      chmodSync(join(dir, 'pkg/epp/metrics/metrics.go'), 0o000);
      return src(dir, 'apply', '--dry-run');
    },
    exit: 1,
    first: /^error: cannot open .*metrics\.go: permission denied \(EACCES\)$/,
  },
  {
    name: 'an unreadable folder in the tree',
    unprivileged: true,
    setup: (b) => {
      const dir = tree(b);
      chmodSync(join(dir, 'pkg/epp/metrics'), 0o000);
      return src(dir, 'apply');
    },
    exit: 1,
    first: /^error: cannot list the folder .*pkg\/epp\/metrics: permission denied \(EACCES\)$/,
  },
  {
    name: 'a read-only target folder',
    unprivileged: true,
    setup: (b) => {
      const dir = tree(b);
      chmodSync(join(dir, 'pkg/epp/handlers'), 0o555);
      return src(dir, 'apply');
    },
    exit: 1,
    first: /^error: cannot write in .*pkg\/epp\/handlers: the folder is not writable \(EACCES\); nothing was changed$/,
  },
  {
    name: 'a read-only tree root',
    unprivileged: true,
    setup: (b) => {
      const dir = tree(b);
      chmodSync(dir, 0o555);
      return src(dir, 'apply');
    },
    exit: 1,
    first: /^error: cannot create the folder .*tree\/\.instrument: permission denied \(EACCES\)$/,
  },
  {
    name: 'a read-only tree root (revert)',
    unprivileged: true,
    setup: (b) => {
      const dir = tree(b, true);
      chmodSync(join(dir, '.instrument'), 0o555);
      return src(dir, 'revert');
    },
    exit: 1,
    first: /^error: cannot open .*\.instrument\/\.lock\.instrument-\d+\.tmp: permission denied \(EACCES\)$/,
  },
  {
    name: 'a 600 MB .go file',
    setup: (b) => {
      const dir = tree(b);
      const fd = openSync(join(dir, 'pkg', 'huge.go'), 'w');
      ftruncateSync(fd, 600 * 2 ** 20);
      closeSync(fd);
      return src(dir, 'apply', '--dry-run');
    },
    exit: 1,
    first: /^error: .*pkg\/huge\.go is too large to search \(600 MB\); instrument reads every \.go file of the tree to find the EPP$/,
  },
  {
    name: 'a target file linked out of the tree',
    setup: (b) => {
      const dir = tree(b);
      writeFileSync(join(b, 'server.go'), readFileSync(join(dir, SERVER)));
      rmSync(join(dir, SERVER));
      symlinkSync(join(b, 'server.go'), join(dir, SERVER));
      return src(dir, 'apply');
    },
    exit: 1,
    first: /^error: refusing to write .*server\.go: it resolves to .*, outside /,
  },
  {
    name: 'malformed Go in a target file',
    setup: (b) => {
      const dir = tree(b);
      writeFileSync(join(dir, SERVER), readFileSync(join(dir, SERVER), 'utf8').replace('func (s *StreamingServer) Process(', 'func (s *StreamingServer) Process(((('));
      return src(dir, 'apply');
    },
    exit: 1,
    first: /^error: pkg\/epp\/handlers\/server\.go:\d+:\d+: /,
  },
  {
    name: 'a target file that is not UTF-8',
    setup: (b) => {
      const dir = tree(b);
      writeFileSync(join(dir, PROFILE), Buffer.concat([readFileSync(join(dir, PROFILE)), Buffer.from([0xc3, 0x28])]));
      return src(dir, 'apply');
    },
    exit: 1,
    first: 'error: pkg/epp/scheduling/framework/scheduler_profile.go:1:1: the file is not valid UTF-8',
  },
  {
    name: 'a tree without the EPP',
    setup: (b) => {
      mkdirSync(join(b, 'empty'));
      writeFileSync(join(b, 'empty', 'main.go'), 'package main\n');
      return src(join(b, 'empty'), 'apply');
    },
    exit: 1,
    first: /^error: no EPP sources in .*: no file declares func \(\*SchedulerProfile\) Run or func \(\*StreamingServer\) Process$/,
  },
  {
    name: 'diff with a patched file deleted',
    setup: (b) => {
      const dir = tree(b, true);
      rmSync(join(dir, SERVER));
      return src(dir, 'diff');
    },
    exit: 1,
    first: /^error: cannot open .*server\.go: no such file or folder \(ENOENT\)$/,
  },
  // The file system failing under apply and revert.
  {
    name: 'disk full while apply writes the journal',
    setup: (b) => src(tree(b), 'apply'),
    strace: () => inject('fsync', 'ENOSPC', 2),
    exit: 1,
    first: /^error: cannot flush .*\.instrument\/\.journal\.json\.instrument-\d+\.tmp: no space left on the device \(ENOSPC\)$/,
  },
  {
    name: 'disk full while apply writes a target',
    setup: (b) => src(tree(b), 'apply'),
    strace: () => inject('pwrite64', 'ENOSPC', nthCall((d) => ['apply', '--source', d], false, 'pwrite64', /\.server\.go\.instrument-/)),
    exit: 1,
    first: /^error: cannot write .*\.server\.go\.instrument-\d+\.tmp: no space left on the device \(ENOSPC\)$/,
  },
  {
    name: 'an I/O error renaming the second target into place (the first is put back)',
    setup: (b) => src(tree(b), 'apply'),
    strace: () => inject('rename', 'EIO', 3),
    exit: 1,
    first: /^error: cannot rename .*\.instrument-\d+\.tmp → .*\.go: an input\/output error \(the disk or the file system failed\) \(EIO\)$/,
  },
  {
    name: 'a read-only file system under apply',
    setup: (b) => src(tree(b), 'apply'),
    strace: () => inject('mkdir', 'EROFS', 1),
    exit: 1,
    first: /^error: cannot create the folder .*\.instrument: the file system is read-only \(EROFS\)$/,
  },
  {
    name: 'a read-only file system when the lock is taken',
    setup: (b) => src(tree(b), 'apply'),
    strace: () => inject('link', 'EROFS', 1),
    exit: 1,
    first: /^error: cannot link .*\.lock\.instrument-\d+\.tmp → .*\/lock: the file system is read-only \(EROFS\)$/,
  },
  {
    name: 'disk full while revert writes a target',
    setup: (b) => src(tree(b, true), 'revert'),
    strace: () => inject('fsync', 'ENOSPC', 4),
    exit: 1,
    first: /^error: cannot flush .*: no space left on the device \(ENOSPC\)$/,
  },
  {
    name: 'an I/O error while revert renames',
    setup: (b) => src(tree(b, true), 'revert'),
    strace: () => inject('rename', 'EIO', 2),
    exit: 1,
    first: /^error: cannot rename .*: an input\/output error/,
  },
  // Other commands.
  {
    name: 'analyze --html into a folder that does not exist',
    setup: (b) => {
      writeFileSync(join(b, 'epp.log'), '');
      return { args: ['analyze', 'epp.log', '--html', 'missing/scores.html'], cwd: b };
    },
    exit: 2,
    first: /^error: --html missing\/scores\.html: the folder .*\/missing does not exist$/,
    also: (run) => expect(run.stdout).toBe(''),
  },
  {
    name: 'an upper-case image repository',
    setup: (b) => ({ args: ['rollback', '--image', 'MyOrg/epp:v1', '--dry-run'], cwd: b }),
    exit: 2,
    first: 'error: --image "MyOrg/epp:v1": the repository name must be lower-case',
  },
  {
    name: 'an upper-case image repository (build --tag)',
    setup: (b) => ({ args: ['build', '--tag', 'Epp:local', '--dry-run'], cwd: workspace(b) }),
    exit: 2,
    first: 'error: --tag "Epp:local": the repository name must be lower-case',
  },
  {
    name: 'rollback --image "a b"',
    setup: (b) => ({ args: ['rollback', '--image', 'a b'], cwd: b }),
    exit: 2,
    first: 'error: --image "a b" is not a valid image reference',
  },
  {
    name: 'a config file with a byte-order mark (and an unknown key)',
    setup: (b) => {
      writeFileSync(join(b, 'instrument.config.json'), '\uFEFF{"imagee": "x"}');
      return { args: ['rollback', '--dry-run'], cwd: b };
    },
    exit: 2,
    first: /^error: .*instrument\.config\.json: unknown key "imagee"$/,
  },
  {
    name: 'a config file that is not JSON',
    setup: (b) => {
      writeFileSync(join(b, 'instrument.config.json'), '{ image: x }');
      return { args: ['rollback', '--dry-run'], cwd: b };
    },
    exit: 2,
    first: /^error: .*instrument\.config\.json is not valid JSON: /,
  },
  {
    name: 'check --tags garbage checks the range before cloning',
    setup: (b) => {
      mkdirSync(join(b, 'up'));
      execFileSync('git', ['init', '-q', join(b, 'up')]);
      return { args: ['check', '--upstream', join(b, 'up'), '--tags', 'garbage ~~', '--cache', join(b, 'cache')], cwd: b };
    },
    exit: 2,
    first: 'error: --tags "garbage ~~" is not a semantic-version range',
  },
  {
    name: 'check without refs',
    setup: (b) => ({ args: ['check', '--upstream', b, '--cache', join(b, 'cache')], cwd: b }),
    exit: 2,
    first: 'error: name the refs to check with --ref (repeatable) or --tags RANGE',
  },
  {
    name: 'a failed vendor leaves no empty _deps/',
    setup: (b) => {
      const root = join(b, 'ws');
      mkdirSync(join(root, 'llm-d-inference-scheduler'), { recursive: true });
      writeFileSync(join(root, 'llm-d-inference-scheduler', 'go.mod'), 'module example.com/llmd\n\ngo 1.24\n\nrequire sigs.k8s.io/gateway-api-inference-extension v1.2.0\n');
      return { args: ['vendor', '--upstream', join(b, 'no-such-repo')], cwd: root };
    },
    exit: 1,
    first: /^error: could not clone .*no-such-repo at v1\.2\.0: /,
  },
  // Usage errors, with --json: stdout still holds one document.
  {
    name: 'an unknown flag with --json',
    setup: (b) => ({ args: ['apply', '--frobnicate', '--json'], cwd: b }),
    exit: 2,
    from: 'stdout',
    first: '{',
    also: (run) => expect(JSON.parse(run.stdout)).toEqual({ error: { exitCode: 2, message: "unknown option '--frobnicate'" } }),
  },
  {
    name: 'a bad --verbosity with --json',
    setup: (b) => ({ args: ['apply', '--verbosity', '11', '--json', '--source', tree(b)], cwd: b }),
    exit: 2,
    from: 'stdout',
    first: '{',
    also: (run) => expect((JSON.parse(run.stdout) as { error: { message: string } }).error.message).toBe('--verbosity 11: expected a whole number from 0 to 10'),
  },
  {
    name: 'not a workspace, with --json',
    setup: (b) => ({ args: ['status', '--json'], cwd: b }),
    exit: 2,
    from: 'stdout',
    first: '{',
    also: (run) => expect((JSON.parse(run.stdout) as { error: { exitCode: number } }).error.exitCode).toBe(2),
  },
  {
    name: 'a --verbosity that is not a number',
    setup: (b) => ({ args: ['apply', '--verbosity', 'lots'], cwd: b }),
    exit: 2,
    first: "error: option '--verbosity <n>' argument 'lots' is invalid. expected a whole number",
  },
  {
    name: 'an unknown command',
    setup: (b) => ({ args: ['aply'], cwd: b }),
    exit: 2,
    first: "error: unknown command 'aply'",
  },
  // Issue 13: no silent wrong placement; refusals say what was found, where, and what to do.
  {
    name: 'HandleRequest in an if header whose error branch goes on (no success path proven)',
    setup: (b) => {
      const dir = tree(b);
      const path = join(dir, SERVER);
      const from = '\t\t\t\treqCtx, err = s.director.HandleRequest(ctx, reqCtx)\n\t\t\t\tif err != nil {\n\t\t\t\t\tlogger.V(logutil.DEFAULT).Error(err, "Error handling request")\n\t\t\t\t\tbreak\n';
      const text = readFileSync(path, 'utf8');
      if (!text.includes(from)) throw new Error('g12 server.go drifted from this row');
      writeFileSync(path, text.replace(from, '\t\t\t\tif reqCtx, err = s.director.HandleRequest(ctx, reqCtx); err != nil {\n\t\t\t\t\tlogger.V(logutil.DEFAULT).Error(err, "Error handling request")\n'));
      return src(dir, 'apply');
    },
    exit: 1,
    from: 'stdout',
    first: 'apply failed: 1 point(s) cannot be placed; nothing was written (sources: ., --verbosity 2)',
    also: (run) => {
      expect(run.stdout).toMatch(/missing\s+server\.request/);
      expect(run.stdout).toMatch(new RegExp(`HandleRequest at ${SERVER.replace(/[./]/g, '\\$&')}:\\d+ is assigned in a header`));
      expect(run.stdout).toContain('what to do: ');
    },
  },
  {
    name: 'two files declare SchedulerProfile.Run',
    setup: (b) => {
      const dir = tree(b);
      mkdirSync(join(dir, 'pkg/epp/scheduling/framework/copy'));
      cpSync(join(dir, PROFILE), join(dir, 'pkg/epp/scheduling/framework/copy/scheduler_profile.go'));
      return src(dir, 'apply');
    },
    exit: 1,
    from: 'stdout',
    first: 'apply failed: 5 point(s) cannot be placed; nothing was written (sources: ., --verbosity 2)',
    also: (run) => {
      expect(run.stdout).toContain('what to do: Once the profile points can be placed (see their "what to do"), this one can be too.');
      expect(run.stdout).toMatch(/declared in 2 files: pkg\/epp\/scheduling\/framework\/copy\/scheduler_profile\.go:\d+ and pkg\/epp\/scheduling\/framework\/scheduler_profile\.go:\d+/);
      expect(run.stdout).toContain('what to do: Name the file to patch with --target-file profile=<path>');
    },
  },
  {
    name: 'a --target-file that is not <target>=<path>',
    setup: (b) => src(tree(b), 'apply', '--target-file', 'planner=x.go'),
    exit: 2,
    first: 'error: --target-file planner=x.go: expected <target>=<path>, <target> one of scheduler, profile, server',
  },
  {
    name: 'a --target-file naming a file that does not declare the target',
    setup: (b) => src(tree(b), 'diff', '--target-file', `server=${PROFILE}`),
    exit: 2,
    first: `error: --target-file server=${PROFILE}: ${PROFILE} does not declare func (*StreamingServer) Process; the files that do: ${SERVER}`,
  },
  {
    name: 'analyze of a file that does not exist',
    setup: (b) => ({ args: ['analyze', join(b, 'none.log')], cwd: b }),
    exit: 2,
    first: /none\.log/,
  },
];

async function runRow(row: Row, base: string, args: string[], cwd: string) {
  const env = { NO_COLOR: '1', PATH: process.env.PATH ?? '', HOME: join(base, 'home') };
  const nobody = row.unprivileged && ROOT;
  let argv = [process.execPath, nobody ? binForNobody() : BIN, ...args];
  if (row.strace) argv = ['strace', '-o', '/dev/null', ...row.strace(), ...argv];
  if (nobody) {
    // Permissions do not apply to root: the row runs as nobody, on a tree that nobody owns.
    const own = (path: string) => {
      chownSync(path, 65534, 65534);
      if (statSync(path).isDirectory()) for (const name of readdirSync(path)) own(join(path, name));
    };
    chmodSync(base, 0o755);
    own(base);
    argv = [...AS_NOBODY, ...argv];
  }
  const result = await execa(argv[0]!, argv.slice(1), { cwd, env, extendEnv: false, reject: false });
  return { exitCode: result.exitCode, stdout: result.stdout, stderr: result.stderr };
}

describe('bad input: a clear error, a documented exit code, nothing on disk changed', () => {
  it('has at least 60 rows', () => {
    expect(ROWS.length).toBeGreaterThanOrEqual(60);
    expect(new Set(ROWS.map((r) => r.name)).size).toBe(ROWS.length);
  });

  it.each(ROWS.map((row) => [row.name, row] as const))('%s', async (_name, row) => {
    const base = tempDir();
    mkdirSync(join(base, 'home'));
    const { args, cwd = base } = await row.setup(base);
    const before = snapshot(base);
    const run = await runRow(row, base, args, cwd);
    const message = row.from === 'stdout' ? run.stdout : run.stderr;
    expect.soft(run.exitCode, `${run.stderr}\n${run.stdout}`).toBe(row.exit);
    const first = message.split('\n')[0] ?? '';
    if (typeof row.first === 'string') expect.soft(first).toBe(row.first);
    else expect.soft(first).toMatch(row.first);
    expect.soft(run.stderr).not.toContain('internal error');
    row.also?.(run);
    expect(snapshot(base)).toEqual(before);
  });
});
