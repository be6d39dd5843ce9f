import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    dockerHost: string;
  }
}

async function answers(host: string): Promise<boolean> {
  const run = await execa('docker', ['version', '--format', '{{.Server.Version}}'], { env: { DOCKER_HOST: host }, reject: false, timeout: 10_000 });
  return run.exitCode === 0;
}

/**
 * Global setup of the `docker` tier: a real Docker engine. It uses the one DOCKER_HOST names when it
 * answers; otherwise it starts a private dockerd (as design-notes describe: no iptables, no bridge,
 * its own data folder) and stops it afterwards. A machine without dockerd fails here, loudly:
 * `scripts/setup-machine.sh` installs it.
 */
export default async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  const given = process.env.DOCKER_HOST;
  if (given && (await answers(given))) {
    project.provide('dockerHost', given);
    return undefined;
  }
  const which = await execa('sh', ['-c', 'command -v dockerd'], { reject: false });
  if (which.exitCode !== 0) {
    throw new Error('the docker tests need a Docker engine, and dockerd is not installed: run scripts/setup-machine.sh (apt-get install docker.io)');
  }
  // A short path: the socket's path must fit in a unix socket address.
  const dir = mkdtempSync('/tmp/idocker-');
  const socket = `unix://${dir}/docker.sock`;
  const daemon = spawn(
    'dockerd',
    ['--iptables=false', '--ip6tables=false', '--bridge=none', '-H', socket, '--data-root', join(dir, 'data'), '--exec-root', join(dir, 'exec'), '--pidfile', join(dir, 'docker.pid')],
    { stdio: ['ignore', 'ignore', 'pipe'], detached: true },
  );
  let log = '';
  daemon.stderr.on('data', (chunk: Buffer) => (log += chunk.toString()));
  const deadline = Date.now() + 60_000;
  while (!(await answers(socket))) {
    if (daemon.exitCode !== null || Date.now() > deadline) {
      daemon.kill('SIGKILL');
      throw new Error(`dockerd did not start (see below); is this machine able to run it as root?\n${log.split('\n').slice(-15).join('\n')}`);
    }
    await new Promise((done) => setTimeout(done, 300));
  }
  project.provide('dockerHost', socket);
  return async () => {
    const pidFile = join(dir, 'docker.pid');
    const pid = existsSync(pidFile) ? Number(readFileSync(pidFile, 'utf8')) : daemon.pid;
    if (pid) process.kill(pid, 'SIGTERM');
    await new Promise<void>((done) => {
      if (daemon.exitCode !== null) return done();
      const timer = setTimeout(done, 30_000);
      daemon.once('exit', () => {
        clearTimeout(timer);
        done();
      });
    });
    daemon.stderr.destroy();
    daemon.unref();
    // A container on the host network leaves the daemon's netns bind mount behind; unmount what
    // is still mounted under the folder before removing it.
    const mounts = readFileSync('/proc/mounts', 'utf8')
      .split('\n')
      .map((line) => line.split(' ')[1] ?? '')
      .filter((mount) => mount.startsWith(dir + '/'))
      .sort((a, b) => b.length - a.length);
    for (const mount of mounts) await execa('umount', ['-l', mount], { reject: false });
    rmSync(dir, { recursive: true, force: true });
  };
}
