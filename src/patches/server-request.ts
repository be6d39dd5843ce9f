import type { Node } from 'web-tree-sitter';
import { descendantsOfKind, isKind } from '../codemod/go-parser.ts';
import { assignedNames, callsOf, structFields, statements, typeRef } from '../codemod/go-syntax.ts';
import { capture, type PatchContext, type PatchPoint } from '../codemod/patch.ts';
import type { Found } from './_shared.ts';
import { LOG_IMPORT } from './_shared.ts';

/** RequestContext's model fields: (incoming, target) from GIE v1.0 on, then v0.4/v0.5's names. */
const MODEL_FIELDS = [
  ['IncomingModelName', 'TargetModelName'],
  ['Model', 'ResolvedTargetModel'],
] as const;

/** `logger := log.FromContext(ctx)` among the statements of Process. */
function processLogger(process: Node, context: PatchContext): Found<string> {
  for (const statement of statements(process.childForFieldName('body'))) {
    if (!isKind(statement, 'short_var_declaration')) continue;
    const call = statement.childForFieldName('right')?.namedChildren[0];
    const fn = isKind(call, 'call_expression') ? call.childForFieldName('function') : undefined;
    const pkg = fn?.childForFieldName('operand')?.text;
    if (fn?.childForFieldName('field')?.text === 'FromContext' && pkg && context.imports.get(pkg) === LOG_IMPORT) {
      const name = assignedNames(statement)[0];
      if (name) return { ok: true, value: name };
    }
  }
  return { ok: false, reason: 'Process declares no `logger := log.FromContext(ctx)`' };
}

/** The struct type of `reqCtx := &RequestContext{...}` in Process. */
function requestContextType(process: Node, variable: string): string {
  for (const statement of descendantsOfKind(process, 'short_var_declaration')) {
    if (assignedNames(statement)[0] !== variable) continue;
    const literal = descendantsOfKind(statement, 'composite_literal')[0];
    const type = literal?.childForFieldName('type');
    if (isKind(type, 'type_identifier')) return type.text;
  }
  return 'RequestContext';
}

export default {
  id: 'server.request',
  title: 'Request',
  description: 'In Process, once the director has handled the request: its :path and the incoming and target model names.',
  target: 'server',
  within: { receiver: 'StreamingServer', method: 'Process' },
  searchedFor:
    'in StreamingServer.Process, `<reqCtx>, <err> = <s>.director.HandleRequest(ctx, <reqCtx>, ...)`, the logger from log.FromContext, and RequestContext with Request.Headers and model-name fields',
  query: `
    (assignment_statement
      left: (expression_list) @left
      right: (expression_list
        (call_expression
          function: (selector_expression field: (field_identifier) @callee)) @call)
      (#eq? @callee "HandleRequest")) @assign`,
  templates: {
    default: `
if instrLog := {{logger}}.V({{verbosity}}); instrLog.Enabled() && {{reqCtx}} != nil && {{reqCtx}}.Request != nil {
  instrLog.Info("instrument: request handled by endpoint picker", "point", "server.request", "path", {{reqCtx}}.Request.Headers[":path"], "incomingModel", {{reqCtx}}.{{incomingModel}}, "targetModel", {{reqCtx}}.{{targetModel}})
}`,
  },
  async bind(captures, context) {
    const process = context.method('StreamingServer', 'Process')!;
    const assign = capture(captures, 'assign')!;
    const [reqCtx, err] = assignedNames(assign);
    if (!reqCtx || !err || callsOf(capture(captures, 'call')!, 'HandleRequest').length !== 1) {
      return { ok: false, reason: 'HandleRequest is not assigned to `<reqCtx>, <err>`' };
    }
    const logger = processLogger(process, context);
    if (!logger.ok) return logger;

    const typeName = requestContextType(process, reqCtx);
    const spec = await context.packages.findType(context.dir, typeName);
    if (!spec) return { ok: false, reason: `no struct ${typeName} in the handlers package` };
    const fields = structFields(spec);
    const has = (name: string) => fields.some((f) => f.name === name);
    const models = MODEL_FIELDS.find((pair) => pair.every(has));
    if (!models) return { ok: false, reason: `${typeName} has neither ${MODEL_FIELDS.map((p) => p.join('/')).join(' nor ')}` };
    const request = fields.find((f) => f.name === 'Request');
    const requestSpec = request && (await context.packages.findType(context.dir, typeRef(request.type)?.name ?? ''));
    if (!requestSpec || !structFields(requestSpec).some((f) => f.name === 'Headers')) {
      return { ok: false, reason: `${typeName}.Request is not a struct with a Headers field` };
    }
    return {
      ok: true,
      placement: { anchor: assign, where: 'after' },
      variant: 'default',
      values: { logger: logger.value, reqCtx, incomingModel: models[0], targetModel: models[1] },
    };
  },
} satisfies PatchPoint;
