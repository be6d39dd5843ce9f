import type { Node } from 'web-tree-sitter';
import { afterLastChange, headerHolding, successPath } from '../codemod/binding.ts';
import { descendantsOfKind, isKind } from '../codemod/go-parser.ts';
import { assignedNames, callsOf, structFields, typeRef } from '../codemod/go-syntax.ts';
import { capture, refuse, type PatchPoint, type Placement } from '../codemod/patch.ts';
import { requestLogger } from './_request-logger.ts';

/** RequestContext's model fields: (incoming, target) from GIE v1.0 on, then v0.4/v0.5's names. */
const MODEL_FIELDS = [
  ['IncomingModelName', 'TargetModelName'],
  ['Model', 'ResolvedTargetModel'],
] as const;

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

const HEADER_REMEDY =
  'Make sure HandleRequest is assigned in a statement of its own, or in `if ...; err != nil { ... }` whose error branch returns or breaks; if this is a supported release, report the file and line.';

/** After `statement`, or after the statement of its block that last changes a field the line logs. */
function finalPlacement(statement: Node, reqCtx: string, fields: readonly string[]): Placement {
  const block = statement.parent?.parent;
  if (!isKind(block, 'block')) return { anchor: statement, where: 'after' };
  return { anchor: afterLastChange(block, statement, reqCtx, fields).statement, where: 'after' };
}

export default {
  id: 'server.request',
  title: 'Request',
  description: 'In Process, once the director has handled the request: its :path and the incoming and target model names.',
  target: 'server',
  within: { receiver: 'StreamingServer', method: 'Process' },
  searchedFor:
    'in StreamingServer.Process, `<reqCtx>, <err> = <s>.director.HandleRequest(ctx, <reqCtx>, ...)`, the logger that carries the request id (`<logger> = <logger>.WithValues(<request id key>, ...)`), and RequestContext with Request.Headers and model-name fields',
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
    // The line says what the director made of the request: it goes where HandleRequest succeeded
    // and the fields it logs have their final values.
    let placement: Placement;
    const header = headerHolding(assign, process);
    if (header) {
      const path = successPath(header, err);
      if (!path.ok) {
        return refuse('anchor-in-header', `HandleRequest at ${context.at(assign)} is assigned in a header: ${path.why}, so the place where the director has succeeded is not proven`, HEADER_REMEDY);
      }
      placement = path.where === 'after' ? finalPlacement(path.anchor, reqCtx, [models[0], models[1], 'Request']) : path;
    } else {
      placement = finalPlacement(assign, reqCtx, [models[0], models[1], 'Request']);
    }
    const logger = requestLogger(process, placement.anchor, context);
    if (!logger.ok) return logger;
    return {
      ok: true,
      placement,
      variant: 'default',
      values: { logger: logger.name, reqCtx, incomingModel: models[0], targetModel: models[1] },
    };
  },
} satisfies PatchPoint;
