import dockerignoreModule from '@balena/dockerignore';
import { copyFileSync, existsSync, readFileSync, rmSync, writeFileSync, cpSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { deriveDockerfile, parseDockerfile } from '../../src/build/dockerfile.ts';
import { cli } from '../helpers/cli.ts';
import { FIXTURES, REPO, tempDir } from '../helpers/fixtures.ts';
import { appliedWorkspace, LLMD } from '../helpers/workspace.ts';

// The package is CommonJS while its typings declare a default export (as in src/build/dockerfile.ts).
const dockerignore = dockerignoreModule as unknown as typeof dockerignoreModule.default;
const SHAPES = join(REPO, 'test', 'dockerfiles');
const read = (name: string) => readFileSync(join(SHAPES, name), 'utf8');

/** Where the derivation must put the copy: right before this instruction. */
const FIRST_GO_STEP: Record<string, RegExp> = {
  'v0.3-Dockerfile': /^RUN CGO_ENABLED=0 .*\\$/,
  'v0.4-Dockerfile.epp': /^RUN CGO_ENABLED=0 .* go build/,
  'v0.5-Dockerfile.epp': /^RUN --mount=type=cache/,
  'v0.7-Dockerfile.epp': /^RUN go mod download$/,
  'head-Dockerfile.epp': /^RUN go mod download$/,
};

describe('deriving a Dockerfile that copies _deps/', () => {
  it.each(Object.keys(FIRST_GO_STEP))('puts the copy before the first Go step of %s and changes nothing else', (name) => {
    const original = read(name);
    const derivation = deriveDockerfile(original);
    expect(derivation.needed).toBe(true);
    if (!derivation.needed || 'error' in derivation) throw new Error('no derivation');
    const lines = derivation.text.split('\n');
    const at = lines.indexOf('COPY _deps/ _deps/');
    expect(at).toBeGreaterThan(0);
    expect(lines[at + 1]).toMatch(FIRST_GO_STEP[name]!);
    expect(lines.filter((_, i) => i < at - 2 || i > at).join('\n')).toBe(original);
    // The copy comes after go.mod is copied, in the same stage.
    const stageStart = lines.slice(0, at).findLastIndex((l) => l.startsWith('FROM '));
    expect(lines.slice(stageStart, at).some((l) => /^COPY go\.mod/.test(l))).toBe(true);
  });

  it('copies into the module folder when go.mod goes elsewhere', () => {
    const derivation = deriveDockerfile('FROM golang AS b\nWORKDIR /src\nCOPY go.mod go.sum /build/\nRUN cd /build && go mod download\n');
    expect(derivation).toMatchObject({ needed: true, copied: 'COPY _deps/ /build/_deps/' });
  });

  it('is not needed when the whole context is copied first, and refuses what it cannot place', () => {
    expect(deriveDockerfile('FROM golang\nWORKDIR /w\nCOPY . .\nRUN go build ./...\n')).toMatchObject({ needed: false });
    expect(deriveDockerfile('FROM golang\nCOPY --from=x /go.mod /go.mod\nRUN go build\n')).toMatchObject({ error: expect.stringContaining('no stage copies go.mod') });
    expect(deriveDockerfile('FROM golang\nCOPY go.mod .\nRUN echo hi\n')).toMatchObject({ error: expect.stringContaining('runs no go or make command') });
  });

  it('reads continuation lines, comments inside them, and the escape directive', () => {
    const instructions = parseDockerfile('# escape=`\nFROM x\nRUN a `\n# note\n  b\nCOPY go.mod .\n');
    expect(instructions.map((i) => [i.keyword, i.args, i.startLine, i.endLine])).toEqual([
      ['FROM', 'x', 1, 1],
      ['RUN', 'a   b', 2, 4],
      ['COPY', 'go.mod .', 5, 5],
    ]);
  });
});

describe('instrument build --dry-run', () => {
  it.each(['v0.3-Dockerfile', 'v0.4-Dockerfile.epp', 'v0.5-Dockerfile.epp', 'v0.7-Dockerfile.epp'])(
    'prints the derived %s difference and the exact command, building nothing',
    async (name) => {
      const root = await appliedWorkspace();
      copyFileSync(join(SHAPES, name), join(root, LLMD, name));
      const run = await cli(['build', '--dry-run', '--dockerfile', `${LLMD}/${name}`, '--json'], { cwd: root, env: { PATH: process.env.PATH! } });
      expect(run.exitCode, run.stderr).toBe(0);
      const result = JSON.parse(run.stdout);
      expect(result).toMatchObject({ status: 'planned', image: 'llm-d-inference-scheduler:local', dockerfile: { derived: true } });
      expect(result.dockerfile.diff).toMatch(/^\+COPY _deps\/ _deps\/$/m);
      expect(result.argv.slice(0, 5)).toEqual(['docker', 'build', '-t', 'llm-d-inference-scheduler:local', '-f']);
      expect(readFileSync(result.argv[5], 'utf8')).toContain('COPY _deps/ _deps/');
      // The vendored copy's .git stays out of the context: BuildKit reads the derived file's own ignore file.
      const ignore = dockerignore({ ignorecase: false }).add(readFileSync(`${result.argv[5]}.dockerignore`, 'utf8').split('\n'));
      expect(ignore.ignores('_deps/gateway-api-inference-extension/.git/HEAD')).toBe(true);
      expect(ignore.ignores('_deps/gateway-api-inference-extension/go.mod')).toBe(false);
      expect(existsSync(join(root, LLMD, '_deps', 'gateway-api-inference-extension', '.git'))).toBe(true);
      expect(result.argv.at(-1)).toBe(join(root, LLMD));
      const text = await cli(['build', '--dry-run', '--dockerfile', `${LLMD}/${name}`], { cwd: root, env: { PATH: process.env.PATH! } });
      expect(text.stdout).toMatch(new RegExp(`^command: docker build -t llm-d-inference-scheduler:local -f /\\S+/${name.replace('.', '\\.')} ${join(root, LLMD)}$`, 'm'));
    },
  );

  it('builds the Dockerfile as it is for the in-tree layout (llm-d-router HEAD)', async () => {
    const root = tempDir();
    mkdirSync(join(root, LLMD));
    cpSync(join(FIXTURES, 'lh'), join(root, LLMD), { recursive: true });
    copyFileSync(join(SHAPES, 'head-Dockerfile.epp'), join(root, LLMD, 'Dockerfile.epp'));
    expect((await cli(['apply'], { cwd: root })).exitCode).toBe(0);
    const run = await cli(['build', '--dry-run', '--json'], { cwd: root, env: { PATH: process.env.PATH! } });
    const result = JSON.parse(run.stdout);
    expect(result.dockerfile.derived).toBe(false);
    expect(result.dockerfile.diff).toBeUndefined();
    expect(result.argv[5]).toBe(join(root, LLMD, 'Dockerfile.epp'));
  });

  it('passes build arguments, platform and runtime through, from flags and instrument.config.json', async () => {
    const root = await appliedWorkspace();
    writeFileSync(join(root, 'instrument.config.json'), JSON.stringify({ image: 'registry.example:5000/epp:debug', build: { buildArgs: { GOFLAGS: '-trimpath' }, runtime: 'podman' } }));
    const run = await cli(['build', '--dry-run', '--json', '--build-arg', 'A=1', '--platform', 'linux/arm64'], { cwd: root, env: { PATH: process.env.PATH! } });
    expect(run.exitCode, run.stderr).toBe(0);
    const argv = JSON.parse(run.stdout).argv as string[];
    expect(argv.slice(0, 4)).toEqual(['podman', 'build', '-t', 'registry.example:5000/epp:debug']);
    // podman is given the derived ignore file by name.
    expect(argv.slice(6, 8)).toEqual(['--ignorefile', `${argv[5]}.dockerignore`]);
    expect(argv.slice(8, -1)).toEqual(['--build-arg', 'GOFLAGS=-trimpath', '--build-arg', 'A=1', '--platform', 'linux/arm64']);
  });
});

describe('instrument build refuses, with a message that says what to do', () => {
  it('a .dockerignore that excludes _deps/ (and accepts one that lets it back in)', async () => {
    const root = await appliedWorkspace();
    const ignore = join(root, LLMD, '.dockerignore');
    writeFileSync(ignore, read('v0.5.dockerignore'));
    expect((await cli(['build', '--dry-run'], { cwd: root, env: { PATH: process.env.PATH! } })).exitCode).toBe(0);
    writeFileSync(ignore, read('v0.5.dockerignore') + '_*\n');
    const refused = await cli(['build', '--dry-run'], { cwd: root, env: { PATH: process.env.PATH! } });
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toContain('.dockerignore excludes _deps/gateway-api-inference-extension/go.mod');
    expect(refused.stderr).toContain('!_deps/');
    writeFileSync(ignore, read('v0.5.dockerignore') + '_*\n!_deps\n');
    const accepted = await cli(['build', '--dry-run', '--json'], { cwd: root, env: { PATH: process.env.PATH! } });
    expect(accepted.exitCode).toBe(0);
    // The derived Dockerfile's ignore file keeps the user's rules, in order, and adds the .git line after them.
    const derivedIgnore = readFileSync(`${JSON.parse(accepted.stdout).argv[5]}.dockerignore`, 'utf8');
    expect(derivedIgnore.startsWith(read('v0.5.dockerignore') + '_*\n!_deps\n')).toBe(true);
    expect(derivedIgnore.endsWith('\n_deps/gateway-api-inference-extension/.git\n')).toBe(true);
  });

  it('unpatched sources, a missing Dockerfile, a bad tag, and an engine that does not answer', async () => {
    const root = await appliedWorkspace();
    const env = { PATH: process.env.PATH!, DOCKER_HOST: 'unix:///nonexistent/docker.sock' };
    const missing = await cli(['build', '--dockerfile', 'nope/Dockerfile'], { cwd: root, env });
    expect(missing.exitCode).toBe(1);
    expect(missing.stderr).toContain(`no Dockerfile at ${join(root, 'nope/Dockerfile')}`);
    expect((await cli(['build', '--tag', 'Bad Tag'], { cwd: root, env })).exitCode).toBe(2);
    const noEngine = await cli(['build'], { cwd: root, env });
    expect(noEngine.exitCode).toBe(1);
    expect(noEngine.stderr).toContain('no container engine answers at DOCKER_HOST=unix:///nonexistent/docker.sock');
    expect(noEngine.stderr).toContain('set DOCKER_HOST');

    expect((await cli(['revert'], { cwd: root })).exitCode).toBe(0);
    const unpatched = await cli(['build', '--dry-run'], { cwd: root, env });
    expect(unpatched.exitCode).toBe(1);
    expect(unpatched.stderr).toContain('not instrumented');
    expect(unpatched.stderr).toContain('--allow-unpatched');
    expect((await cli(['build', '--dry-run', '--allow-unpatched'], { cwd: root, env })).exitCode).toBe(0);
    rmSync(join(root, LLMD, 'Dockerfile.epp'));
  });
});
