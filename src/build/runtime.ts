import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { OperationError, UsageError } from '../errors.ts';
import { runTool, ToolError } from './exec.ts';

export type RuntimeName = 'docker' | 'podman';
const RUNTIMES: readonly RuntimeName[] = ['docker', 'podman'];

export type Env = Readonly<Record<string, string | undefined>>;

/** Whether an executable is on PATH (without running it). */
export function onPath(name: string, env: Env): boolean {
  return (env.PATH ?? '').split(delimiter).some((dir) => {
    try {
      accessSync(join(dir, name), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/**
 * The container runtime: `--runtime`, else `CONTAINER_RUNTIME` (the variable llm-d's Makefile
 * uses), else docker when it is installed, else podman.
 */
export function chooseRuntime(flag: string | undefined, env: Env): RuntimeName {
  const wanted = flag ?? env.CONTAINER_RUNTIME;
  if (wanted !== undefined) {
    if (!RUNTIMES.includes(wanted as RuntimeName)) {
      throw new UsageError(`${flag !== undefined ? '--runtime' : 'CONTAINER_RUNTIME'} ${JSON.stringify(wanted)}: expected docker or podman`, 'Pass --runtime docker or --runtime podman.');
    }
    return wanted as RuntimeName;
  }
  const found = RUNTIMES.find((r) => onPath(r, env));
  if (!found) throw new OperationError('neither docker nor podman is installed', 'Install one of them, or put it on PATH.');
  return found;
}

/** Asks the engine for its version; says plainly where it looked when nothing answers. */
export async function checkEngine(runtime: RuntimeName, env: Env): Promise<string> {
  const argv = runtime === 'docker' ? ['docker', 'version', '--format', '{{.Server.Version}}'] : ['podman', 'info', '--format', '{{.Version.Version}}'];
  try {
    return (await runTool(argv, { env })).stdout.trim();
  } catch (error) {
    if (!(error instanceof ToolError)) throw error;
    const where = runtime === 'docker' ? (env.DOCKER_HOST ? `DOCKER_HOST=${env.DOCKER_HOST}` : 'the default socket unix:///var/run/docker.sock') : 'podman';
    throw new OperationError(
      `no container engine answers at ${where} (\`${argv.join(' ')}\`: ${error.result.stderr.trim().split('\n').at(-1) ?? `exit ${error.result.exitCode}`})`,
      runtime === 'docker' ? 'Start the Docker engine (e.g. `sudo systemctl start docker`), or set DOCKER_HOST to where one listens.' : 'Start podman (`podman machine start` on macOS), or check `podman info`.',
    );
  }
}
