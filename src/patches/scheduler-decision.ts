import { exitBetween, headerHolding, lineOf } from '../codemod/binding.ts';
import { isKind } from '../codemod/go-parser.ts';
import { assignedNames, callArguments, callsOf, enclosingStatementOf, parameterOfType, receiverName, statements, structFields } from '../codemod/go-syntax.ts';
import { capture, refuse, type PatchPoint } from '../codemod/patch.ts';
import { helperQualifier, typeDeclaration } from './_shared.ts';

export default {
  id: 'scheduler.decision',
  title: "Profile handler's decision",
  description:
    'At the start of Scheduler.Schedule, the record of the call (nil when the lines are off); after the profile handler\'s ProcessResults, one line with every configured profile (ok, failed or not run, and its round), the primary profile and the error.',
  target: 'scheduler',
  within: { receiver: 'Scheduler', method: 'Schedule' },
  searchedFor:
    'in Scheduler.Schedule, `<result>[, <err>] (:)= <s>.<handler>.ProcessResults(...)` as a statement of the body, `<s>.<handler>.Pick(..., <s>.<profiles>, ...)`, and a PrimaryProfileName field in the result type',
  query: `
    (call_expression
      function: (selector_expression field: (field_identifier) @callee)
      (#eq? @callee "ProcessResults")) @call`,
  templates: {
    start: `
instrSchedule := {{helpers}}InstrumentScheduleStart({{ctx}}, {{verbosity}})`,
    decision: `
if instrSchedule != nil {
  instrPrimary := ""
  if {{result}} != nil {
    instrPrimary = {{result}}.PrimaryProfileName
  }
  instrSchedule.Decision({{configured}}, instrPrimary, {{err}})
}`,
  },
  async bind(captures, context) {
    const schedule = context.method('Scheduler', 'Schedule')!;
    const body = schedule.childForFieldName('body')!;
    const call = capture(captures, 'call')!;
    const header = headerHolding(call, body);
    if (header) {
      return refuse(
        'anchor-in-header',
        `ProcessResults at ${context.at(call)} is called in the header of the ${header.kind} at line ${lineOf(header.statement)}: the decision line must be written on the success and the failure path alike, and no one place is proven to see both`,
        'Assign the result of ProcessResults in a statement of its own; if this is a supported release, report the file and line.',
      );
    }
    const statement = enclosingStatementOf(call, body);
    if (!statement) return { ok: false, reason: 'ProcessResults is not called by a statement of Schedule itself' };
    const [result, err] = assignedNames(statement);
    if (!result || result === '_') return { ok: false, reason: 'the result of ProcessResults is not assigned to a variable' };
    const ctx = parameterOfType(schedule, 'context.Context');
    if (!ctx) return { ok: false, reason: 'Schedule has no context.Context parameter' };

    const receiver = receiverName(schedule);
    const picks = callsOf(schedule, 'Pick');
    const configured = picks.length === 1 ? callArguments(picks[0]!).filter((a) => isKind(a, 'selector_expression') && a.childForFieldName('operand')?.text === receiver) : [];
    if (configured.length !== 1) return { ok: false, reason: `Schedule does not call the profile handler's Pick once with one ${receiver ?? 's'}.<profiles> argument` };

    const resultType = schedule.childForFieldName('result')?.namedChildren[0]?.childForFieldName('type');
    const declaration = await typeDeclaration(context, resultType);
    if (!declaration.ok) return declaration;
    if (!structFields(declaration.value.spec).some((f) => f.name === 'PrimaryProfileName')) {
      return { ok: false, reason: `${resultType?.text ?? 'the result type'} has no PrimaryProfileName field` };
    }
    const returnAfter = statements(body).find((s) => s.startIndex > statement.startIndex && isKind(s, 'return_statement'));
    // A failure that returns early (`if err != nil { return ... }`) must be logged too: then the line
    // goes right after ProcessResults, where both paths pass.
    const before = returnAfter && !exitBetween(body, statement.endIndex, returnAfter.startIndex) ? returnAfter : undefined;
    const helpers = helperQualifier(context);
    if (!helpers.ok) return helpers;
    return {
      ok: true,
      placement: { anchor: body, where: 'block-start' },
      variant: 'start',
      values: { helpers: helpers.value, ctx, result, err: err && err !== '_' ? err : 'nil', configured: configured[0]!.text },
      // Before the return that follows, so that the line is not timed as part of ProcessResults.
      extra: [{ placement: before ? { anchor: before, where: 'before' } : { anchor: statement, where: 'after' }, variant: 'decision' }],
    };
  },
} satisfies PatchPoint;
