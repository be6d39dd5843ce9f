import { isKind } from '../codemod/go-parser.ts';
import { changesOf } from '../codemod/binding.ts';
import { ancestorOfKind, assignedNames, callsOf, parameterOfType, statements } from '../codemod/go-syntax.ts';
import { capture, refuse, type PatchPoint } from '../codemod/patch.ts';
import { pluginIdentity, rangeClause } from './_shared.ts';

// Go spec, for statements with range clause: https://go.dev/ref/spec#For_range
export default {
  id: 'profile.scores',
  title: 'Scores per scorer',
  description:
    "For each scorer: its type and name, its weight, and each endpoint's raw score (before clamping and weighting), recorded into the run's record (written by scheduler.profile).",
  target: 'profile',
  within: { receiver: 'SchedulerProfile', method: 'runScorerPlugins' },
  searchedFor:
    'in SchedulerProfile.runScorerPlugins, the loop `for <endpoint>, <score> := range <scores>` whose body accumulates `<totals>[<endpoint>] += ... <scorer>.Weight() ...`',
  query: `
    (assignment_statement
      left: (expression_list (index_expression operand: (identifier) @totals index: (identifier) @key))
      operator: "+="
      right: (expression_list) @rhs) @accumulate`,
  templates: {
    default: `
if instrRun := InstrumentRunFrom({{ctx}}); instrRun != nil {
  instrRun.Scorer({{scorerType}}, {{scorerName}}, float64({{scorer}}.Weight()))
  for instrEndpoint, instrScore := range {{scores}} {
    instrRun.Score(instrEndpoint, instrScore)
  }
}`,
  },
  async bind(captures, context) {
    const method = context.method('SchedulerProfile', 'runScorerPlugins')!;
    const accumulate = capture(captures, 'accumulate')!;
    const weightCalls = callsOf(capture(captures, 'rhs')!, 'Weight');
    if (weightCalls.length !== 1) return { ok: false, reason: `the += statement calls Weight() ${weightCalls.length} times, not once` };
    const scorer = weightCalls[0]!.childForFieldName('function')?.childForFieldName('operand');
    if (!isKind(scorer, 'identifier')) return { ok: false, reason: 'Weight() is not called on a plain variable' };

    const inner = ancestorOfKind(accumulate, 'for_statement');
    const clause = inner && rangeClause(inner);
    if (!inner || !clause || clause.names[0] !== capture(captures, 'key')?.text || !isKind(clause.over, 'identifier')) {
      return { ok: false, reason: 'the += statement is not directly in a `for <endpoint>, <score> := range <scores>` loop' };
    }
    // The block goes after the inner loop, so the scorer must come from an enclosing loop, not from
    // inside the inner one.
    let outer = ancestorOfKind(inner, 'for_statement');
    while (outer && !rangeClause(outer)?.names.includes(scorer.text)) outer = ancestorOfKind(outer, 'for_statement');
    if (!outer) return { ok: false, reason: `${scorer.text} is not the variable of a loop around the scores loop` };

    const ctx = parameterOfType(method, 'context.Context');
    if (!ctx) return { ok: false, reason: 'runScorerPlugins has no context.Context parameter' };

    // The raw scores are what <scorer>.Score returned: logged after the loop that adds them up when
    // that loop reads them as returned, else right after the call, before anything replaces them.
    const outerBody = outer.childForFieldName('body')!;
    const scored = statements(outerBody).filter((st) => {
      const value = st.childForFieldName('right')?.namedChildren[0];
      const fn = isKind(value, 'call_expression') ? value.childForFieldName('function') : undefined;
      return (isKind(st, 'short_var_declaration') || isKind(st, 'assignment_statement')) && assignedNames(st).length === 1 && fn?.childForFieldName('field')?.text === 'Score' && fn.childForFieldName('operand')?.text === scorer.text;
    });
    if (scored.length !== 1) {
      return refuse('raw-scores-unproven', `the loop at ${context.at(outer)} assigns ${scorer.text}.Score(...) to a variable ${scored.length} times, not once, so which map holds the raw scores is not proven`, 'If this is a supported release, report the file and line above.');
    }
    const scoreCall = scored[0]!;
    const raw = assignedNames(scoreCall)[0]!;
    const replaced = changesOf(outerBody, raw).find((c) => c.startIndex > scoreCall.endIndex && c.startIndex < inner.endIndex);
    const asReturned = clause.over.text === raw && !replaced;
    const identity = pluginIdentity(context, scorer.text);
    return {
      ok: true,
      placement: { anchor: asReturned ? inner : scoreCall, where: 'after' },
      variant: 'default',
      values: {
        ctx,
        scores: raw,
        scorer: scorer.text,
        scorerType: identity.type,
        scorerName: identity.name,
      },
    };
  },
} satisfies PatchPoint;
