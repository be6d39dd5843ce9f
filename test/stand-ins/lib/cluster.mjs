// The shared body of the stand-in kubectl, kind, minikube, docker and podman (see ../README.md).
//
// Each stand-in records its argv in $FAKE_CLUSTER_DIR/calls.jsonl, reads $FAKE_CLUSTER_DIR/state.json,
// answers the way the real tool would (stdout, stderr, exit code) and writes the state back if the
// call changed it. Anything it does not know exits 64, so a test notices a call it did not expect.

import { appendFileSync, existsSync, mkdirSync, readFileSync, renameSync, rmdirSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** The state of an empty machine: no context, no clusters, no images, no resources. */
export function defaultState() {
  return {
    context: null,
    kindClusters: {},
    minikubeProfiles: [],
    localImages: {},
    nodeImages: {},
    minikubeImages: {},
    resources: {},
    crds: [],
    operator: { reconcile: 'immediately' },
    rollout: 'complete',
    forbidden: [],
    unreachable: false,
    failures: {},
  };
}

/** Runs one stand-in invocation: `tool` is the program's name, the arguments come from process.argv. */
export function main(tool) {
  const args = process.argv.slice(2);
  const dir = process.env.FAKE_CLUSTER_DIR;
  if (!dir) {
    process.stderr.write(`stand-in ${tool}: FAKE_CLUSTER_DIR is not set (create the cluster with test/helpers/fake-cluster.ts)\n`);
    process.exitCode = 64;
    return;
  }
  // Recorded first, so even a call that then fails or is unsupported shows up in calls().
  appendFileSync(join(dir, 'calls.jsonl'), JSON.stringify({ argv: [tool, ...args] }) + '\n');

  const reply = withLock(dir, () => {
    const state = readState(dir);
    const before = JSON.stringify(state);
    const answer = forcedFailure(state, tool, args) ?? TOOLS[tool](args, state);
    if (JSON.stringify(state) !== before) writeState(dir, state);
    return answer;
  });
  if (reply.stdout) process.stdout.write(reply.stdout);
  if (reply.stderr) process.stderr.write(reply.stderr);
  // exitCode rather than exit(): let Node flush stdout and stderr first.
  process.exitCode = reply.exitCode;
}

// ---------------------------------------------------------------------------------------------
// State file, call lock and replies

function readState(dir) {
  const file = join(dir, 'state.json');
  return { ...defaultState(), ...(existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {}) };
}

/** Write to a temporary file and rename it over state.json, so a crash never leaves half a file. */
function writeState(dir, state) {
  const temp = join(dir, `state.json.${process.pid}.tmp`);
  writeFileSync(temp, JSON.stringify(state, null, 2) + '\n');
  renameSync(temp, join(dir, 'state.json'));
}

/**
 * Calls may run concurrently (instrument can poll while it deploys); a lock directory makes each
 * read-answer-write of the state one step, so no update is lost.
 */
function withLock(dir, fn) {
  const lock = join(dir, 'state.lock');
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch (error) {
      if (error.code !== 'EEXIST') throw error;
      if (Date.now() > deadline) return fail(`stand-in: ${lock} held for more than 10 s (a stand-in crashed?)`, 70);
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10); // sleep 10 ms
    }
  }
  try {
    return fn();
  } finally {
    rmdirSync(lock);
  }
}

function ok(stdout = '', stderr = '') {
  return { stdout: line(stdout), stderr: line(stderr), exitCode: 0 };
}

function fail(stderr, exitCode = 1, stdout = '') {
  return { stdout: line(stdout), stderr: line(stderr), exitCode };
}

/** Real tools end their output with a newline. */
function line(text) {
  return text === '' || text.endsWith('\n') ? text : text + '\n';
}

function unsupported(tool, args) {
  return fail(`stand-in ${tool}: unsupported invocation: ${JSON.stringify([tool, ...args])}`, 64);
}

/**
 * `failures` keys are the tool and its first words ("kind load", "minikube image load"); a key
 * matches a call whose argv starts with those words. The longest matching key wins.
 */
function forcedFailure(state, tool, args) {
  const argv = [tool, ...args];
  const keys = Object.keys(state.failures)
    .filter((key) => key.split(' ').every((word, i) => argv[i] === word))
    .sort((a, b) => b.split(' ').length - a.split(' ').length);
  if (keys.length === 0) return undefined;
  const { stderr, exitCode } = state.failures[keys[0]];
  return fail(stderr, exitCode);
}

/**
 * Matches `args` against a pattern of words; `<name>` captures (also inside a word, as in
 * `deployment/<name>`). Returns the captures, or null when the call has another shape.
 */
