import dockerignoreModule from '@balena/dockerignore';
import { existsSync, readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { OperationError } from '../errors.ts';

// The package is CommonJS (`module.exports = factory`) while its typings declare a default export.
const dockerignore = dockerignoreModule as unknown as typeof dockerignoreModule.default;

/**
 * llm-d's Dockerfiles copy only go.mod, go.sum and a few source folders into the builder, and from
 * v0.7.1 on run `go mod download` before copying any source. With go.mod's `replace` pointing at
 * `./_deps/...`, that build fails, or builds upstream GIE. Instead of editing the user's Dockerfile,
 * instrument derives a copy that also copies `_deps/` right before the first Go step of the stage
 * that copies go.mod, and builds with `-f <copy>` from the same context.
 */

export interface Instruction {
  readonly keyword: string;
  /** The arguments, continuation lines joined. */
  readonly args: string;
  /** 0-based first and last line of the instruction in the file. */
  readonly startLine: number;
  readonly endLine: number;
  /** Index of the build stage (FROM) it belongs to. */
  readonly stage: number;
}

/** Splits a Dockerfile into instructions, honouring the escape directive, comments and continuations. */
export function parseDockerfile(text: string): Instruction[] {
  const lines = text.split('\n').map((l) => l.replace(/\r$/, ''));
  const escape = /^#\s*escape\s*=\s*(\S)/i.exec(lines.find((l) => l.trim() !== '') ?? '')?.[1] ?? '\\';
  const instructions: Instruction[] = [];
  let stage = -1;
  for (let i = 0; i < lines.length; i++) {
    const first = lines[i]!.trim();
    if (first === '' || first.startsWith('#')) continue;
    const start = i;
    let body = lines[i]!;
    while (body.trimEnd().endsWith(escape) && i + 1 < lines.length) {
      body = body.trimEnd().slice(0, -1);
      i++;
      // Comment lines inside a continued instruction are dropped by Docker.
      while (i < lines.length && lines[i]!.trim().startsWith('#')) i++;
      body += lines[i] ?? '';
    }
    const match = /^\s*(\w+)\s*(.*)$/s.exec(body);
    if (!match) continue;
    const keyword = match[1]!.toUpperCase();
    if (keyword === 'FROM') stage++;
    instructions.push({ keyword, args: match[2]!.trim(), startLine: start, endLine: i, stage: Math.max(stage, 0) });
  }
  return instructions;
}

/** The sources and destination of a COPY/ADD, flags dropped, JSON form understood. */
export function copyOperands(instruction: Instruction): { flags: string[]; sources: string[]; dest: string } | undefined {
  let rest = instruction.args;
  const flags: string[] = [];
  for (let flag = /^(--\S+)\s+/.exec(rest); flag; flag = /^(--\S+)\s+/.exec(rest)) {
    flags.push(flag[1]!);
    rest = rest.slice(flag[0].length);
  }
  let parts: string[];
  if (rest.startsWith('[')) {
    try {
      parts = JSON.parse(rest) as string[];
    } catch {
      return undefined;
    }
  } else {
    parts = rest.split(/\s+/).filter(Boolean);
  }
  if (parts.length < 2) return undefined;
  return { flags, sources: parts.slice(0, -1), dest: parts.at(-1)! };
}

/** A RUN that makes Go resolve modules: after it, the replacement directory must be there. */
const GO_STEP = /\bgo\s+(mod\s+download|build|install|run|test|vet|generate|list)\b|\bmake\b/;

export type Derivation =
  | { readonly needed: false; readonly reason: string }
  | { readonly needed: true; readonly text: string; readonly line: number; readonly stage: number; readonly copied: string };

/**
 * Where `_deps/` must be copied for this Dockerfile, and the derived text. `depsDir` is the vendored
 * folder relative to the build context (`_deps`).
 */
export function deriveDockerfile(text: string, depsDir = '_deps'): Derivation | { readonly needed: true; readonly error: string } {
  const instructions = parseDockerfile(text);
  const wholeContext = (s: string) => s === '.' || s === './';
  const copiesGoMod = instructions.find((ins) => {
    if (ins.keyword !== 'COPY' && ins.keyword !== 'ADD') return false;
    const operands = copyOperands(ins);
    return operands !== undefined && !operands.flags.some((f) => f.startsWith('--from')) && operands.sources.some((s) => posix.basename(s) === 'go.mod' || wholeContext(s));
  });
  if (!copiesGoMod) return { needed: true, error: 'no stage copies go.mod from the build context, so the Go module is not built from it' };
  const stage = instructions.filter((ins) => ins.stage === copiesGoMod.stage && ins.startLine > copiesGoMod.startLine);
  const goStep = stage.find((ins) => ins.keyword === 'RUN' && GO_STEP.test(ins.args));
  if (!goStep) return { needed: true, error: `the stage that copies go.mod (line ${copiesGoMod.startLine + 1}) runs no go or make command after it` };
  const before = [copiesGoMod, ...stage.filter((ins) => ins.startLine < goStep.startLine)];
  const alreadyCopied = before.some((ins) => {
    const operands = (ins.keyword === 'COPY' || ins.keyword === 'ADD') && copyOperands(ins);
    return operands && !operands.flags.some((f) => f.startsWith('--from')) && operands.sources.some((s) => wholeContext(s) || s.replace(/\/$/, '') === depsDir);
  });
  if (alreadyCopied) return { needed: false, reason: `the Dockerfile already copies ${depsDir}/ (or the whole context) before the first Go step` };

  const dest = copyOperands(copiesGoMod)!.dest;
  const moduleDir = dest.endsWith('/') || dest === '.' || posix.basename(dest) !== 'go.mod' ? dest : posix.dirname(dest);
  const target = posix.join(moduleDir, depsDir) + '/';
  const lines = text.split('\n');
  const eol = text.includes('\r\n') ? '\r' : '';
  const inserted = [
    `# Added by instrument: go.mod replaces GIE with ./${depsDir}/gateway-api-inference-extension, which must be`,
    `# in the image before the first Go step. The Dockerfile itself is unchanged.${eol}`,
    `COPY ${depsDir}/ ${target}${eol}`,
  ];
  inserted[0] += eol;
  lines.splice(goStep.startLine, 0, ...inserted);
  return { needed: true, text: lines.join('\n'), line: goStep.startLine + 1, stage: goStep.stage, copied: `COPY ${depsDir}/ ${target}` };
}

/** The ignore file a build reads: the Dockerfile's own (BuildKit reads it first), else the context's. */
function dockerignoreOf(context: string, dockerfile: string): string {
  const beside = `${dockerfile}.dockerignore`;
  return existsSync(beside) ? beside : join(context, '.dockerignore');
}

/**
 * The ignore file for a derived Dockerfile, written beside it: the rules of the one the build would
 * read otherwise, then the vendored copies' .git folders, which `instrument vendor` leaves there
 * and the image does not need (the user's files are never edited).
 */
export function derivedDockerignore(context: string, dockerfile: string, dirs: readonly string[]): string {
  const file = dockerignoreOf(context, dockerfile);
  const rules = existsSync(file) ? readFileSync(file, 'utf8') : '';
  return [
    ...(rules === '' || rules.endsWith('\n') ? [rules] : [rules + '\n']),
    '# Added by instrument: the git history of the vendored copies stays out of the build context.\n',
    ...dirs.map((dir) => `${dir}/.git\n`),
  ].join('');
}

/** Refuses a .dockerignore that keeps the vendored sources out of the build context. */
export function checkDockerignore(context: string, dockerfile: string, dirs: readonly string[]): void {
  const file = dockerignoreOf(context, dockerfile);
  if (!existsSync(file)) return;
  const ignore = dockerignore({ ignorecase: false }).add(readFileSync(file, 'utf8').split(/\r?\n/));
  for (const dir of dirs) {
    for (const probe of [`${dir}/go.mod`, `${dir}/pkg/epp/handlers/server.go`]) {
      if (ignore.ignores(probe)) {
        throw new OperationError(
          `${file} excludes ${probe} from the build context, so the instrumented sources cannot reach the image`,
          `Add a line \`!${dir.split('/')[0]}/\` (or \`!${dir}/\`) after the pattern that excludes it.`,
        );
      }
    }
  }
}

