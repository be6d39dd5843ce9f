// A stand-in for the SchedulerInstall operator (the real one is not public), run by the cluster
// tier's global setup: it watches SchedulerInstalls (by polling) and copies each one's
// spec.epp.image into the first container of the Deployments it owns (ownerReferences), and
// spec.epp.podAnnotations into their pod templates, as an operator reconciling its Deployment does.
// A SchedulerInstall annotated instrument-test/operator=paused is left alone: an operator that never
// reconciles. Usage: node operator.mjs <api-server-url> <ca-file> <token>
import { readFileSync } from 'node:fs';
import { request } from 'node:https';

const [server, caFile, token] = process.argv.slice(2);
const ca = readFileSync(caFile);
const PAUSED = 'instrument-test/operator';

function call(method, path, body, contentType = 'application/json') {
  return new Promise((done, fail) => {
    const req = request(new URL(path, server), { method, ca, headers: { Authorization: `Bearer ${token}`, 'Content-Type': contentType, Accept: 'application/json' } }, (res) => {
      let text = '';
      res.on('data', (c) => (text += c));
      res.on('end', () => (res.statusCode >= 200 && res.statusCode < 300 ? done(JSON.parse(text)) : fail(new Error(`${method} ${path}: ${res.statusCode} ${text}`))));
    });
    req.on('error', fail);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

async function reconcile() {
  const installs = await call('GET', '/apis/llm-d.ai/v1alpha1/schedulerinstalls');
  for (const install of installs.items ?? []) {
    if (install.metadata.annotations?.[PAUSED] === 'paused') continue;
    const image = install.spec?.epp?.image;
    const podAnnotations = install.spec?.epp?.podAnnotations ?? {};
    if (typeof image !== 'string') continue;
    const ns = install.metadata.namespace;
    const deployments = await call('GET', `/apis/apps/v1/namespaces/${ns}/deployments`);
    for (const deployment of deployments.items ?? []) {
      const owned = (deployment.metadata.ownerReferences ?? []).some((o) => o.kind === 'SchedulerInstall' && o.name === install.metadata.name);
      if (!owned) continue;
      const container = deployment.spec.template.spec.containers[0];
      const annotations = deployment.spec.template.metadata?.annotations ?? {};
      const stale = container.image !== image || Object.entries(podAnnotations).some(([k, v]) => annotations[k] !== v);
      if (!stale) continue;
      await call(
        'PATCH',
        `/apis/apps/v1/namespaces/${ns}/deployments/${deployment.metadata.name}`,
        { spec: { template: { metadata: { annotations: podAnnotations }, spec: { containers: [{ name: container.name, image }] } } } },
        'application/strategic-merge-patch+json',
      );
      console.log(`${new Date().toISOString()} reconciled ${ns}/${deployment.metadata.name}: ${image} ${JSON.stringify(podAnnotations)}`);
    }
  }
}

for (;;) {
  await reconcile().catch((error) => console.error(`${new Date().toISOString()} ${error.message}`));
  await new Promise((done) => setTimeout(done, 250));
}