function match(args, pattern) {
  if (args.length !== pattern.length) return null;
  const captures = {};
  for (let i = 0; i < pattern.length; i++) {
    const names = [];
    const source = pattern[i].replace(/<(\w+)>|[^<]+/g, (text, name) => {
      if (name === undefined) return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      names.push(name);
      return '(.+)';
    });
    const found = new RegExp(`^${source}$`).exec(args[i]);
    if (!found) return null;
    names.forEach((name, j) => (captures[name] = found[j + 1]));
  }
  return captures;
}

function pretty(value) {
  return JSON.stringify(value, null, 2);
}

function isObject(value) {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// ---------------------------------------------------------------------------------------------
// Images

/** The reference as containerd stores it: `epp:dev` is `docker.io/library/epp:dev`. */
export function fullyQualified(ref) {
  const slash = ref.indexOf('/');
  const first = slash < 0 ? '' : ref.slice(0, slash);
  const qualified =
    slash >= 0 && (first.includes('.') || first.includes(':') || first === 'localhost')
      ? ref
      : slash < 0
        ? `docker.io/library/${ref}`
        : `docker.io/${ref}`;
  // No tag and no digest means :latest, as for every container tool.
  const name = qualified.slice(qualified.lastIndexOf('/') + 1);
  return name.includes(':') || name.includes('@') ? qualified : `${qualified}:latest`;
}

function sameImage(a, b) {
  return fullyQualified(a) === fullyQualified(b);
}

/** The local image `ref` names (`epp:dev` also finds `docker.io/library/epp:dev`), or undefined. */
function localImage(state, ref) {
  const key = Object.keys(state.localImages).find((k) => sameImage(k, ref));
  return key === undefined ? undefined : { ref: key, id: state.localImages[key].id };
}

// ---------------------------------------------------------------------------------------------
// kubectl

const UNREACHABLE = 'The connection to the server 127.0.0.1:6443 was refused - did you specify the right host or port?';

/** The resource types the stand-in serves; `builtin` ones need no entry in `crds`. */
const KINDS = {
  deployment: { plural: 'deployments', group: 'apps', builtin: true },
  configmap: { plural: 'configmaps', group: '', builtin: true },
  pod: { plural: 'pods', group: '', builtin: true },
  schedulerinstall: { plural: 'schedulerinstalls', group: 'llm-d.ai', builtin: false },
};

/** `deployments.apps`, `configmaps`: how the API server names a resource type in its messages. */
function qualifiedPlural(kind) {
  const { plural, group } = KINDS[kind];
  return group ? `${plural}.${group}` : plural;
}

/**
 * The failure of a call before the server looks at the object: dead server, unknown resource type,
 * Forbidden verb. Null when the call may go on.
 */
function serverRefuses(state, verb, kind, namespace, name) {
  if (state.unreachable) return fail(UNREACHABLE);
  if (!(kind in KINDS) || (!KINDS[kind].builtin && !state.crds.includes(kind))) {
    return fail(`error: the server doesn't have a resource type "${kind}"`);
  }
  if (state.forbidden.includes(verb)) {
    const { plural, group } = KINDS[kind];
    const subject = name === undefined ? qualifiedPlural(kind) : `${qualifiedPlural(kind)} "${name}"`;
    return fail(
      `Error from server (Forbidden): ${subject} is forbidden: User "developer" cannot ${verb} resource "${plural}" in API group "${group}" in the namespace "${namespace}"`,
    );
  }
  return null;
}

function notFound(kind, name) {
  return fail(`Error from server (NotFound): ${qualifiedPlural(kind)} "${name}" not found`);
}

function kubectl(args, state) {
  if (match(args, ['config', 'current-context'])) {
    // Local: answers even when the server is unreachable.
    return state.context === null ? fail('error: current-context is not set') : ok(state.context);
  }

  let m;
  if ((m = match(args, ['get', 'pods', '-n', '<namespace>', '-l', '<selector>', '-o', 'json']))) {
    const selector = parseSelector(m.selector);
    if (!selector) return unsupported('kubectl', args);
    return serverRefuses(state, 'list', 'pod', m.namespace) ?? listPods(state, m.namespace, selector);
  }
  if ((m = match(args, ['get', '<kind>', '<name>', '-n', '<namespace>', '-o', 'json']))) {
    return serverRefuses(state, 'get', m.kind, m.namespace, m.name) ?? getObject(state, m.kind, m.namespace, m.name);
  }
  if ((m = match(args, ['patch', '<kind>', '<name>', '-n', '<namespace>', '--type', '<type>', '-p', '<patch>']))) {
    if (m.type !== 'merge' && m.type !== 'strategic') return unsupported('kubectl', args);
    return serverRefuses(state, 'patch', m.kind, m.namespace, m.name) ?? patchObject(state, m);
  }
  if ((m = match(args, ['rollout', 'status', 'deployment/<name>', '-n', '<namespace>', '--timeout=<seconds>s']))) {
    if (!/^\d+$/.test(m.seconds)) return unsupported('kubectl', args);
    return serverRefuses(state, 'get', 'deployment', m.namespace, m.name) ?? rolloutStatus(state, m.namespace, m.name);
  }
  // `-f` may stand anywhere after `logs`; the stand-in prints what there is and ends either way.
  const withoutFollow = args.filter((a) => a !== '-f');
  if (args[0] === 'logs' && (m = match(withoutFollow, ['logs', '-n', '<namespace>', 'deploy/<name>', '--since=<since>']))) {
    if (!/^(\d+[hms])+$/.test(m.since)) return unsupported('kubectl', args);
    return serverRefuses(state, 'get', 'deployment', m.namespace, m.name) ?? logs(state, m.namespace, m.name);
  }
  return unsupported('kubectl', args);
}

/** `a=b,c==d` as [[a, b], [c, d]]; null for any other selector syntax (the stand-in only knows equality). */
function parseSelector(text) {
  const pairs = text.split(',').map((part) => /^([\w./-]+)==?([\w.-]*)$/.exec(part));
  return pairs.every(Boolean) ? pairs.map((p) => [p[1], p[2]]) : null;
}

function listPods(state, namespace, selector) {
  const items = Object.entries(state.resources)
    .filter(([key]) => key.startsWith(`pod/${namespace}/`))
    .map(([, pod]) => pod)
    .filter((pod) => selector.every(([k, v]) => pod?.metadata?.labels?.[k] === v));
  return ok(pretty({ apiVersion: 'v1', kind: 'List', items }));
}

function getObject(state, kind, namespace, name) {
  const key = `${kind}/${namespace}/${name}`;
  if (!(key in state.resources)) return notFound(kind, name);
  if (kind === 'deployment') operatorSeesGet(state, namespace, name);
  return ok(pretty(state.resources[key]));
}

function patchObject(state, { kind, name, namespace, type, patch: text }) {
  let patch;
  try {
    patch = JSON.parse(text);
  } catch {
    patch = undefined;
  }
  if (!isObject(patch)) return fail(`error: unable to parse "${text}": not a JSON object`);
  if (type === 'strategic' && !KINDS[kind].builtin) {
    // The API server has no strategic merge for custom resources.
    return fail(
      'Error from server (UnsupportedMediaType): the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml',
    );
  }
  const key = `${kind}/${namespace}/${name}`;
  const current = state.resources[key];
  if (current === undefined) return notFound(kind, name);

  let patched;
  if (type === 'merge') patched = mergePatch(current, patch);
  else {
    const result = strategicPatch(current, patch);
    if (result.error) return fail(result.error);
    patched = result.object;
  }
  const changed = JSON.stringify(patched) !== JSON.stringify(current);
  state.resources[key] = patched;
  if (kind === 'schedulerinstall' && typeof patch.spec?.epp?.image === 'string') {
    operatorSeesPatch(state, namespace, name, patched.spec.epp.image);
  }
  // kubectl names the object by its singular kind here: deployment.apps/epp, configmap/cfg.
  const group = KINDS[kind].group;
  return ok(`${group ? `${kind}.${group}` : kind}/${name} patched${changed ? '' : ' (no change)'}`);
}

/** RFC 7386 JSON merge patch: objects merge key by key, null deletes, anything else replaces. */
export function mergePatch(target, patch) {
  if (!isObject(patch)) return structuredClone(patch);
  const result = isObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = mergePatch(result[key], value);
  }
  return result;
}

