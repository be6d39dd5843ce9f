import { argumentFor, parameterWhere } from '../codemod/binding.ts';
import { isKind } from '../codemod/go-parser.ts';
import { enclosingStatementOf, parameterOfType, receiverName } from '../codemod/go-syntax.ts';
import { capture, refuse, type PatchPoint } from '../codemod/patch.ts';
import { endpointAccessor } from './_shared.ts';

// Go spec, statements and scopes: https://go.dev/ref/spec#Statements
export default {
  id: 'profile.candidates',
  title: 'Candidate endpoints',
  description: "Before filtering: the candidate endpoints the profile starts from, recorded into the run's record (written by scheduler.profile).",
  target: 'profile',
  within: { receiver: 'SchedulerProfile', method: 'Run' },
  searchedFor:
    'in SchedulerProfile.Run, the statement that calls <receiver>.runFilterPlugins(ctx, ...) with the []<endpoint> parameter of Run where runFilterPlugins takes its []<endpoint>',
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
    // The candidates are Run's []<endpoint> parameter, passed where runFilterPlugins takes its
    // []<endpoint>, whatever the position.
    const slices = parameterWhere(run, (t) => isKind(t, 'slice_type'));
    if (!('only' in slices)) return refuse('candidates-unproven', `Run (${context.at(run)}) has ${slices.found.length} slice parameters, not one, so which holds the candidates is not proven`);
    const candidates = slices.only;
    const filterMethod = context.method('SchedulerProfile', 'runFilterPlugins');
    const takes = filterMethod && parameterWhere(filterMethod, (t) => t.text === candidates.type.text);
    if (!takes || !('only' in takes)) {
      return refuse('candidates-unproven', `runFilterPlugins ${filterMethod ? `(${context.at(filterMethod)}) has ${takes && 'found' in takes ? takes.found.length : 0} ${candidates.type.text} parameters, not one` : 'is not declared once in this file'}`);
    }
    const given = argumentFor(call, takes.only.index);
    if (given?.text !== candidates.name) {
      return refuse('candidates-unproven', `runFilterPlugins at ${context.at(call)} is given \`${given?.text ?? '(nothing)'}\` as its ${candidates.type.text}, not ${candidates.name}, Run's candidates`);
    }
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
