import { execa, type ResultPromise } from 'execa';
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { createServer } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { REPO } from './fixtures.ts';

/**
 * A real Kubernetes control plane on loopback, for the `cluster` test tier: etcd, kube-apiserver,
 * kube-controller-manager and kube-scheduler (built by scripts/setup-cluster-tools.sh), kwok for
 * the nodes, pods and their logs, and our stand-in SchedulerInstall operator (test/cluster/operator.mjs).
 */

export const K8S_VERSION = 'v1.33.13';

/** What the tests get (through vitest's provide/inject). */
export interface ControlPlaneInfo {
  readonly dir: string;
  /** Holds the binaries, kubectl among them: first on the tests' PATH. */
  readonly bin: string;
  /** Contexts: `admin` (current), `viewer` (may read, not change), `nobody` (no rights), `down` (no API server there). */
  readonly kubeconfig: string;
  /** What kwok answers `kubectl logs` with, for every pod on the node it serves (CRI lines). */
  readonly logsFile: string;
  /** A node whose kubelet port nobody listens on: pods there run, but their logs cannot be read. */
  readonly unreachableNode: string;
}

export function toolsDir(): string {
  return process.env.INSTRUMENT_CLUSTER_TOOLS ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'instrument', `k8s-${K8S_VERSION}`, 'bin');
}

const TOOLS = ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kubectl', 'kwok'] as const;

/** Fails loudly, saying how to get them, when a binary is missing: the tier is never skipped. */
export function checkTools(bin = toolsDir()): void {
  const missing = TOOLS.filter((t) => !existsSync(join(bin, t)));
  const which = (tool: string) => (process.env.PATH ?? '').split(delimiter).some((d) => existsSync(join(d, tool)));
  if (!which('etcd')) missing.push('etcd' as never);
  if (!which('openssl')) missing.push('openssl' as never);
  if (missing.length > 0) {
    throw new Error(
      `the cluster tests need ${missing.join(', ')} (looked in ${bin} and on PATH). Run ./scripts/setup-cluster-tools.sh ` +
        '(also run by ./scripts/setup-machine.sh): it installs etcd from Debian and builds the rest from the Go module proxy, once.',
    );
  }
}

async function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => done(port));
    });
  });
}

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

interface Started {
  readonly name: string;
  readonly child: ResultPromise;
  readonly log: string;
}

function tail(file: string, lines = 25): string {
  return existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n').slice(-lines).join('\n') : '(no log)';
}