/**
 * Strategic merge as far as instrument needs it: `spec.template.spec.containers` merge by `name`
 * (a named container is merge-patched, a new one appended), everything else is a JSON merge patch.
 */
export function strategicPatch(target, patch) {
  const containers = patch.spec?.template?.spec?.containers;
  if (!Array.isArray(containers)) return { object: mergePatch(target, patch) };
  const unnamed = containers.find((c) => !isObject(c) || typeof c.name !== 'string');
  if (unnamed !== undefined) return { error: `Error from server: map: ${JSON.stringify(unnamed)} does not contain declared merge key: name` };

  const rest = structuredClone(patch);
  delete rest.spec.template.spec.containers;
  // Merging `rest` creates spec.template.spec if it was missing, since the patch names that path.
  const object = mergePatch(target, rest);
  const merged = [...(object.spec.template.spec.containers ?? [])];
  for (const container of containers) {
    const i = merged.findIndex((c) => c.name === container.name);
    if (i >= 0) merged[i] = mergePatch(merged[i], container);
    else merged.push(mergePatch({}, container));
  }
  object.spec.template.spec.containers = merged;
  return { object };
}

/**
 * The SchedulerInstall operator: after `spec.epp.image` changes, it copies the image into the first
 * container of each Deployment the SchedulerInstall owns (metadata.ownerReferences), now or after
 * `afterGets` reads of that Deployment. Pending copies live in state.operator.pending.
 */
