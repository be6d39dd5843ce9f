import { afterLastChange, argumentFor, changesOf, headerHolding, isFloatMap, lineOf, parameterWhere, returnedValue, returnsOf } from '../codemod/binding.ts';
import { isKind } from '../codemod/go-parser.ts';
import { assignedNames, callsOf, enclosingStatementOf, parameterOfType, receiverName, structFields } from '../codemod/go-syntax.ts';
import { capture, refuse, type PatchPoint } from '../codemod/patch.ts';
import { endpointAccessor, pluginIdentity, typeDeclaration } from './_shared.ts';

/** ProfileRunResult's target field across releases, newest first: a slice, then the v0.4 single pod. */
const TARGET_FIELDS = ['TargetEndpoints', 'TargetPods', 'TargetPod'] as const;

const REMEDY =
  'The pick line must show the pick Run returns and the totals the picker was given. If this is a supported release, report the file and lines above.';

export default {
  id: 'profile.picked',
  title: 'Pick and weighted totals',
  description:
    "After the picker: the picker's type and name, the picked endpoint(s), and every endpoint's weighted total (so the runner-up and the margin are visible), recorded into the run's record (written by scheduler.profile).",
  target: 'profile',
  within: { receiver: 'SchedulerProfile', method: 'Run' },
  searchedFor:
    'in SchedulerProfile.Run, `<result> := <receiver>.runPickerPlugin(ctx, ...)` with the `map[<endpoint>]float64` weighted totals among its arguments and <result> returned by Run, the picker field called with .Pick in runPickerPlugin, and a Target* field of ProfileRunResult',
  query: `
    (call_expression
      function: (selector_expression operand: (identifier) @receiver field: (field_identifier) @callee)
      arguments: (argument_list) @args
      (#eq? @callee "runPickerPlugin")) @call`,
  templates: {
    slice: `
if instrRun := InstrumentRunFrom({{ctx}}); instrRun != nil {
  for instrEndpoint, instrTotal := range {{totals}} {
    instrRun.Total(instrEndpoint, instrTotal)
  }
  instrRun.Picker({{pickerType}}, {{pickerName}})
  if {{result}} != nil {
    for _, instrEndpoint := range {{result}}.{{targets}} {
      if instrEndpoint != nil {
        instrName := instrEndpoint.{{accessor}}().NamespacedName
        instrRun.Picked(instrName.Namespace, instrName.Name)
      }
    }
  }
}`,
    single: `
if instrRun := InstrumentRunFrom({{ctx}}); instrRun != nil {
  for instrEndpoint, instrTotal := range {{totals}} {
    instrRun.Total(instrEndpoint, instrTotal)
  }
  instrRun.Picker({{pickerType}}, {{pickerName}})
  if {{result}} != nil && {{result}}.{{targets}} != nil {
    instrName := {{result}}.{{targets}}.{{accessor}}().NamespacedName
    instrRun.Picked(instrName.Namespace, instrName.Name)
  }
}`,
  },
  async bind(captures, context) {
    const run = context.method('SchedulerProfile', 'Run')!;
    const body = run.childForFieldName('body')!;
    const receiver = receiverName(run);
    const call = capture(captures, 'call')!;
    if (capture(captures, 'receiver')?.text !== receiver) return refuse('not-on-receiver', `runPickerPlugin at ${context.at(call)} is not called on the profile receiver ${receiver ?? ''}`);
    const picks = callsOf(run, 'runPickerPlugin').filter((c) => c.childForFieldName('function')?.childForFieldName('operand')?.text === receiver);
    if (picks.length > 1) {
      return refuse(
        'result-repicked',
        `Run calls runPickerPlugin ${picks.length} times, at ${picks.map((c) => context.at(c)).join(' and ')}: the pick and the totals logged after one call need not be the ones Run returns`,
        REMEDY,
      );
    }
    const header = headerHolding(call, body);
    if (header) {
      return refuse('anchor-in-header', `runPickerPlugin at ${context.at(call)} is called in the header of the ${header.kind} at line ${lineOf(header.statement)}, so which branch holds the pick is not proven`, REMEDY);
    }
    const statement = enclosingStatementOf(call, body);
    const assigned =
      statement && (isKind(statement, 'short_var_declaration') || isKind(statement, 'assignment_statement')) && statement.childForFieldName('right')?.namedChildren[0]?.id === call.id;
    const result = assigned ? assignedNames(statement)[0] : undefined;
    if (!statement || !result || result === '_') return refuse('result-not-assigned', `the result of runPickerPlugin at ${context.at(call)} is not assigned to a variable by a statement of Run`);

    const pickerMethod = context.method('SchedulerProfile', 'runPickerPlugin');
    if (!pickerMethod) return refuse('no-picker-method', `${context.display} declares no single SchedulerProfile.runPickerPlugin`);
    // The totals are the map[<endpoint>]float64 the picker is given, wherever it is in the list.
    const totalsParameter = parameterWhere(pickerMethod, isFloatMap);
    if (!('only' in totalsParameter)) {
      const found = totalsParameter.found.map((p) => `${p.name} ${p.type.text}`).join(', ');
      return refuse('totals-unproven', `runPickerPlugin (${context.at(pickerMethod)}) has ${totalsParameter.found.length} map[...]float64 parameters${found ? ` (${found})` : ''}, not one, so which holds the weighted totals is not proven`, REMEDY);
    }
    const totals = argumentFor(call, totalsParameter.only.index);
    if (!isKind(totals, 'identifier')) {
      return refuse('totals-not-a-variable', `the weighted totals are passed to runPickerPlugin at ${context.at(call)} as \`${totals?.text ?? '(nothing)'}\`, not as a variable the block can read`, REMEDY);
    }
    const ctx = parameterOfType(run, 'context.Context');
    if (!ctx) return refuse('no-context', `Run (${context.at(run)}) has no context.Context parameter`);

    const pickerFields = callsOf(pickerMethod, 'Pick')
      .map((c) => c.childForFieldName('function')?.childForFieldName('operand'))
      .filter((o) => isKind(o, 'selector_expression') && o.childForFieldName('operand')?.text === receiverName(pickerMethod))
      .map((o) => o!.childForFieldName('field')?.text ?? '');
    if (new Set(pickerFields).size !== 1) return refuse('picker-unproven', `runPickerPlugin (${context.at(pickerMethod)}) calls .Pick on ${pickerFields.length} profile fields, not one`);

    const resultType = run.childForFieldName('result')?.namedChildren[0]?.childForFieldName('type');
    const struct = await typeDeclaration(context, resultType);
    if (!struct.ok) return struct;
    const fields = structFields(struct.value.spec);
    const target = TARGET_FIELDS.map((name) => fields.find((f) => f.name === name)).find((f) => f !== undefined);
    if (!target) return { ok: false, reason: `${resultType?.text ?? 'the result type'} has none of the fields ${TARGET_FIELDS.join(', ')}` };
    const sliced = target.type.type === 'slice_type';
    const accessor = await endpointAccessor(context, sliced ? target.type.childForFieldName('element') : target.type, struct.value.dir);
    if (!accessor.ok) return accessor;

    // The pick is what Run returns; the block goes where that value is final.
    const returns = returnsOf(run).filter((r) => r.startIndex > statement.endIndex);
    const returning = returns.filter((r) => returnedValue(r)?.text === result);
    if (returning.length === 0) {
      const instead = returns.map((r) => `\`${returnedValue(r)?.text ?? ''}\` at line ${lineOf(r)}`).join(', ');
      return refuse('result-not-returned', `Run does not return ${result}, the result of runPickerPlugin at ${context.at(call)}${instead ? `; it returns ${instead}` : ''}`, REMEDY);
    }
    const { statement: anchor, change } = afterLastChange(body, statement, result, [target.name]);
    if (change) {
      // A return before the end of the statement the block follows would leave that path unlogged.
      const early = returning.find((r) => r.startIndex < anchor.endIndex);
      if (early) {
        return refuse('result-returned-before-change', `Run returns ${result} at ${context.at(early)}, before or within the statement that last sets it (${context.at(change)}): no one place sees the final pick on every path`, REMEDY);
      }
      const totalsChange = changesOf(body, totals.text).find((c) => c.startIndex > statement.endIndex && c.startIndex < anchor.endIndex);
      if (totalsChange) {
        return refuse('totals-changed', `${result} is set again at ${context.at(change)}, and the totals ${totals.text} change at ${context.at(totalsChange)} before that: after the last change the totals are no longer the ones the picker got`, REMEDY);
      }
    }
    const picker = pluginIdentity(context, `${receiver}.${pickerFields[0]}`);
    return {
      ok: true,
      placement: { anchor, where: 'after' },
      variant: sliced ? 'slice' : 'single',
      values: {
        ctx,
        result,
        totals: totals.text,
        targets: target.name,
        accessor: accessor.value,
        pickerType: picker.type,
        pickerName: picker.name,
      },
    };
  },
} satisfies PatchPoint;
