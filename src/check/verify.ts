import { cpSync, existsSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { execa } from 'execa';
import { apply } from '../commands/apply.ts';
import { revert } from '../commands/revert.ts';
import { moduleOf } from '../codemod/go-package.ts';
import { NoEppError } from '../codemod/locate.ts';
import { scanMarkers } from '../codemod/markers.ts';
import { POINT_IDS, type PointId } from '../codemod/patch.ts';
import { InstrumentError, ParseError } from '../errors.ts';
import { differences, snapshot } from './snapshot.ts';
import { exportCommit } from '../build/git.ts';
import { GO_BUILD_FLAGS, goTest } from './go-tests.ts';
import type { BehaviourResult } from './behaviour.ts';

/** One cell of the matrix: a ref × a point. */
export type CellStatus = 'ok' | 'missing' | 'ambiguous' | 'compile-error' | 'vet-error' | 'tests-fail' | 'revert-mismatch' | 'no-epp' | 'error';

export interface Detail {
  readonly point: PointId | undefined;
  readonly status: CellStatus;
  /** Relative to the checkout. */
  readonly file: string | undefined;
  readonly line: number | undefined;
  readonly message: string;
  /** For a point apply refused: its rule codes and what the user can do, as apply reports them. */
  readonly codes?: readonly string[];
  readonly remedy?: string;
}

export interface RefReport {
  readonly ref: string;
  readonly commit: string;
  readonly durationMs: number;
  readonly cells: Readonly<Record<PointId, CellStatus>>;
  readonly details: readonly Detail[];
  /** With --test: upstream's tests that fail in the pristine export as well, so not because of the patches. */
  readonly upstreamFailures: readonly string[];
  /** With --behaviour: per point, whether its lines were right when the patched code ran (check/behaviour.ts). */
  readonly behaviour?: Readonly<Record<PointId, BehaviourResult>> | undefined;
}

/** Whether every point of a ref checked out (a behaviour that is n/a does not count against it). */
export function refPassed(report: RefReport): boolean {
  return Object.values(report.cells).every((cell) => cell === 'ok') && Object.values(report.behaviour ?? {}).every((b) => b.status !== 'failed');
}

export interface VerifyOptions {
  readonly mirror: string;
  readonly ref: string;
  readonly commit: string;
  /** A folder of its own for this ref's checkout and its copies; removed afterwards. */
  readonly dir: string;
  readonly build: boolean;
  /** Run upstream's unit tests of the patched packages (go test), in the patched tree. */
  readonly test: boolean;
  /** Run the generated behaviour test in the patched copy (implies build). */
  readonly behaviour?: boolean | undefined;
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** A compiler or vet message: `path/file.go:12:5: text`. */
const GO_MESSAGE = /^(?:\.\/)?(\S+\.go):(\d+)(?::\d+)?: (.*)$/;
const DOWNLOAD_TROUBLE = /dial tcp|no such host|proxy\.golang\.org|GOPROXY|missing go\.sum entry|cannot find module providing|i\/o timeout|TLS handshake/;

class Matrix {
  readonly cells = Object.fromEntries(POINT_IDS.map((id) => [id, 'ok'])) as Record<PointId, CellStatus>;
  readonly details: Detail[] = [];
  readonly upstreamFailures: string[] = [];

  private readonly folders: readonly string[];
  private readonly ref: string;

  /** `folders` are the temporary checkout and its copies; messages name the ref instead. */
  constructor(folders: readonly string[], ref: string) {
    this.folders = folders;
    this.ref = ref;
  }

  /** Marks cells (the first problem of a cell is the one it shows) and records the detail. */
  mark(points: readonly PointId[], status: CellStatus, message: string, file?: string, line?: number, refused?: { codes?: readonly string[] | undefined; remedy?: string | undefined }): void {
    for (const point of points) if (this.cells[point] === 'ok') this.cells[point] = status;
    this.details.push({
      point: points.length === 1 ? points[0] : undefined,
      status,
      file,
      line,
      message: this.named(message),
      ...(refused?.codes ? { codes: refused.codes } : {}),
      ...(refused?.remedy ? { remedy: this.named(refused.remedy) } : {}),
    });
  }

  /** A message with the temporary folders named by the ref instead. */
  named(message: string): string {
    return this.folders.reduce((text, folder) => text.replaceAll(folder, this.ref), message);
  }
}

/** Which point's block holds a line of a patched file (every point of the file when none does). */
function pointsAt(text: string, line: number, inFile: readonly PointId[]): PointId[] {
  const block = scanMarkers(text).blocks.find((b) => b.beginLine <= line && line <= b.endLine);
  return block ? [block.pointId as PointId] : [...inFile];
}

async function goAvailable(env: VerifyOptions['env']): Promise<boolean> {
  return (await execa('go', ['version'], { env, reject: false })).exitCode === 0;
}

/**
 * Checks one ref: a clean export, apply, verify (every point placed; gofmt-clean when Go is there),
 * revert, and a byte-for-byte comparison with the export. With `build` / `test`, go build, go vet
 * and go test run in a copy of the patched tree, never in the checkout: what the go command writes
 * (go.sum, go.work.sum) then cannot count as a revert mismatch, and no build step is skipped.
 */
export async function verifyRef(options: VerifyOptions): Promise<RefReport> {
  const started = performance.now();
  const checkout = join(options.dir, 'tree');
  const patchedCopy = join(options.dir, 'patched');
  const pristineCopy = join(options.dir, 'pristine');
  const matrix = new Matrix([checkout, patchedCopy, pristineCopy], options.ref);
  let behaviour: Record<PointId, BehaviourResult> | undefined;
  const notRun = (detail: string) => {
    if (options.behaviour) behaviour = Object.fromEntries(POINT_IDS.map((p) => [p, { status: 'n/a', detail }])) as Record<PointId, BehaviourResult>;
  };
  try {
    await exportCommit(options.mirror, options.commit, checkout);
    const before = snapshot(checkout);
    let applied;
    try {
      applied = await apply({ cwd: checkout, source: checkout });
    } catch (error) {
      if (error instanceof NoEppError) matrix.mark(POINT_IDS, 'no-epp', `${error.message}. ${error.hint ?? ''}`.trim());
      else if (error instanceof ParseError) matrix.mark(POINT_IDS, 'error', error.message, error.file, error.line);
      else if (error instanceof InstrumentError) matrix.mark(POINT_IDS, 'error', error.message);
      else throw error;
      notRun('the patches could not be applied');
      return report();
    }
    for (const point of applied.points) {
      if (point.status === 'missing' || point.status === 'ambiguous') {
        matrix.mark([point.id as PointId], point.status, `searched for ${point.searchedFor}${point.detail ? `: ${point.detail}` : ''}`, point.file, point.line, point);
      }
    }
    if (applied.status === 'applied') {
      const byFile = new Map<string, PointId[]>();
      for (const point of applied.points) if (point.file) byFile.set(point.file, [...(byFile.get(point.file) ?? []), point.id as PointId]);
      const go = await goAvailable(options.env);
      if (!go && (options.build || options.test)) matrix.mark(POINT_IDS, 'compile-error', `--${options.build ? 'build' : 'test'} needs the go command, and it is not on PATH: install Go (>= 1.24)`);
      if (go) await gofmtCheck(checkout, byFile, options, matrix);
      if (!go) notRun('needs the go command, and it is not on PATH');
      const goSteps = go && (options.build || options.test || options.behaviour === true);
      // The copy holds the patched bytes and instrument's state, exactly what a user's build sees.
      if (goSteps) cpSync(checkout, patchedCopy, { recursive: true, verbatimSymlinks: true });
      const reverted = await revert({ cwd: checkout, source: checkout });
      const changed = reverted.status === 'reverted' ? differences(before, snapshot(checkout)) : [...byFile.keys()];
      for (const file of changed) {
        matrix.mark(byFile.get(file) ?? POINT_IDS, 'revert-mismatch', `after apply and revert, ${file} is not byte-identical to the checkout`, file);
      }
      if (goSteps) {
        const built = await goChecks(patchedCopy, byFile, options, matrix);
        if (options.behaviour) {
          if (!built) notRun('the patched packages do not build or vet');
          else {
            const { checkBehaviour } = await import('./behaviour.ts');
            const found = await checkBehaviour({ tree: patchedCopy, files: byFile, verbosity: applied.verbosity, scratch: join(options.dir, 'behaviour'), env: options.env });
            behaviour = Object.fromEntries(Object.entries(found).map(([p, b]) => [p, { status: b.status, detail: b.detail && matrix.named(b.detail) }])) as Record<PointId, BehaviourResult>;
          }
        }
        if (built && options.test) {
          // The pristine tree for a second test run: the reverted checkout when it matched the export, else a new export.
          if (changed.length === 0) cpSync(checkout, pristineCopy, { recursive: true, verbatimSymlinks: true });
          else await exportCommit(options.mirror, options.commit, pristineCopy);
          await testChecks(patchedCopy, pristineCopy, byFile, options, matrix);
        }
      }
    } else notRun('not every point could be placed');
    return report();
  } finally {
    rmSync(options.dir, { recursive: true, force: true });
  }

  function report(): RefReport {
    return { ref: options.ref, commit: options.commit, durationMs: performance.now() - started, cells: matrix.cells, details: matrix.details, upstreamFailures: matrix.upstreamFailures, ...(options.behaviour ? { behaviour } : {}) };
  }
}

/** The module holding the patched files, and their packages as `./folder` paths inside it. */
function patchedPackages(dir: string, files: readonly string[]): { module: { dir: string; path: string }; packages: string[] } | undefined {
  const module = moduleOf(resolve(dir, files[0]!), dir);
  if (!module) return undefined;
  return { module, packages: [...new Set(files.map((f) => './' + relative(module.dir, dirname(resolve(dir, f)))))] };
}

async function gofmtCheck(dir: string, byFile: ReadonlyMap<string, PointId[]>, options: VerifyOptions, matrix: Matrix): Promise<void> {
  const unformatted = (await execa('gofmt', ['-l', ...byFile.keys()], { cwd: dir, env: options.env, reject: false })).stdout.split('\n').filter(Boolean);
  for (const file of unformatted) matrix.mark(byFile.get(file) ?? POINT_IDS, 'vet-error', `gofmt -l lists ${file}: the patched file is not gofmt-formatted`, file);
}

/**
 * go test of the patched packages in the patched copy; a test that fails there is run again in the
 * pristine copy, and one that fails there too is upstream's, not ours.
 */
async function testChecks(patched: string, pristine: string, byFile: ReadonlyMap<string, PointId[]>, options: VerifyOptions, matrix: Matrix): Promise<void> {
  const found = patchedPackages(patched, [...byFile.keys()])!;
  const run = await goTest(found.module.dir, found.module.path, found.packages, options.env);
  if (run.trouble) {
    matrix.mark(POINT_IDS, 'tests-fail', run.trouble);
    return;
  }
  if (run.failed.length === 0) return;
  const failedPackages = [...new Set(run.failed.map((name) => name.slice(0, name.indexOf(': '))))];
  const pristineModule = join(pristine, relative(patched, found.module.dir));
  const again = await goTest(pristineModule, found.module.path, failedPackages.map((p) => (p === '.' ? '.' : './' + p)), options.env);
  const alsoPristine = new Set(again.failed);
  const moduleRel = relative(patched, found.module.dir);
  for (const name of run.failed) {
    if (alsoPristine.has(name)) {
      matrix.upstreamFailures.push(name);
      continue;
    }
    const folder = name.slice(0, name.indexOf(': '));
    const points = [...byFile].filter(([file]) => dirname(join(moduleRel, folder === '.' ? '' : folder, 'x')) === dirname(file)).flatMap(([, ids]) => ids);
    matrix.mark(points.length > 0 ? points : POINT_IDS, 'tests-fail', `go test: ${name} fails with the patches and passes without them\n${run.output.get(name) ?? ''}`.trim());
  }
}

/**
 * go build and go vet of the patched packages, in the patched copy (whose go.mod and go.sum Go may
 * complete without harm). Returns whether both passed, so that go test runs on code that builds.
 */
async function goChecks(dir: string, byFile: ReadonlyMap<string, PointId[]>, options: VerifyOptions, matrix: Matrix): Promise<boolean> {
  const files = [...byFile.keys()];
  const found = patchedPackages(dir, files);
  if (!found) {
    matrix.mark(POINT_IDS, 'compile-error', `no go.mod above ${files[0]}, so the patched packages cannot be built`);
    return false;
  }
  const { module, packages } = found;
  const env = options.env;
  const steps = options.build ? ([['build', 'compile-error'], ['vet', 'vet-error']] as const) : ([['build', 'compile-error']] as const);
  for (const [verb, status] of steps) {
    const run = await execa('go', [verb, ...GO_BUILD_FLAGS, ...packages], { cwd: module.dir, env, reject: false, all: true });
    if (run.exitCode === 0) continue;
    const output = String(run.all ?? '');
    if (DOWNLOAD_TROUBLE.test(output)) {
      matrix.mark(POINT_IDS, status, `go ${verb} could not download the modules it needs: ${output.trim().split('\n').slice(-3).join(' | ')}`);
      return false;
    }
    let placed = false;
    for (const line of output.split('\n')) {
      const message = GO_MESSAGE.exec(line.trim());
      if (!message) continue;
      const file = relative(dir, resolve(module.dir, message[1]!));
      const lineNo = Number(message[2]);
      const inFile = byFile.get(file);
      const points = inFile && existsSync(join(dir, file)) ? pointsAt(readFileSync(join(dir, file), 'utf8'), lineNo, inFile) : [...POINT_IDS];
      matrix.mark(points, status, `go ${verb}: ${file}:${lineNo}: ${message[3]}`, file, lineNo);
      placed = true;
    }
    if (!placed) matrix.mark(POINT_IDS, status, `go ${verb} failed: ${output.trim().split('\n').slice(-5).join(' | ')}`);
    return false;
  }
  return true;
}
