import { callArguments, enclosingStatementOf, parameterOfType, parameters, receiverName } from '../codemod/go-syntax.ts';
import { capture, type PatchPoint } from '../codemod/patch.ts';
import { endpointAccessor } from './_shared.ts';

// Go spec, statements and scopes: https://go.dev/ref/spec#Statements
export default {
  id: 'profile.candidates',
  title: 'Candidate endpoints',
  description: "Before filtering: the candidate endpoints the profile starts from, recorded into the run's record (written by scheduler.profile).",
  target: 'profile',
  within: { receiver: 'SchedulerProfile', method: 'Run' },
  searchedFor:
    'in SchedulerProfile.Run, the statement that calls <receiver>.runFilterPlugins(ctx, ..., <candidates>) with a []<endpoint> parameter of Run as its last argument',
  query: `
    (call_expression
      function: (selector_expression operand: (identifier) @receiver field: (field_identifier) @callee)
      arguments: (argument_list) @args
      (#eq? @callee "runFilterPlugins")) @call`,
  templates: {
    default: `
if instrRun := InstrumentRunFrom({{ctx}}); instrRun != nil {
  instrRun.Candidates(len({{candidates}}))
  for _, instrEndpoint := range {{candidates}} {
    instrName := instrEndpoint.{{accessor}}().NamespacedName
    instrRun.Candidate(instrEndpoint, instrName.Namespace, instrName.Name)
  }
}`,
  },
  async bind(captures, context) {
    const run = context.method('SchedulerProfile', 'Run')!;
    const call = capture(captures, 'call')!;
    if (capture(captures, 'receiver')?.text !== receiverName(run)) {
      return { ok: false, reason: 'runFilterPlugins is not called on the profile receiver' };
    }
    const ctx = parameterOfType(run, 'context.Context');
    if (!ctx) return { ok: false, reason: 'Run has no context.Context parameter' };
    const last = callArguments(call).at(-1);
    const candidates = parameters(run).find((p) => p.name === last?.text && p.type.type === 'slice_type');
    if (!candidates) return { ok: false, reason: `the last argument of runFilterPlugins (${last?.text ?? 'none'}) is not a slice parameter of Run` };
    const anchor = enclosingStatementOf(call, run.childForFieldName('body')!);
    if (!anchor) return { ok: false, reason: 'runFilterPlugins is not called by a statement of Run itself' };
    const accessor = await endpointAccessor(context, candidates.type.childForFieldName('element'));
    if (!accessor.ok) return accessor;
    return {
      ok: true,
      placement: { anchor, where: 'before' },
      variant: 'default',
      values: { ctx, candidates: candidates.name, accessor: accessor.value },
    };
  },
} satisfies PatchPoint;