function get(url: string, options: { ca?: Buffer; token?: string }): Promise<{ status: number; body: string }> {
  return new Promise((done) => {
    const req = request(url, { ca: options.ca, headers: options.token ? { Authorization: `Bearer ${options.token}` } : {}, timeout: 2000 }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => done({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', () => done({ status: 0, body: '' }));
    req.on('timeout', () => req.destroy());
    req.end();
  });
}

export class ControlPlane {
  private readonly started: Started[] = [];
  readonly info: ControlPlaneInfo;
  private readonly env: Record<string, string>;

  private constructor(info: ControlPlaneInfo) {
    this.info = info;
    this.env = { ...(process.env as Record<string, string>), PATH: [info.bin, process.env.PATH ?? ''].join(delimiter), KUBECONFIG: info.kubeconfig };
  }

  /** kubectl as the admin, for setting up and looking at what the tests did. */
  async kubectl(args: readonly string[], input?: string): Promise<string> {
    const run = await execa(join(this.info.bin, 'kubectl'), args, { env: this.env, input, reject: false, all: true });
    if (run.exitCode !== 0) throw new Error(`kubectl ${args.join(' ')} failed (${run.exitCode}):\n${run.all}`);
    return run.stdout;
  }

  private spawn(name: string, file: string, args: readonly string[]): Started {
    const log = join(this.info.dir, `${name}.log`);
    const out = createWriteStream(log);
    const child = execa(file, args, { env: this.env, reject: false, stdin: 'ignore', cleanup: true, buffer: false });
    child.stdout?.pipe(out);
    child.stderr?.pipe(out);
    const started = { name, child, log };
    this.started.push(started);
    return started;
  }

  private async until(what: string, started: Started | undefined, check: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (started && started.child.exitCode !== null) throw new Error(`${started.name} exited (${started.child.exitCode}) before ${what}:\n${tail(started.log)}`);
      if (await check()) return;
      await sleep(200);
    }
    throw new Error(`timed out after ${timeoutMs / 1000}s waiting for ${what}${started ? `; the end of ${started.log}:\n${tail(started.log)}` : ''}`);
  }

  static async start(): Promise<ControlPlane> {
    checkTools();
    const dir = mkdtempSync(join(tmpdir(), 'instrument-control-plane-'));
    const bin = toolsDir();
    const pki = join(dir, 'pki');
    mkdirSync(pki);
    const ports: number[] = [];
    // One at a time: a port is only free for sure until another is asked for.
    while (ports.length < 9) {
      const port = await freePort();
      if (!ports.includes(port)) ports.push(port);
    }
    const [etcdClient, etcdPeer, apiPort, kcmPort, schedulerPort, kwokPort, kwok2Port, closedPort, downPort] = ports as [number, number, number, number, number, number, number, number, number];
    const plane = new ControlPlane({ dir, bin, kubeconfig: join(dir, 'kubeconfig'), logsFile: join(dir, 'epp-container.log'), unreachableNode: 'kwok-unreachable' });
    try {
      await plane.boot({ pki, etcdClient, etcdPeer, apiPort, kcmPort, schedulerPort, kwokPort, kwok2Port, closedPort, downPort });
    } catch (error) {
      await plane.stop();
      throw error;
    }
    return plane;
  }

  private async boot(p: { pki: string; etcdClient: number; etcdPeer: number; apiPort: number; kcmPort: number; schedulerPort: number; kwokPort: number; kwok2Port: number; closedPort: number; downPort: number }): Promise<void> {
    const { dir, bin } = this.info;
    const pki = p.pki;
    const ssl = (args: string[]) => execa('openssl', args, { cwd: pki });
    writeFileSync(join(pki, 'ext.cnf'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth,clientAuth\nkeyUsage=digitalSignature,keyEncipherment\n');
    await ssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '2', '-subj', '/CN=instrument-test-ca']);
    await ssl(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=127.0.0.1']);
    await ssl(['x509', '-req', '-in', 'server.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.crt', '-days', '2', '-extfile', 'ext.cnf']);
    await ssl(['genrsa', '-out', 'sa.key', '2048']);
    await ssl(['rsa', '-in', 'sa.key', '-pubout', '-out', 'sa.pub']);
    const ca = readFileSync(join(pki, 'ca.crt'));
    const tokens = { admin: 'admin-token-0123456789', viewer: 'viewer-token-0123456789', nobody: 'nobody-token-0123456789' };
    writeFileSync(join(pki, 'tokens.csv'), `${tokens.admin},admin,uid-admin,"system:masters"\n${tokens.viewer},viewer,uid-viewer\n${tokens.nobody},nobody,uid-nobody\n`);

    const server = `https://127.0.0.1:${p.apiPort}`;
    const caData = ca.toString('base64');
    writeFileSync(
      this.info.kubeconfig,
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [
          { name: 'test', cluster: { server, 'certificate-authority-data': caData } },
          { name: 'down', cluster: { server: `https://127.0.0.1:${p.downPort}`, 'certificate-authority-data': caData } },
        ],
        users: Object.entries(tokens).map(([name, token]) => ({ name, user: { token } })),
        contexts: [
          { name: 'admin', context: { cluster: 'test', user: 'admin' } },
          { name: 'viewer', context: { cluster: 'test', user: 'viewer' } },
          { name: 'nobody', context: { cluster: 'test', user: 'nobody' } },
          { name: 'down', context: { cluster: 'down', user: 'admin' } },
        ],
        'current-context': 'admin',
      }),
    );

    const etcd = this.spawn('etcd', 'etcd', [
      '--name=default',
      `--data-dir=${join(dir, 'etcd')}`,
      `--listen-client-urls=http://127.0.0.1:${p.etcdClient}`,
      `--advertise-client-urls=http://127.0.0.1:${p.etcdClient}`,
      `--listen-peer-urls=http://127.0.0.1:${p.etcdPeer}`,
      `--initial-advertise-peer-urls=http://127.0.0.1:${p.etcdPeer}`,
      `--initial-cluster=default=http://127.0.0.1:${p.etcdPeer}`,
      '--listen-metrics-urls=',
    ]);
    await this.until('etcd to be healthy', etcd, async () => {
      const res = await fetch(`http://127.0.0.1:${p.etcdClient}/health`).catch(() => undefined);
      return res?.ok === true;
    });

    const apiserver = this.spawn('kube-apiserver', join(bin, 'kube-apiserver'), [
      `--etcd-servers=http://127.0.0.1:${p.etcdClient}`,
      '--bind-address=127.0.0.1',
      '--advertise-address=127.0.0.1',
      `--secure-port=${p.apiPort}`,
      `--cert-dir=${join(dir, 'apiserver-certs')}`,
      `--tls-cert-file=${join(pki, 'server.crt')}`,
      `--tls-private-key-file=${join(pki, 'server.key')}`,
      `--client-ca-file=${join(pki, 'ca.crt')}`,
      `--token-auth-file=${join(pki, 'tokens.csv')}`,
      `--service-account-issuer=${server}`,
      `--service-account-key-file=${join(pki, 'sa.pub')}`,
      `--service-account-signing-key-file=${join(pki, 'sa.key')}`,
      '--authorization-mode=RBAC',
      '--service-cluster-ip-range=10.96.0.0/16',
      // Endpoints may not hold a loopback address, so the kubernetes Service gets none.
      '--endpoint-reconciler-type=none',
      '--kubelet-preferred-address-types=InternalIP',
      '--enable-priority-and-fairness=false',
      // Pods need no service account here (and a fresh namespace has none for a moment).
      '--disable-admission-plugins=ServiceAccount',
      '--profiling=false',
    ]);
    await this.until('the API server to be ready', apiserver, async () => (await get(`${server}/readyz`, { ca, token: tokens.admin })).status === 200, 90_000);

    this.spawn('kube-controller-manager', join(bin, 'kube-controller-manager'), [
      `--kubeconfig=${this.info.kubeconfig}`,
      '--leader-elect=false',
      '--bind-address=127.0.0.1',
      `--secure-port=${p.kcmPort}`,
      `--service-account-private-key-file=${join(pki, 'sa.key')}`,
      `--root-ca-file=${join(pki, 'ca.crt')}`,
      '--controllers=*,-nodeipam,-service-lb-controller,-route,-cloud-node-lifecycle',
      '--profiling=false',
    ]);
    this.spawn('kube-scheduler', join(bin, 'kube-scheduler'), [
      `--kubeconfig=${this.info.kubeconfig}`,
      '--leader-elect=false',
      '--bind-address=127.0.0.1',
      `--secure-port=${p.schedulerPort}`,
      '--profiling=false',
    ]);

    // kwok fakes the nodes: `kwok-node` serves its kubelet API (logs from logsFile); the second
    // kwok marks kwok-unreachable Ready but advertises a kubelet port nobody listens on.
    writeFileSync(this.info.logsFile, '');
    const kwokConfig = join(dir, 'kwok.yaml');
    writeFileSync(
      kwokConfig,
      `apiVersion: kwok.x-k8s.io/v1alpha1\nkind: ClusterLogs\nmetadata:\n  name: epp-logs\nspec:\n  logs:\n  - logsFile: ${this.info.logsFile}\n    follow: true\n`,
    );
    const kwokArgs = (node: string, serverPort: number, nodePort: number) => [
      `--kubeconfig=${this.info.kubeconfig}`,
      `--config=${kwokConfig}`,
      `--manage-single-node=${node}`,
      '--node-ip=127.0.0.1',
      `--node-port=${nodePort}`,
      `--server-address=127.0.0.1:${serverPort}`,
      `--tls-cert-file=${join(pki, 'server.crt')}`,
      `--tls-private-key-file=${join(pki, 'server.key')}`,
      '--node-lease-duration-seconds=40',
    ];
    this.spawn('kwok', join(bin, 'kwok'), kwokArgs('kwok-node', p.kwokPort, p.kwokPort));
    this.spawn('kwok-unreachable', join(bin, 'kwok'), kwokArgs(this.info.unreachableNode, p.kwok2Port, p.closedPort));

    const node = (name: string, labels: Record<string, string>, taint: boolean) => ({
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name, labels: { 'kubernetes.io/hostname': name, type: 'kwok', ...labels }, annotations: { 'node.alpha.kubernetes.io/ttl': '0', 'kwok.x-k8s.io/node': 'fake' } },
      spec: taint ? { taints: [{ key: 'instrument-test/unreachable', value: 'true', effect: 'NoSchedule' }] } : {},
    });
    await this.kubectl(['apply', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [node('kwok-node', {}, false), node(this.info.unreachableNode, { 'instrument-test/unreachable': 'true' }, true)] }));
    await this.kubectl(['apply', '-f', join(REPO, 'test', 'cluster', 'manifests', 'base.yaml')]);
    await this.until('the nodes to be Ready', undefined, async () => {
      const out = await this.kubectl(['get', 'nodes', '-o', 'jsonpath={range .items[*]}{.status.conditions[?(@.type=="Ready")].status}{"\\n"}{end}']).catch(() => '');
      return out.trim().split('\n').filter((s) => s === 'True').length === 2;
    });
    await this.until('the default service account (the controller manager is up)', undefined, async () =>
      (await this.kubectl(['get', 'serviceaccount', 'default', '-n', 'default', '-o', 'name']).catch(() => '')).includes('serviceaccount/default'),
    );
    this.spawn('operator', process.execPath, [join(REPO, 'test', 'cluster', 'operator.mjs'), server, join(pki, 'ca.crt'), tokens.admin]);
  }

  async stop(): Promise<void> {
    for (const started of [...this.started].reverse()) {
      if (started.child.exitCode !== null) continue;
      started.child.kill('SIGTERM');
      const exited = await Promise.race([started.child.then(() => true), sleep(10_000).then(() => false)]);
      if (!exited) started.child.kill('SIGKILL');
    }
    if (process.env.INSTRUMENT_KEEP_CONTROL_PLANE === undefined) rmSync(this.info.dir, { recursive: true, force: true });
  }
}
