import { execa } from 'execa';
import { OperationError } from '../errors.ts';

/**
 * Every external program instrument runs goes through here: argument arrays, never a shell; a
 * failure becomes one message with the command, its exit code, the end of its stderr and a hint.
 */

export interface ToolRun {
  readonly stdout: string;
  readonly stderr: string;
  /** stdout and stderr interleaved as the tool wrote them. */
  readonly all: string;
  readonly exitCode: number;
}

export interface RunOptions {
  readonly env?: Readonly<Record<string, string | undefined>> | undefined;
  readonly cwd?: string | undefined;
  /** Each line of output as it comes (stdout and stderr), for progress displays. */
  readonly onLine?: ((line: string) => void) | undefined;
  readonly timeoutMs?: number | undefined;
  /** Return failures instead of throwing them. */
  readonly allowFailure?: boolean | undefined;
}

/** A command as a person would type it, for messages and `--dry-run` (quoted only for display). */
export function commandLine(argv: readonly string[]): string {
  return argv.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replaceAll("'", "'\\''")}'`)).join(' ');
}

/** A kubectl command's verb (`get`, `patch`), past the connection flags before it. */
function kubectlVerb(argv: readonly string[]): string {
  let i = 1;
  while (argv[i] === '--kubeconfig' || argv[i] === '--context') i += 2;
  return argv[i] ?? '';
}

/** Known failure texts of the tools we run, and what to do about each. */
const HINTS: ReadonlyArray<{ readonly pattern: RegExp; readonly hint: (argv: readonly string[]) => string }> = [
  { pattern: /no nodes found for cluster/i, hint: () => 'List the kind clusters with `kind get clusters` and pass the right one with --name.' },
  { pattern: /Profile ".*" not found/i, hint: () => 'List the minikube profiles with `minikube profile list` and pass the right one with --profile.' },
  { pattern: /not present locally|No such image|image not known/i, hint: () => 'Build the image first (`instrument build`), or pass the tag it was built with (--image).' },
  { pattern: /\(Forbidden\)|is forbidden/i, hint: (argv) => `Your kubectl user may not do this; check with \`kubectl auth can-i ${kubectlVerb(argv)} ...\` or switch context.` },
  { pattern: /doesn't have a resource type "schedulerinstall/i, hint: () => 'This cluster has no SchedulerInstall resource: use --target deployment to patch the Deployment directly.' },
  // kubectl logs and exec go through the API server to the node's kubelet: when that hop fails, the
  // API server answered, so neither the namespace nor the cluster address is the problem.
  {
    pattern: /containerLogs\/|dial tcp [^\n]*:10250|error dialing backend|proxy error from|kubelet/i,
    hint: () => 'The API server answered, but could not reach the kubelet of the pod\'s node: see `kubectl get nodes -o wide` (is the node Ready?) and whether the API server can reach the node\'s kubelet port.',
  },
  { pattern: /\(NotFound\)|not found/i, hint: () => 'Check the names (--namespace and the resource names, or instrument.config.json) with `kubectl get` in that namespace.' },
  { pattern: /was refused|Unable to connect to the server|no such host|i\/o timeout/i, hint: () => 'The Kubernetes API server does not answer: is the cluster running (`kubectl cluster-info`), and is it the one you mean? `kubectl config current-context` names the context in use; pick another with --context NAME, or another kubeconfig file with --kubeconfig FILE.' },
  { pattern: /current-context is not set/i, hint: () => 'Select a cluster with `kubectl config use-context <name>`, or pass --cluster kind|minikube.' },
  { pattern: /timed out waiting for the condition|exceeded its progress deadline/i, hint: () => 'The rollout did not finish; see `kubectl describe deployment` and the pods\' events, then `instrument rollback` to put the previous image back.' },
  { pattern: /Cannot connect to the Docker daemon|Is the docker daemon running|connect: no such file or directory|Cannot connect to Podman/i, hint: () => 'No container engine answers: start it, or set DOCKER_HOST to where it listens.' },
];

export function hintFor(argv: readonly string[], stderr: string): string | undefined {
  return HINTS.find((h) => h.pattern.test(stderr))?.hint(argv);
}

/** The failure of an external command, with everything a person needs to act on it. */
export class ToolError extends OperationError {
  readonly argv: readonly string[];
  readonly result: ToolRun;

  constructor(argv: readonly string[], result: ToolRun, what?: string) {
    // The end of the interleaved output: a failed docker build explains itself on stdout, kubectl on stderr.
    const tail = result.all.trim().split('\n').slice(-12).join('\n');
    const reason = result.exitCode === -1 ? 'could not run it' : `exit code ${result.exitCode}`;
    super(
      `${what ? what + ': ' : ''}\`${commandLine(argv)}\` failed (${reason})${tail ? `:\n${tail.replace(/^/gm, '  ')}` : ''}`,
      hintFor(argv, result.stderr + '\n' + result.stdout),
    );
    this.argv = argv;
    this.result = result;
  }
}

/** Runs `argv` and returns its output; a non-zero exit throws a ToolError unless allowed. */
export async function runTool(argv: readonly string[], options: RunOptions = {}): Promise<ToolRun> {
  const [file, ...args] = argv;
  const child = execa(file!, args, {
    reject: false,
    cwd: options.cwd,
    env: options.env,
    timeout: options.timeoutMs,
    stdin: 'ignore',
    all: true,
  });
  if (options.onLine) {
    let pending = '';
    const feed = (chunk: Buffer | string) => {
      pending += chunk.toString();
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) options.onLine!(line.replace(/\r$/, ''));
    };
    child.stdout?.on('data', feed);
    child.stderr?.on('data', feed);
    child.on('exit', () => pending && options.onLine!(pending));
  }
  const result = await child;
  const run: ToolRun = {
    stdout: typeof result.stdout === 'string' ? result.stdout : '',
    stderr: typeof result.stderr === 'string' ? result.stderr : '',
    all: typeof result.all === 'string' ? result.all : '',
    exitCode: result.exitCode ?? (result.failed ? -1 : 0),
  };
  if (result.failed && (result as { code?: string }).code === 'ENOENT') {
    throw new OperationError(`\`${file}\` is not installed or not on PATH`, `Install ${file}, or put it on PATH.`);
  }
  if (run.exitCode !== 0 && !options.allowFailure) throw new ToolError(argv, run);
  return run;
}
