import { mentions, parameters, receiverName, receiverTypeName, statements, structFields } from '../codemod/go-syntax.ts';
import { capture, type PatchPoint } from '../codemod/patch.ts';
import { importedAs, LOGR_IMPORT } from './_shared.ts';

const LINE = `instrLog.Info("instrument: endpoint sent to proxy", "point", "server.selected", "endpoint", {{recv}}.TargetEndpoint{{nameField}})`;

export default {
  id: 'server.selected',
  title: 'Endpoint sent to the proxy',
  description: 'When the request-header response goes back on the ext_proc stream: the endpoint(s) (ip:port) it names, and the pod behind them.',
  target: 'server',
  within: { receiver: 'RequestContext', method: 'updateStateAndSendIfNeeded' },
  searchedFor:
    'in RequestContext.updateStateAndSendIfNeeded(srv, logger logr.Logger), the `if <r>.RequestState == RequestReceived && <r>.reqHeaderResp != nil {` branch, and RequestContext.TargetEndpoint',
  query: `
    (if_statement
      condition: (_) @condition
      consequence: (block) @block) @if`,
  templates: {
    'pod-pointer': `
if instrLog := {{logger}}.V({{verbosity}}); instrLog.Enabled() {
  instrName := ""
  if {{recv}}.TargetPod != nil {
    instrName = {{recv}}.TargetPod.NamespacedName.String()
  }
  ${LINE.replace('{{nameField}}', ', "endpointName", instrName')}
}`,
    'pod-string': `
if instrLog := {{logger}}.V({{verbosity}}); instrLog.Enabled() {
  ${LINE.replace('{{nameField}}', ', "endpointName", {{recv}}.TargetPod')}
}`,
    'no-pod': `
if instrLog := {{logger}}.V({{verbosity}}); instrLog.Enabled() {
  ${LINE.replace('{{nameField}}', '')}
}`,
  },
  async bind(captures, context) {
    const method = context.method('RequestContext', 'updateStateAndSendIfNeeded')!;
    const branch = capture(captures, 'if')!;
    const condition = capture(captures, 'condition')!;
    if (!statements(method.childForFieldName('body')).some((s) => s.id === branch.id)) {
      return { ok: false, reason: 'not a top-level branch of updateStateAndSendIfNeeded' };
    }
    if (!mentions(condition, 'RequestReceived') || !mentions(condition, 'reqHeaderResp')) {
      return { ok: false, reason: 'the branch does not test RequestReceived and reqHeaderResp' };
    }
    const logr = importedAs(context, LOGR_IMPORT);
    const logger = parameters(method).find((p) => logr && p.type.text === `${logr}.Logger`);
    if (!logger) return { ok: false, reason: 'updateStateAndSendIfNeeded has no logr.Logger parameter' };
    const recv = receiverName(method)!;
    const typeName = receiverTypeName(method)!;
    const spec = await context.packages.findType(context.dir, typeName);
    const fields = spec ? structFields(spec) : [];
    if (!fields.some((f) => f.name === 'TargetEndpoint')) return { ok: false, reason: `${typeName} has no TargetEndpoint field` };
    const pod = fields.find((f) => f.name === 'TargetPod');
    const variant = !pod ? 'no-pod' : pod.type.type === 'pointer_type' ? 'pod-pointer' : pod.type.text === 'string' ? 'pod-string' : 'no-pod';
    return {
      ok: true,
      placement: { anchor: capture(captures, 'block')!, where: 'block-start' },
      variant,
      values: { logger: logger.name, recv },
    };
  },
} satisfies PatchPoint;
