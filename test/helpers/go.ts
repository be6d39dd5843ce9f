import { execa } from 'execa';

/** Runs the go command in `cwd`; a missing Go toolchain fails the test loudly (it is required in CI). */
export async function go(cwd: string, args: readonly string[]): Promise<{ stdout: string; stderr: string }> {
  const result = await execa('go', args, { cwd, reject: false, env: { GOFLAGS: '-mod=mod' } });
  if (result.exitCode !== 0) {
    throw new Error(`go ${args.join(' ')} failed in ${cwd} (exit ${result.exitCode}):\n${result.stderr}\n${result.stdout}`);
  }
  return { stdout: result.stdout, stderr: result.stderr };
}

/** `go build` and `go vet` of every package, and gofmt cleanliness. */
export async function compileAndVet(cwd: string): Promise<void> {
  await go(cwd, ['build', './...']);
  await go(cwd, ['vet', './...']);
  const unformatted = (await execa('gofmt', ['-l', '.'], { cwd })).stdout.trim();
  if (unformatted !== '') throw new Error(`gofmt -l lists files in ${cwd}:\n${unformatted}`);
}
