import { execa } from 'execa';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { delimiter, dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../../src/commands/cli/index.ts';
import { BIN, spawnCli } from '../helpers/cli.ts';
import { copyFixture, tempDir } from '../helpers/fixtures.ts';

// The command line's conventions (issue 16), on the built binary: help, completion, short flags,
// durations, the cluster flags, colour, diff's exit code, one JSON switch, and the messages.

const NAMES = COMMANDS.map((c) => c.name);
const ESC = '\x1b[';

/** A kubectl that records its argv (one JSON line each) and answers as one whose API server is down. */
function unreachableKubectl(): { env: Record<string, string>; calls: () => string[][] } {
  const dir = tempDir();
  const log = join(dir, 'calls.jsonl');
  const script = join(dir, 'kubectl');
  writeFileSync(
    script,
    `#!${process.execPath}\nrequire('node:fs').appendFileSync(${JSON.stringify(log)}, JSON.stringify(process.argv.slice(2)) + '\\n');\n` +
      `process.stderr.write('The connection to the server 127.0.0.1:6443 was refused - did you specify the right host or port?\\n');\nprocess.exit(1);\n`,
  );
  chmodSync(script, 0o755);
  writeFileSync(log, '');
  return {
    env: { PATH: [dir, dirname(process.execPath), '/usr/bin', '/bin'].join(delimiter) },
    calls: () => readFileSync(log, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line) as string[]),
  };
}