function operatorSeesPatch(state, namespace, name, image) {
  const { reconcile } = state.operator;
  if (reconcile === 'never') return;
  const owned = Object.entries(state.resources)
    .filter(([key]) => key.startsWith(`deployment/${namespace}/`))
    .filter(([, d]) => (d.metadata?.ownerReferences ?? []).some((o) => o.kind === 'SchedulerInstall' && o.name === name))
    .map(([key]) => key);
  const delay = reconcile === 'immediately' ? 0 : reconcile.afterGets;
  // A newer patch replaces a copy still pending for the same Deployment.
  const pending = (state.operator.pending ?? []).filter((p) => !owned.includes(p.deployment));
  for (const key of owned) {
    if (delay === 0) copyImage(state, key, image);
    else pending.push({ deployment: key, image, getsLeft: delay });
  }
  if (pending.length > 0 || state.operator.pending) state.operator.pending = pending;
}

/** Counts one read of a Deployment against its pending copy; the read after the last counted one sees the image. */
function operatorSeesGet(state, namespace, name) {
  const key = `deployment/${namespace}/${name}`;
  const pending = state.operator.pending?.find((p) => p.deployment === key);
  if (!pending) return;
  if (pending.getsLeft > 0) {
    pending.getsLeft -= 1;
    return;
  }
  copyImage(state, key, pending.image);
  state.operator.pending = state.operator.pending.filter((p) => p !== pending);
}

function copyImage(state, key, image) {
  const container = state.resources[key]?.spec?.template?.spec?.containers?.[0];
  if (container) container.image = image;
}

function rolloutStatus(state, namespace, name) {
  if (!(`deployment/${namespace}/${name}` in state.resources)) return notFound('deployment', name);
  switch (state.rollout) {
    case 'complete':
      return ok(`deployment "${name}" successfully rolled out`);
    case 'timeout':
      return fail(
        'error: timed out waiting for the condition',
        1,
        `Waiting for deployment "${name}" rollout to finish: 0 of 1 updated replicas are available...`,
      );
    case 'progress-deadline':
      return fail(`error: deployment "${name}" exceeded its progress deadline`);
    default:
      throw new Error(`state.rollout: unknown value ${JSON.stringify(state.rollout)}`);
  }
}

/** kubectl resolves deploy/NAME first, so a missing Deployment is NotFound; no logs yet prints nothing. */
function logs(state, namespace, name) {
  if (!(`deployment/${namespace}/${name}` in state.resources)) return notFound('deployment', name);
  return ok(state.resources[`logs/${namespace}/${name}`] ?? '');
}

// ---------------------------------------------------------------------------------------------
// kind

function kind(args, state) {
  let m;
  if (match(args, ['get', 'clusters'])) {
    const names = Object.keys(state.kindClusters);
    return names.length === 0 ? ok('', 'No kind clusters found.') : ok(names.join('\n'));
  }
  if ((m = match(args, ['get', 'nodes', '--name', '<cluster>']))) {
    const nodes = state.kindClusters[m.cluster]?.nodes ?? [];
    // The real kind says so on stderr and still exits 0.
    return nodes.length === 0 ? ok('', `No kind nodes found for cluster "${m.cluster}".`) : ok(nodes.join('\n'));
  }
  if ((m = match(args, ['load', 'docker-image', '<image>', '--name', '<cluster>']))) {
    // kind checks the image before the cluster, as here.
    const image = localImage(state, m.image);
    if (!image) return fail(`ERROR: image: "${m.image}" not present locally`);
    const nodes = state.kindClusters[m.cluster]?.nodes ?? [];
    if (nodes.length === 0) return fail(`ERROR: no nodes found for cluster "${m.cluster}"`);
    const missing = nodes.filter((node) => !(state.nodeImages[node] ?? []).some((i) => sameImage(i, m.image)));
    if (missing.length === 0) return ok('', `Image: "${m.image}" with ID "${image.id}" found to be already present on all nodes.`);
    for (const node of missing) state.nodeImages[node] = [...(state.nodeImages[node] ?? []), m.image];
    // kind logs to stderr.
    return ok('', missing.map((node) => `Image: "${m.image}" with ID "${image.id}" not yet present on node "${node}", loading...`).join('\n'));
  }
  if ((m = match(args, ['load', 'image-archive', '<archive>', '--name', '<cluster>']))) {
    const path = resolve(m.archive);
    if (!existsSync(path) || !statSync(path).isFile()) return fail(`ERROR: stat ${m.archive}: no such file or directory`);
    const nodes = state.kindClusters[m.cluster]?.nodes ?? [];
    if (nodes.length === 0) return fail(`ERROR: no nodes found for cluster "${m.cluster}"`);
    // The stand-in `save` writes the image reference as the archive's only line.
    const image = readFileSync(path, 'utf8').split('\n')[0].trim();
    if (image === '') return fail(`ERROR: failed to load image: ctr: unrecognized image format`);
    for (const node of nodes) {
      const images = state.nodeImages[node] ?? [];
      if (!images.some((i) => sameImage(i, image))) state.nodeImages[node] = [...images, image];
    }
    return ok();
  }
  return unsupported('kind', args);
}

