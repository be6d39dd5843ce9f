import { chmodSync, cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { execa } from 'execa';

/**
 * The base images the example's Dockerfile.epp names, made locally (nothing can be pulled here):
 * `golang:1.24` holds a static busybox shell, this machine's Go toolchain, and a file-based module
 * proxy with every module the example needs, so `go build` runs inside the image with
 * `--network none`; `registry.access.redhat.com/ubi9/ubi-minimal:latest` is empty (the EPP binary
 * is static).
 */
export async function makeBaseImages(env: Record<string, string>, goModuleDir: string): Promise<void> {
  // Every module the build needs must be in the host's module cache, whose download folder is a
  // valid GOPROXY tree.
  await execa('go', ['mod', 'download'], { cwd: goModuleDir });
  const goroot = (await execa('go', ['env', 'GOROOT'])).stdout.trim();
  const modcache = (await execa('go', ['env', 'GOMODCACHE'])).stdout.trim();
  const busybox = (await execa('sh', ['-c', 'command -v busybox'])).stdout.trim();

  const stage = mkdtempSync(join(tmpdir(), 'instrument-rootfs-'));
  const empty = mkdtempSync(join(tmpdir(), 'instrument-rootfs-'));
  try {
    await importImages(env, stage, empty, busybox, goroot, modcache);
  } finally {
    rmSync(stage, { recursive: true, force: true });
    rmSync(empty, { recursive: true, force: true });
  }
}

async function importImages(env: Record<string, string>, stage: string, empty: string, busybox: string, goroot: string, modcache: string): Promise<void> {
  for (const dir of ['bin', 'tmp', 'root', 'etc', 'goproxy']) mkdirSync(join(stage, dir));
  chmodSync(join(stage, 'tmp'), 0o1777);
  cpSync(busybox, join(stage, 'bin', 'busybox'));
  symlinkSync('busybox', join(stage, 'bin', 'sh'));
  writeFileSync(join(stage, 'etc', 'passwd'), 'root:x:0:0:root:/root:/bin/sh\n');
  cpSync(join(modcache, 'cache', 'download'), join(stage, 'goproxy'), { recursive: true });

  const changes = [
    'ENV PATH=/usr/local/go/bin:/bin',
    'ENV HOME=/root',
    'ENV GOPROXY=file:///goproxy',
    'ENV GOSUMDB=off',
    'ENV GOTOOLCHAIN=local',
    'ENV GOFLAGS=-mod=mod',
  ].flatMap((c) => ['--change', c]);
  // The toolchain goes to /usr/local/go whatever its folder is called here; tests, API lists and
  // docs are left out.
  const goBase = basename(goroot);
  const goToolchain = [
    '--anchored',
    ...['test', 'api', 'doc', 'misc'].map((d) => `--exclude=${goBase}/${d}`),
    '--no-anchored',
    `--transform=s,^${goBase}\\(/\\|$\\),usr/local/go\\1,`,
    '-C',
    dirname(goroot),
    goBase,
  ];
  await execa('tar', ['-cf', '-', '-C', stage, '.', ...goToolchain], { buffer: false }).pipe('docker', ['import', ...changes, '-', 'golang:1.24'], { env });

  mkdirSync(join(empty, 'tmp'));
  chmodSync(join(empty, 'tmp'), 0o1777);
  await execa('tar', ['-cf', '-', '-C', empty, '.'], { buffer: false }).pipe('docker', ['import', '-', 'registry.access.redhat.com/ubi9/ubi-minimal:latest'], { env });
}
