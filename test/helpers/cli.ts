import { execa } from 'execa';
import { join } from 'node:path';
import { runCli } from '../../src/program.ts';
import { REPO } from './fixtures.ts';

export interface CliRun {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the CLI in-process, exactly as the binary would, capturing its output. */
export async function cli(args: readonly string[], options: { cwd: string; env?: Record<string, string> }): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const exitCode = await runCli(args, {
    cwd: options.cwd,
    env: options.env ?? {},
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
  });
  return { exitCode, stdout, stderr };
}

/** One point of apply's --json output, as tests read it. */
export interface JsonPoint {
  id: string;
  status: string;
  file?: string;
  line?: number;
  detail?: string;
  searchedFor: string;
  codes?: string[];
  remedy?: string;
}

export const BIN = join(REPO, 'bin', 'instrument.cjs');

/** Runs the built binary (`npm run build` first) as a separate process. */
export async function spawnCli(args: readonly string[], options: { cwd: string; env?: Record<string, string> }): Promise<CliRun> {
  const result = await execa(process.execPath, [BIN, ...args], {
    cwd: options.cwd,
    env: { NO_COLOR: '1', PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...options.env },
    extendEnv: false,
    reject: false,
  });
  return { exitCode: result.exitCode ?? -1, stdout: result.stdout, stderr: result.stderr };
}