// ---------------------------------------------------------------------------------------------
// docker and podman: the same commands, each with its own error texts

const RUNTIME_ERRORS = {
  docker: {
    noSuchImage: (image) => `Error: No such image: ${image}`,
    noSuchContainer: (name) => `Error response from daemon: No such container: ${name}`,
  },
  podman: {
    noSuchImage: (image) => `Error: ${image}: image not known`,
    noSuchContainer: (name) => `Error: no container with name or ID "${name}" found: no such container`,
  },
};

function runtime(tool) {
  return (args, state) => {
    const errors = RUNTIME_ERRORS[tool];
    let m;
    if ((m = match(args, ['image', 'inspect', '<image>']))) {
      const image = localImage(state, m.image);
      return image ? ok(pretty([{ Id: image.id, RepoTags: [image.ref] }])) : fail(errors.noSuchImage(m.image));
    }
    if ((m = match(args, ['save', '-o', '<archive>', '<image>']))) {
      if (!localImage(state, m.image)) return fail(errors.noSuchImage(m.image));
      // Not a real tar: the reference is enough for the stand-in kind to load it back.
      writeFileSync(resolve(m.archive), m.image + '\n');
      return ok();
    }
    if ((m = match(args, ['exec', '<node>', 'crictl', 'inspecti', '<image>']))) {
      // kind nodes are containers of the runtime.
      const known = Object.values(state.kindClusters).some((c) => c.nodes.includes(m.node));
      if (!known) return fail(errors.noSuchContainer(m.node));
      if (!(state.nodeImages[m.node] ?? []).some((i) => sameImage(i, m.image))) {
        return fail(`FATA[0000] no such image "${m.image}" present`);
      }
      return ok(pretty({ status: { id: imageId(state, m.image), repoTags: [fullyQualified(m.image)] } }));
    }
    return unsupported(tool, args);
  };
}

/** The ID of an image on a node is the one it had locally when it was loaded. */
function imageId(state, ref) {
  return localImage(state, ref)?.id ?? 'sha256:0000000000000000000000000000000000000000000000000000000000000000';
}

// ---------------------------------------------------------------------------------------------
// minikube

function minikube(args, state) {
  let m;
  if ((m = match(args, ['image', 'load', '<image>', '-p', '<profile>']))) {
    if (!state.minikubeProfiles.includes(m.profile)) return profileNotFound(m.profile);
    if (!localImage(state, m.image)) {
      // minikube falls back to a registry, where a locally built tag is not found either.
      return fail(`❌  Exiting due to GUEST_IMAGE_LOAD: Failed to load image: remote image "${m.image}" not found`, 80);
    }
    const images = state.minikubeImages[m.profile] ?? [];
    if (!images.some((i) => sameImage(i, m.image))) state.minikubeImages[m.profile] = [...images, fullyQualified(m.image)];
    return ok();
  }
  if ((m = match(args, ['image', 'ls', '-p', '<profile>']))) {
    if (!state.minikubeProfiles.includes(m.profile)) return profileNotFound(m.profile);
    return ok((state.minikubeImages[m.profile] ?? []).join('\n'));
  }
  return unsupported('minikube', args);
}

function profileNotFound(profile) {
  return fail(`🤷  Profile "${profile}" not found. Run "minikube profile list" to view all profiles.`, 85);
}

const TOOLS = { kubectl, kind, minikube, docker: runtime('docker'), podman: runtime('podman') };
