import { isKind } from '../codemod/go-parser.ts';
import { ancestorOfKind, assignedNames, enclosingStatementOf, parameterOfType } from '../codemod/go-syntax.ts';
import { capture, refuse, type PatchPoint } from '../codemod/patch.ts';
import { rangeClause } from './_shared.ts';

// Go spec, short variable declarations (the block redeclares ctx for the loop body only):
// https://go.dev/ref/spec#Short_variable_declarations
export default {
  id: 'scheduler.profile',
  title: 'Profile run',
  description:
    "Around each profile's Run in Scheduler.Schedule: gives the run a context whose logger names the profile and which carries the run's record, then writes one line with the round, the status, the candidates, each filter's removals, every scorer's raw scores, the totals and the pick.",
  target: 'scheduler',
  within: { receiver: 'Scheduler', method: 'Schedule' },
  searchedFor:
    'in Scheduler.Schedule, `<result>, <err> := <profile>.Run(..., ctx, ...)` directly in the body of `for <name>, <profile> := range <profiles>`, and the InstrumentSchedule of scheduler.decision',
  query: `
    (short_var_declaration
      left: (expression_list)
      right: (expression_list
        (call_expression
          function: (selector_expression operand: (identifier) @profile field: (field_identifier) @callee)
          arguments: (argument_list) @args))
      (#eq? @callee "Run")) @run`,
  templates: {
    before: `
{{ctx}}, instrRun := instrSchedule.ProfileStart({{ctx}}, {{name}}, {{profiles}})`,
    after: `
instrRun.End({{err}})`,
  },
  async bind(captures, context) {
    const schedule = context.method('Scheduler', 'Schedule')!;
    const run = capture(captures, 'run')!;
    const [, err] = assignedNames(run);
    if (!err || err === '_') return { ok: false, reason: 'the error of Run is not assigned to a variable' };
    const ctx = parameterOfType(schedule, 'context.Context');
    // The context is whichever argument is Schedule's context.Context, not the first by position.
    const args = capture(captures, 'args')?.namedChildren.filter((a) => a != null && a.type !== 'comment') ?? [];
    if (!ctx || args.filter((a) => a!.text === ctx).length !== 1) {
      return refuse('context-unproven', `Run at ${context.at(run)} is not given ${ctx ?? "Schedule's context.Context parameter"} as exactly one of its arguments`);
    }
    const loop = ancestorOfKind(run, 'for_statement');
    const clause = loop && rangeClause(loop);
    const body = loop?.childForFieldName('body');
    if (!loop || !clause || !body || clause.names[1] !== capture(captures, 'profile')?.text || !isKind(clause.over, 'identifier')) {
      return { ok: false, reason: 'Run is not called on the value variable of a `for <name>, <profile> := range <profiles>` loop' };
    }
    if (enclosingStatementOf(run, body)?.id !== run.id) return { ok: false, reason: 'Run is not a statement of the profile loop body itself' };
    const name = clause.names[0];
    if (!name || name === '_') return { ok: false, reason: 'the profile loop does not name its key (the profile name)' };
    return {
      ok: true,
      placement: { anchor: run, where: 'before' },
      variant: 'before',
      values: { ctx, name, profiles: clause.over.text, err },
      extra: [{ placement: { anchor: run, where: 'after' }, variant: 'after' }],
    };
  },
} satisfies PatchPoint;