/** Runs `command` under a pseudo-terminal (util-linux script), so stdout is a terminal. */
async function onTerminal(command: string, env: Record<string, string>) {
  const run = await execa('script', ['-qec', command, '/dev/null'], { env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', TERM: 'xterm', ...env }, extendEnv: false, reject: false, stdin: 'ignore' });
  return run.stdout;
}

describe('help', () => {
  it('has examples on every command and on the program, and a bare instrument prints it on stdout', async () => {
    const cwd = tempDir();
    const bare = await spawnCli([], { cwd });
    expect(bare.exitCode).toBe(0);
    expect(bare.stderr).toBe('');
    expect(bare.stdout).toMatch(/^Usage: instrument \[options\] \[command\]/);
    expect(bare.stdout).toContain('Examples:\n  # ');
    for (const name of NAMES) {
      const help = await spawnCli([name, '--help'], { cwd });
      expect.soft(help.exitCode, name).toBe(0);
      expect.soft(help.stdout, name).toMatch(new RegExp(`\\nExamples:\\n  # .+\\n  (instrument ${name}\\b|\\S+ .*\\| instrument ${name}\\b|source <\\(instrument ${name}|kubectl port-forward)`));
      // The program's flags show in every command's help.
      expect.soft(help.stdout, name).toContain('--color <when>');
      expect.soft(help.stdout, name).toContain('--debug');
    }
  });

  it('lists --json on every command that prints a result (check too, beside --format)', async () => {
    const cwd = tempDir();
    for (const name of NAMES.filter((n) => n !== 'completion')) {
      expect.soft((await spawnCli([name, '--help'], { cwd })).stdout, name).toMatch(/^ {2}--json /m);
    }
    const both = await spawnCli(['check', '--upstream', cwd, '--ref', 'main', '--json', '--format', 'text'], { cwd });
    expect(both.exitCode).toBe(2);
    expect(both.stderr).toContain('--json and --format text ask for two formats');
  });

  it('documents the short flags kubectl users expect', async () => {
    const cwd = tempDir();
    const help = async (name: string) => (await spawnCli([name, '--help'], { cwd })).stdout;
    expect(await help('logs')).toMatch(/-n, --namespace <ns>[\s\S]*-c, --container <name>[\s\S]*-f, --follow/);
    expect(await help('inspect')).toMatch(/-n, --namespace <ns>[\s\S]*-l, --pod-selector <selector>/);
    expect(await help('deploy')).toMatch(/-c, --container <name>/);
    expect(await help('analyze')).toMatch(/-f, --follow/);
    expect(await help('check')).toMatch(/-o, --output <file>/);
    expect(await help('build')).toMatch(/-t, --tag <image>[\s\S]*-f, --dockerfile <path>/);
    // And they work: -n is checked as the namespace it is.
    const bad = await spawnCli(['logs', '-n', 'Not_A_Namespace'], { cwd });
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toContain('--namespace "Not_A_Namespace" is not a valid Kubernetes name');
  });
});

describe('instrument completion', () => {
  it('bash: completes commands, flags and their values from the command list', async () => {
    const script = [
      `source <(${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)} completion bash)`,
      'complete -p instrument',
      't() { COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); COMPREPLY=(); _instrument; echo "${COMPREPLY[*]}"; }',
      't instrument ro',
      't instrument logs --r',
      't instrument logs --runtime ""',
      't instrument --color always di',
      't instrument completion ""',
      't instrument inspect -',
      't instrument check --format ""',
    ].join('\n');
    const run = await execa('bash', ['-c', script], { env: { NO_COLOR: '1' } });
    expect(run.stdout.split('\n')).toEqual([
      'complete -o bashdefault -o filenames -F _instrument instrument',
      'rollback',
      '--root --runtime',
      'docker podman',
      'diff',
      'bash zsh fish',
      expect.stringMatching(/^--root --source -n --namespace --deployment --configmap --json --kubeconfig --context --pod-namespace -l --pod-selector -h --help --color --debug$/),
      'text json junit github',
    ]);
  });

  it('zsh: the script parses and registers _instrument for instrument', async () => {
    const file = join(tempDir(), '_instrument');
    writeFileSync(file, (await spawnCli(['completion', 'zsh'], { cwd: tempDir() })).stdout);
    await execa('zsh', ['-n', file]);
    const loaded = await execa('zsh', ['-fc', `autoload -U compinit && compinit -u -d ${tempDir()}/zcompdump && source ${file} && print -r -- $_comps[instrument]`]);
    expect(loaded.stdout.trim()).toBe('_instrument');
  });

  it('fish: the script parses and completes commands, flags and choices', async () => {
    const file = join(tempDir(), 'instrument.fish');
    writeFileSync(file, (await spawnCli(['completion', 'fish'], { cwd: tempDir() })).stdout);
    await execa('fish', ['--no-execute', file]);
    const complete = async (line: string) => (await execa('fish', ['--no-config', '-c', `source ${file}; complete -C${JSON.stringify(line)}`])).stdout.split('\n').map((l) => l.split('\t')[0]);
    expect(await complete('instrument rol')).toEqual(['rollback']);
    expect(await complete('instrument logs --runtime ')).toEqual(['docker', 'podman']);
    expect(await complete('instrument completion ')).toEqual(['bash', 'fish', 'zsh']);
    expect(await complete('instrument inspect --pod-sel')).toEqual(['--pod-selector']);
  });

  it('refuses a shell it does not know', async () => {
    const run = await spawnCli(['completion', 'tcsh'], { cwd: tempDir() });
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain('Allowed choices are bash, zsh, fish');
  });
});

describe('durations', () => {
  it('traffic --timeout takes a Go duration (and a bare number of seconds), and refuses anything else', async () => {
    const cwd = tempDir();
    for (const timeout of ['1m30s', '1.5h', '500ms', '5']) {
      // Port 9 (discard) on loopback refuses at once: the flag was taken, the requests failed.
      const run = await spawnCli(['traffic', '--url', 'http://127.0.0.1:9/v1/chat/completions', '--requests', '1', '--timeout', timeout], { cwd });
      expect.soft(run.exitCode, timeout).toBe(1);
    }
    const bad = await spawnCli(['traffic', '--timeout', '5x'], { cwd });
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toContain("option '--timeout <duration>' argument '5x' is invalid. expected a duration above 0 like 500ms, 25s, 5m or 1h30m");
  });
});

describe('the cluster commands', () => {
  // Set-based selectors reaching kubectl unchanged are tested against a real API server:
  // test/cluster/inspect.test.ts. Here the selector is only checked and taken.
  it('pass --kubeconfig and --context to every kubectl call, and hint at them when the API server does not answer', async () => {
    const cwd = tempDir();
    const kubectl = unreachableKubectl();
    const connection = ['--kubeconfig', 'staging.yaml', '--context', 'staging'];
    const runs = [
      ['inspect', ...connection, '-l', 'role in (decode,both),!canary'],
      ['deploy', ...connection, '--dry-run'],
      ['rollback', ...connection],
      ['logs', ...connection, '-n', 'epp', '--since', '1h30m'],
    ];
    // (load takes the cluster from the context's name, kind-* or minikube, and reads no API:
    // test/unit/load.test.ts shows it passing --kubeconfig.)
    for (const args of runs) {
      const run = await spawnCli(args, { cwd, env: kubectl.env });
      expect.soft(run.exitCode, args[0]).toBe(1);
      expect.soft(run.stderr, args[0]).toContain('pick another with --context NAME, or another kubeconfig file with --kubeconfig FILE');
      expect.soft(run.stderr, args[0]).not.toContain('--namespace');
      // kubectl's message once, inside the error.
      expect.soft(run.stderr.split('was refused').length - 1, args[0]).toBe(1);
    }
    const calls = kubectl.calls();
    expect(calls.length).toBeGreaterThanOrEqual(runs.length);
    for (const argv of calls) expect(argv.slice(0, 4)).toEqual(['--kubeconfig', join(cwd, 'staging.yaml'), '--context', 'staging']);
    expect(calls).toContainEqual(['--kubeconfig', join(cwd, 'staging.yaml'), '--context', 'staging', 'logs', '-n', 'epp', 'deploy/gaie-inference-scheduling-epp', '--since=1h30m']);
  });
});

describe('colour', () => {
  const dir = () => copyFixture('g12');

  it('--color always|never win; FORCE_COLOR forces it off a terminal; NO_COLOR set turns it off, empty counts as unset', async () => {
    const source = dir();
    const diff = (args: string[], env: Record<string, string>) => spawnCli(['diff', '--source', source, ...args], { cwd: source, env: { NO_COLOR: '', ...env } });
    // Off a terminal (spawnCli's stdout is a pipe).
    expect((await diff([], {})).stdout).not.toContain(ESC);
    expect((await diff(['--color', 'always'], { NO_COLOR: '1' })).stdout).toContain(`${ESC}32m+`);
    expect((await diff([], { FORCE_COLOR: '1' })).stdout).toContain(`${ESC}36m@@ `);
    expect((await diff([], { FORCE_COLOR: '' })).stdout).not.toContain(ESC);
    expect((await diff(['--color=never'], { FORCE_COLOR: '1' })).stdout).not.toContain(ESC);
    // apply --dry-run prints the same diff, coloured by the same rule, and writes nothing.
    const dryRun = (args: string[]) => spawnCli(['apply', '--source', source, '--dry-run', ...args], { cwd: source, env: { NO_COLOR: '' } });
    expect((await dryRun(['--color', 'always'])).stdout).toContain(`${ESC}32m+`);
    expect((await dryRun([])).stdout).not.toContain(ESC);
    // On a terminal.
    const line = `${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)} diff --source ${JSON.stringify(source)}`;
    expect(await onTerminal(line, { NO_COLOR: '' })).toContain(`${ESC}32m+`);
    expect(await onTerminal(line, { NO_COLOR: '1' })).not.toContain(ESC);
    expect(await onTerminal(line, { TERM: 'dumb' })).not.toContain(ESC);
  });
});

describe('instrument diff', () => {
  it('says whether the diff is planned or applied, stays a patch git applies, and with --exit-code exits 1 only while the sources differ from their originals', async () => {
    const source = copyFixture('g12');
    const pristine = copyFixture('g12');
    const planned = await spawnCli(['diff', '--source', source], { cwd: source });
    expect(planned.exitCode).toBe(0);
    expect(planned.stdout.split('\n')[0]).toBe('# PLANNED: what instrument apply would change (nothing is applied yet)');
    // Not applied: the sources are the originals, so the planned diff is no difference.
    const plannedCode = await spawnCli(['diff', '--source', source, '--exit-code'], { cwd: source });
    expect(plannedCode.exitCode).toBe(0);
    expect(plannedCode.stdout).toBe(planned.stdout);

    expect((await spawnCli(['apply', '--source', source], { cwd: source })).exitCode).toBe(0);
    const applied = await spawnCli(['diff', '--source', source, '--exit-code'], { cwd: source });
    expect(applied.exitCode).toBe(1);
    expect(applied.stdout.split('\n')[0]).toBe('# APPLIED: the change instrument made to these sources (instrument revert takes it out)');
    const patch = join(tempDir(), 'instrument.patch');
    writeFileSync(patch, applied.stdout + '\n'); // execa drops the last newline
    await execa('git', ['init', '-q'], { cwd: pristine });
    await execa('git', ['apply', '--check', patch], { cwd: pristine });

    expect((await spawnCli(['revert', '--source', source], { cwd: source })).exitCode).toBe(0);
    expect((await spawnCli(['diff', '--source', source, '--exit-code'], { cwd: source })).exitCode).toBe(0);
  });
});

describe('messages', () => {
  it('status --json names the overall outcome "status", as apply and revert do', async () => {
    const source = copyFixture('g12');
    const status = JSON.parse((await spawnCli(['status', '--source', source, '--json'], { cwd: source })).stdout) as Record<string, unknown>;
    expect(status.status).toBe('not-applied');
    expect(status).not.toHaveProperty('state');
  });

  it('traffic against a closed port hints at kubectl port-forward', async () => {
    const server = createServer();
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    const { port } = server.address() as { port: number };
    await new Promise((done) => server.close(done));
    const run = await spawnCli(['traffic', '--url', `http://127.0.0.1:${port}/v1/chat/completions`, '--requests', '2'], { cwd: tempDir() });
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toContain('errors    refused ×2');
    expect(run.stderr).toContain(`nothing listens on 127.0.0.1:${port} (connection refused): is the port-forward to the gateway running?`);
    expect(run.stderr).toContain(`kubectl port-forward -n llm-d-inference-scheduler svc/<gateway> ${port}:80`);
  });

  it('logs with a container runtime that is not installed names it', async () => {
    const run = await spawnCli(['logs', '--docker', 'epp', '--runtime', 'podman'], { cwd: tempDir(), env: { PATH: [dirname(process.execPath), '/nonexistent'].join(delimiter) } });
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toContain('error: `podman` is not installed or not on PATH');
    expect(run.stderr).not.toContain('exit code none');
  });

  it("prints a failing log command's message once", async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'docker'), '#!/bin/sh\necho "Error response from daemon: No such container: epp" >&2\nexit 1\n');
    chmodSync(join(dir, 'docker'), 0o755);
    const env = { PATH: [dir, dirname(process.execPath), '/usr/bin', '/bin'].join(delimiter) };
    const said = 'Error response from daemon: No such container: epp';
    // Raw lines: a container's stderr is its log, so the message is printed as a line, and not again.
    const raw = await spawnCli(['logs', '--docker', 'epp'], { cwd: dir, env });
    expect(raw.exitCode).toBe(1);
    expect(raw.stdout).toBe(said);
    expect(raw.stderr).toContain('error: `docker logs epp` failed (exit code 1); its last lines are the ones printed above');
    expect(raw.stderr).not.toContain(said);
    // Analyzed: the lines were not shown, so the error shows them.
    const analyzed = await spawnCli(['logs', '--docker', 'epp', '--analyze'], { cwd: dir, env });
    expect(analyzed.exitCode).toBe(1);
    expect(analyzed.stderr.split(said).length - 1).toBe(1);
  });

  it('analyze reading a terminal says it waits for a log there', async () => {
    const line = `${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)} analyze --color never`;
    // script gives the command a terminal for stdin too; `timeout` ends the wait.
    const shown = await onTerminal(`timeout --foreground 5 ${line}`, {});
    expect(shown).toContain('waiting for an EPP log on standard input, which is this terminal');
    expect(shown).toContain('instrument analyze epp.log');
  });

  it('prints the stack with --debug, or DEBUG set to anything but empty or 0', async () => {
    const cwd = tempDir();
    const stack = /\n {4}at /;
    expect((await spawnCli(['status', '--debug'], { cwd })).stderr).toMatch(stack);
    expect((await spawnCli(['status'], { cwd, env: { DEBUG: '1' } })).stderr).toMatch(stack);
    expect((await spawnCli(['status'], { cwd, env: { DEBUG: '0' } })).stderr).not.toMatch(stack);
    expect((await spawnCli(['status'], { cwd, env: { DEBUG: '' } })).stderr).not.toMatch(stack);
  });
});
