import { isKind } from '../codemod/go-parser.ts';
import { assignedNames, callArguments, callsOf, enclosingStatementOf, parameterOfType, receiverName, structFields } from '../codemod/go-syntax.ts';
import { capture, type PatchPoint } from '../codemod/patch.ts';
import { endpointAccessor, pluginIdentity, typeDeclaration } from './_shared.ts';

/** ProfileRunResult's target field across releases, newest first: a slice, then the v0.4 single pod. */
const TARGET_FIELDS = ['TargetEndpoints', 'TargetPods', 'TargetPod'] as const;

export default {
  id: 'profile.picked',
  title: 'Pick and weighted totals',
  description:
    "After the picker: the picker's type and name, the picked endpoint(s), and every endpoint's weighted total (so the runner-up and the margin are visible), recorded into the run's record (written by scheduler.profile).",
  target: 'profile',
  within: { receiver: 'SchedulerProfile', method: 'Run' },
  searchedFor:
    'in SchedulerProfile.Run, `<result> := <receiver>.runPickerPlugin(ctx, ..., <weighted totals>)`, the picker field called with .Pick in runPickerPlugin, and a Target* field of ProfileRunResult',
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
    const receiver = receiverName(run);
    const call = capture(captures, 'call')!;
    if (capture(captures, 'receiver')?.text !== receiver) return { ok: false, reason: 'runPickerPlugin is not called on the profile receiver' };
    const statement = enclosingStatementOf(call, run.childForFieldName('body')!);
    const result = statement && assignedNames(statement)[0];
    if (!statement || !result || result === '_') return { ok: false, reason: 'the result of runPickerPlugin is not assigned to a variable in Run' };
    const totals = callArguments(call).at(-1);
    if (!isKind(totals, 'identifier')) return { ok: false, reason: 'the last argument of runPickerPlugin is not a variable' };
    const ctx = parameterOfType(run, 'context.Context');
    if (!ctx) return { ok: false, reason: 'Run has no context.Context parameter' };

    const pickerMethod = context.method('SchedulerProfile', 'runPickerPlugin');
    if (!pickerMethod) return { ok: false, reason: 'no SchedulerProfile.runPickerPlugin method in this file' };
    const pickerFields = callsOf(pickerMethod, 'Pick')
      .map((c) => c.childForFieldName('function')?.childForFieldName('operand'))
      .filter((o) => isKind(o, 'selector_expression') && o.childForFieldName('operand')?.text === receiverName(pickerMethod))
      .map((o) => o!.childForFieldName('field')?.text ?? '');
    if (new Set(pickerFields).size !== 1) return { ok: false, reason: `runPickerPlugin calls .Pick on ${pickerFields.length} profile fields, not one` };

    const resultType = run.childForFieldName('result')?.namedChildren[0]?.childForFieldName('type');
    const struct = await typeDeclaration(context, resultType);
    if (!struct.ok) return struct;
    const fields = structFields(struct.value.spec);
    const target = TARGET_FIELDS.map((name) => fields.find((f) => f.name === name)).find((f) => f !== undefined);
    if (!target) return { ok: false, reason: `${resultType?.text ?? 'the result type'} has none of the fields ${TARGET_FIELDS.join(', ')}` };
    const sliced = target.type.type === 'slice_type';
    const accessor = await endpointAccessor(context, sliced ? target.type.childForFieldName('element') : target.type, struct.value.dir);
    if (!accessor.ok) return accessor;
    const picker = pluginIdentity(context, `${receiver}.${pickerFields[0]}`);
    return {
      ok: true,
      placement: { anchor: statement, where: 'after' },
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
