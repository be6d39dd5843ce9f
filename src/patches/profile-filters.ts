import { afterLastChange, exitBetween } from '../codemod/binding.ts';
import { isKind } from '../codemod/go-parser.ts';
import { ancestorOfKind, assignedNames, parameterOfType } from '../codemod/go-syntax.ts';
import { capture, refuse, type PatchPoint } from '../codemod/patch.ts';
import { pluginIdentity, rangeClause } from './_shared.ts';

export default {
  id: 'profile.filters',
  title: 'Filters',
  description: "After each filter: the filter's type and name and the endpoints it kept, so the run's line can say what each filter removed.",
  target: 'profile',
  within: { receiver: 'SchedulerProfile', method: 'runFilterPlugins' },
  searchedFor:
    'in SchedulerProfile.runFilterPlugins, `<filtered> = <filter>.Filter(...)` inside `for _, <filter> := range <receiver>.<filters>`',
  query: `
    (assignment_statement
      left: (expression_list . (identifier) @filtered .)
      right: (expression_list
        (call_expression
          function: (selector_expression operand: (identifier) @filter field: (field_identifier) @callee)))
      (#eq? @callee "Filter")) @assign`,
  templates: {
    default: `
if instrRun := InstrumentRunFrom({{ctx}}); instrRun != nil {
  for _, instrEndpoint := range {{filtered}} {
    instrRun.Kept(instrEndpoint)
  }
  instrRun.Filtered({{filterType}}, {{filterName}})
}`,
  },
  async bind(captures, context) {
    const method = context.method('SchedulerProfile', 'runFilterPlugins')!;
    const assign = capture(captures, 'assign')!;
    const filter = capture(captures, 'filter')!.text;
    const loop = ancestorOfKind(assign, 'for_statement');
    const clause = loop && rangeClause(loop);
    if (!clause || clause.names[1] !== filter || !isKind(clause.over, 'selector_expression')) {
      return { ok: false, reason: `${filter}.Filter is not called on the variable of a \`for _, ${filter} := range <profile>.<filters>\` loop` };
    }
    if (loop.childForFieldName('body')?.id !== assign.parent?.parent?.id) {
      return { ok: false, reason: 'the filter call is not a statement of the filter loop body itself' };
    }
    if (assignedNames(assign).length !== 1) return { ok: false, reason: 'the filter result is not assigned to one variable' };
    const ctx = parameterOfType(method, 'context.Context');
    if (!ctx) return { ok: false, reason: 'runFilterPlugins has no context.Context parameter' };
    const identity = pluginIdentity(context, filter);
    const filtered = capture(captures, 'filtered')!.text;
    // What the filter kept is the value the loop goes on with: after any later change to it.
    const loopBody = loop.childForFieldName('body')!;
    const { statement: anchor, change } = afterLastChange(loopBody, assign, filtered);
    const exit = change && exitBetween(loopBody, assign.endIndex, anchor.endIndex);
    if (change && exit) {
      return refuse(
        'filtered-changed-after-exit',
        `what ${filter} kept (${filtered}) is set again at ${context.at(change)}, but the loop can leave at ${context.at(exit)} before that: the filter would go unrecorded on that path`,
        'If this is a supported release, report the file and lines above.',
      );
    }
    return {
      ok: true,
      placement: { anchor, where: 'after' },
      variant: 'default',
      values: { ctx, filtered, filterType: identity.type, filterName: identity.name },
    };
  },
} satisfies PatchPoint;
