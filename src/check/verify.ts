import { existsSync, readFileSync, rmSync } from 'node:fs';
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

/** One cell of the matrix: a ref × a point. */
export type CellStatus = 'ok' | 'missing' | 'ambiguous' | 'compile-error' | 'vet-error' | 'revert-mismatch' | 'no-epp' | 'error';

export interface Detail {
  readonly point: PointId | undefined;
  readonly status: CellStatus;
  /** Relative to the checkout. */
  readonly file: string | undefined;
  readonly line: number | undefined;
  readonly message: string;
}

export interface RefReport {
  readonly ref: string;
  readonly commit: string;
  readonly durationMs: number;
  readonly cells: Readonly<Record<PointId, CellStatus>>;
  readonly details: readonly Detail[];
}

/** Whether every point of a ref checked out. */
export function refPassed(report: RefReport): boolean {
  return Object.values(report.cells).every((cell) => cell === 'ok');
}

export interface VerifyOptions {
  readonly mirror: string;
  readonly ref: string;
  readonly commit: string;
  /** A folder of its own for this ref's checkout; removed afterwards. */
  readonly dir: string;
  readonly build: boolean;
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** A compiler or vet message: `path/file.go:12:5: text`. */
const GO_MESSAGE = /^(?:\.\/)?(\S+\.go):(\d+)(?::\d+)?: (.*)$/;
const DOWNLOAD_TROUBLE = /dial tcp|no such host|proxy\.golang\.org|GOPROXY|missing go\.sum entry|cannot find module providing|i\/o timeout|TLS handshake/;

class Matrix {
  readonly cells = Object.fromEntries(POINT_IDS.map((id) => [id, 'ok'])) as Record<PointId, CellStatus>;
  readonly details: Detail[] = [];

  private readonly checkout: string;
  private readonly ref: string;

  /** `checkout` is the temporary folder; messages name the ref instead. */
  constructor(checkout: string, ref: string) {
    this.checkout = checkout;
    this.ref = ref;
  }

  /** Marks cells (the first problem of a cell is the one it shows) and records the detail. */
  mark(points: readonly PointId[], status: CellStatus, message: string, file?: string, line?: number): void {
    for (const point of points) if (this.cells[point] === 'ok') this.cells[point] = status;
    this.details.push({ point: points.length === 1 ? points[0] : undefined, status, file, line, message: message.replaceAll(this.checkout, this.ref) });
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
 * Checks one ref: a clean export, apply, verify (every point placed; gofmt-clean when Go is there;
 * with `build`, go build and go vet of the patched packages in the checkout's own module), revert,
 * and a byte-for-byte comparison with the export.
 */
export async function verifyRef(options: VerifyOptions): Promise<RefReport> {
  const started = performance.now();
  const matrix = new Matrix(options.dir, options.ref);
  const { dir } = options;
  try {
    await exportCommit(options.mirror, options.commit, dir);
    const before = snapshot(dir);
    let applied;
    try {
      applied = await apply({ cwd: dir, source: dir });
    } catch (error) {
      if (error instanceof NoEppError) matrix.mark(POINT_IDS, 'no-epp', `${error.message}. ${error.hint ?? ''}`.trim());
      else if (error instanceof ParseError) matrix.mark(POINT_IDS, 'error', error.message, error.file, error.line);
      else if (error instanceof InstrumentError) matrix.mark(POINT_IDS, 'error', error.message);
      else throw error;
      return report();
    }
    for (const point of applied.points) {
      if (point.status === 'missing' || point.status === 'ambiguous') {
        matrix.mark([point.id as PointId], point.status, `searched for ${point.searchedFor}${point.detail ? `: ${point.detail}` : ''}`, point.file, point.line);
      }
    }
    if (applied.status === 'applied') {
      const byFile = new Map<string, PointId[]>();
      for (const point of applied.points) if (point.file) byFile.set(point.file, [...(byFile.get(point.file) ?? []), point.id as PointId]);
      await staticChecks(dir, byFile, options, matrix);
      const reverted = await revert({ cwd: dir, source: dir });
      const changed = reverted.status === 'reverted' ? differences(before, snapshot(dir)) : [...byFile.keys()];
      for (const file of changed) {
        matrix.mark(byFile.get(file) ?? POINT_IDS, 'revert-mismatch', `after apply and revert, ${file} is not byte-identical to the checkout`, file);
      }
    }
    return report();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }

  function report(): RefReport {
    return { ref: options.ref, commit: options.commit, durationMs: performance.now() - started, cells: matrix.cells, details: matrix.details };
  }
}

/** gofmt, then (with --build) go build and go vet of the patched packages. */
async function staticChecks(dir: string, byFile: ReadonlyMap<string, PointId[]>, options: VerifyOptions, matrix: Matrix): Promise<void> {
  const files = [...byFile.keys()];
  if (!(await goAvailable(options.env))) {
    if (options.build) matrix.mark(POINT_IDS, 'compile-error', '--build needs the go command, and it is not on PATH: install Go (>= 1.24)');
    return;
  }
  const unformatted = (await execa('gofmt', ['-l', ...files], { cwd: dir, env: options.env, reject: false })).stdout.split('\n').filter(Boolean);
  for (const file of unformatted) matrix.mark(byFile.get(file) ?? POINT_IDS, 'vet-error', `gofmt -l lists ${file}: the patched file is not gofmt-formatted`, file);
  if (!options.build) return;

  const module = moduleOf(resolve(dir, files[0]!), dir);
  if (!module) {
    matrix.mark(POINT_IDS, 'compile-error', `no go.mod above ${files[0]}, so the patched packages cannot be built`);
    return;
  }
  const packages = [...new Set(files.map((f) => './' + relative(module.dir, dirname(resolve(dir, f)))))];
  // Go's defaults: the checkout's go.mod and go.sum are read-only, so a check never changes them.
  const env = options.env;
  for (const [verb, status] of [['build', 'compile-error'], ['vet', 'vet-error']] as const) {
    const run = await execa('go', [verb, ...packages], { cwd: module.dir, env, reject: false, all: true });
    if (run.exitCode === 0) continue;
    const output = String(run.all ?? '');
    if (DOWNLOAD_TROUBLE.test(output)) {
      matrix.mark(POINT_IDS, status, `go ${verb} could not download the modules it needs: ${output.trim().split('\n').slice(-3).join(' | ')}`);
      return;
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
    return;
  }
}
