import { execa } from 'execa';

/**
 * -trimpath keeps the folder of each copy out of Go's build cache keys, so every ref, copy and later
 * run shares the compiled packages of identical sources (without it the upstream module's own
 * packages compile again in every copy). Messages still name files relative to the module.
 */
export const GO_BUILD_FLAGS = ['-trimpath'] as const;

/** What `go test` said about a set of packages: the failing tests, by package folder. */
export interface TestRun {
  /** `<package folder>: <TestName>`, or `<package folder>: (package)` when it failed outside any test (a build error). */
  readonly failed: string[];
  /** The output of each failure, by the same name, for the report's detail. */
  readonly output: ReadonlyMap<string, string>;
  /** Packages that have test files at all. */
  readonly tested: number;
  /** Set when go test failed without a result per package (it could not start, or a module download failed). */
  readonly trouble: string | undefined;
}

interface TestEvent {
  readonly Action?: string;
  readonly Package?: string;
  readonly ImportPath?: string;
  readonly Test?: string;
  readonly Output?: string;
}

/**
 * Runs `go test -json` on `packages` (folders relative to the module, `./pkg/...`) in `moduleDir`
 * and collects what failed. Only the tests' outcome is read from the JSON events; the folder names
 * come from the import paths by removing `modulePath`.
 */
export async function goTest(moduleDir: string, modulePath: string, packages: readonly string[], env: Readonly<Record<string, string | undefined>>): Promise<TestRun> {
  const run = await execa('go', ['test', '-json', ...GO_BUILD_FLAGS, ...packages], { cwd: moduleDir, env, reject: false, stripFinalNewline: false });
  const folder = (importPath: string) => (importPath === modulePath ? '.' : importPath.startsWith(modulePath + '/') ? importPath.slice(modulePath.length + 1) : importPath);
  const outputs = new Map<string, string[]>();
  const failed: string[] = [];
  const packagesWithFailedTests = new Set<string>();
  const failedPackages: string[] = [];
  let tested = 0;
  for (const line of run.stdout.split('\n')) {
    if (!line.startsWith('{')) continue;
    let event: TestEvent;
    try {
      event = JSON.parse(line) as TestEvent;
    } catch {
      continue;
    }
    const pkg = event.Package ?? event.ImportPath;
    if (pkg === undefined) continue;
    const key = `${folder(pkg)}: ${event.Test ?? '(package)'}`;
    if (event.Output !== undefined) outputs.set(key, [...(outputs.get(key) ?? []), event.Output]);
    if (event.Action === 'build-output' && event.Output !== undefined) {
      const packageKey = `${folder(pkg.replace(/ \[.*\]$/, ''))}: (package)`;
      outputs.set(packageKey, [...(outputs.get(packageKey) ?? []), event.Output]);
    }
    if (event.Action === 'fail') {
      if (event.Test !== undefined) {
        // A subtest's failure fails its parent too; the parent's name alone says where to look.
        if (!failed.some((f) => key.startsWith(f + '/'))) failed.push(key);
        packagesWithFailedTests.add(folder(pkg));
      } else failedPackages.push(folder(pkg));
    }
    if ((event.Action === 'pass' || event.Action === 'fail') && event.Test === undefined) tested++;
  }
  for (const pkg of failedPackages) if (!packagesWithFailedTests.has(pkg)) failed.push(`${pkg}: (package)`);
  const trouble = run.exitCode !== 0 && failed.length === 0 ? `go test failed: ${`${run.stderr}\n${run.stdout}`.trim().split('\n').slice(-5).join(' | ')}` : undefined;
  return {
    failed: failed.sort(),
    output: new Map(failed.map((name) => [name, (outputs.get(name) ?? []).join('').trim().split('\n').slice(-8).join('\n')])),
    tested,
    trouble,
  };
}
