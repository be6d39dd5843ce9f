import { isKind } from '../codemod/go-parser.ts';
import { parameterWhere } from '../codemod/binding.ts';
import { callArguments, callsOf, mentions, receiverName, receiverTypeName, statements, structFields, typeRef } from '../codemod/go-syntax.ts';
import { capture, refuse, type PatchContext, type PatchPoint, type Refusal } from '../codemod/patch.ts';
import { derivedFrom, requestLogger } from './_request-logger.ts';
import { importedAs, LOGR_IMPORT } from './_shared.ts';

const LINE = `instrLog.Info("instrument: endpoint sent to proxy", "point", "server.selected", "endpoint", {{recv}}.TargetEndpoint{{nameField}}{{prefillField}})`;

/**
 * The request header llm-d's P/D pre-request plugin sets to the prefill endpoint (`ip:port`), which
 * the EPP forwards to the proxy: `PrefillPodHeader` in llm-d v0.4.0 pkg/common, `PrefillEndpointHeader`
 * in llm-d-router pkg/common/routing; the same value in both.
 */
export const PREFILL_HEADER = 'x-prefiller-host-port';

/** The line, with `prefillEndpoint` only when the header is set. */
function lines(nameField: string): string {
  const line = LINE.replace('{{nameField}}', nameField);
  return `
  instrPrefill := ""
  if {{recv}}.Request != nil {
    instrPrefill = {{recv}}.Request.Headers["${PREFILL_HEADER}"]
  }
  if instrPrefill != "" {
    ${line.replace('{{prefillField}}', ', "prefillEndpoint", instrPrefill')}
  } else {
    ${line.replace('{{prefillField}}', '')}
  }`;
}

/**
 * The logger parameter is the request logger: every call of updateStateAndSendIfNeeded in Process
 * passes it (or a logger derived from it) in that parameter's place.
 */
function loggerCarriesRequestId(context: PatchContext, index: number): { ok: true } | Refusal {
  const process = context.method('StreamingServer', 'Process');
  if (!process) return refuse('no-process', `${context.display} declares no single StreamingServer.Process, whose request logger the line must use`);
  const calls = callsOf(process, 'updateStateAndSendIfNeeded');
  if (calls.length === 0) {
    return refuse('logger-unproven', `Process (${context.at(process)}) never calls updateStateAndSendIfNeeded, so whether its logger carries the request id is not proven`, REMEDY);
  }
  for (const call of calls) {
    const request = requestLogger(process, call, context);
    if (!request.ok) return request;
    const argument = callArguments(call)[index];
    if (!derivedFrom(argument, request.name)) {
      return refuse('logger-without-request-id', `${context.at(call)} passes \`${argument?.text ?? '(nothing)'}\` as updateStateAndSendIfNeeded's logger, not ${request.name}, the logger that carries the request id`, REMEDY);
    }
  }
  return { ok: true };
}

const REMEDY =
  'instrument logs the endpoint sent through the logger Process gives the request id, so that each line can be put with its request. If this is a supported release, report the file and line above.';

export default {
  id: 'server.selected',
  title: 'Endpoint sent to the proxy',
  description:
    'When the request-header response goes back on the ext_proc stream: the endpoint(s) (ip:port) it names, the pod behind them, and the prefill endpoint when a P/D pre-request plugin set one.',
  target: 'server',
  within: { receiver: 'RequestContext', method: 'updateStateAndSendIfNeeded' },
  searchedFor:
    'in RequestContext.updateStateAndSendIfNeeded(srv, logger logr.Logger), the `if <r>.RequestState == RequestReceived && <r>.reqHeaderResp != nil {` branch, and RequestContext.TargetEndpoint and Request.Headers',
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
  }${lines(', "endpointName", instrName')}
}`,
    'pod-string': `
if instrLog := {{logger}}.V({{verbosity}}); instrLog.Enabled() {${lines(', "endpointName", {{recv}}.TargetPod')}
}`,
    'no-pod': `
if instrLog := {{logger}}.V({{verbosity}}); instrLog.Enabled() {${lines('')}
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
    const loggers = parameterWhere(method, (t) => logr !== undefined && t.text === `${logr}.Logger`);
    if (!('only' in loggers)) return refuse('logger-parameter', `updateStateAndSendIfNeeded (${context.at(method)}) has ${loggers.found.length} logr.Logger parameters, not one`);
    const logger = loggers.only;
    const carries = loggerCarriesRequestId(context, logger.index);
    if (!carries.ok) return carries;
    const recv = receiverName(method)!;
    const typeName = receiverTypeName(method)!;
    const spec = await context.packages.findType(context.dir, typeName);
    const fields = spec ? structFields(spec) : [];
    if (!fields.some((f) => f.name === 'TargetEndpoint')) return { ok: false, reason: `${typeName} has no TargetEndpoint field` };
    const request = fields.find((f) => f.name === 'Request');
    const requestSpec = request && isKind(request.type, 'pointer_type') ? await context.packages.findType(context.dir, typeRef(request.type)?.name ?? '') : undefined;
    if (!requestSpec || !structFields(requestSpec).some((f) => f.name === 'Headers')) {
      return { ok: false, reason: `${typeName}.Request is not a pointer to a struct with a Headers field` };
    }
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
