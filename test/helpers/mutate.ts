import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** One change to a fixture's file: the text searched for, exactly once, and what replaces it. */
export type Mutation = readonly [from: string, to: string];

/**
 * Changes a file of a fixture copy the way an upstream release might (a renamed variable, a moved
 * statement, an extra one). Each `from` must occur exactly once, so a fixture that drifts from what
 * a test means to change fails the test instead of quietly testing nothing.
 */
export function mutate(dir: string, file: string, ...mutations: readonly Mutation[]): void {
  const path = join(dir, file);
  let text = readFileSync(path, 'utf8');
  for (const [from, to] of mutations) {
    const count = text.split(from).length - 1;
    if (count !== 1) throw new Error(`mutate ${file}: expected one ${JSON.stringify(from)}, found ${count}`);
    text = text.replace(from, () => to);
  }
  writeFileSync(path, text);
}

/** The 1-based line of the only line of `file` containing `text`. */
export function lineContaining(dir: string, file: string, text: string): number {
  const lines = readFileSync(join(dir, file), 'utf8').split('\n');
  const found = lines.flatMap((l, i) => (l.includes(text) ? [i + 1] : []));
  if (found.length !== 1) throw new Error(`${file}: expected one line containing ${JSON.stringify(text)}, found ${found.length}`);
  return found[0]!;
}

/**
 * Plausible upstream drifts of the G15/LH profile and server files (scheduling/scheduler_profile.go,
 * handlers/server.go), each one that the engine once got silently wrong or refused for no reason.
 * They compile, so the Go tier can run what apply made of them.
 */
export const DRIFT = {
  /** runFilterPlugins takes the candidates second instead of last. */
  candidatesMoved: [
    ['func (p *SchedulerProfile) runFilterPlugins(ctx context.Context, ', 'func (p *SchedulerProfile) runFilterPlugins(ctx context.Context, endpoints []fwksched.Endpoint, '],
    [', cycleState *fwksched.CycleState, endpoints []fwksched.Endpoint) []fwksched.Endpoint {', ', cycleState *fwksched.CycleState) []fwksched.Endpoint {'],
    ['p.runFilterPlugins(ctx, request, cycleState, candidateEndpoints)', 'p.runFilterPlugins(ctx, candidateEndpoints, request, cycleState)'],
  ],
  /** What the filter returned is cut down a statement later (the last endpoint dropped). */
  filteredReplaced: [
    ['\t\tfilteredEndpoints = filter.Filter(ctx, cycleState, request, filteredEndpoints)\n', '\t\tfilteredEndpoints = filter.Filter(ctx, cycleState, request, filteredEndpoints)\n\t\tfilteredEndpoints = filteredEndpoints[:len(filteredEndpoints)-1]\n'],
  ],
  /** runPickerPlugin takes the totals second: the last argument is now the cycle state. */
  totalsMoved: [
    ['runPickerPlugin(ctx context.Context, cycleState *fwksched.CycleState, weightedScorePerEndpoint map[fwksched.Endpoint]float64)', 'runPickerPlugin(ctx context.Context, weightedScorePerEndpoint map[fwksched.Endpoint]float64, cycleState *fwksched.CycleState)'],
    ['p.runPickerPlugin(ctx, cycleState, weightedScorePerEndpoint)', 'p.runPickerPlugin(ctx, weightedScorePerEndpoint, cycleState)'],
  ],
  /** The picker's choice is replaced two statements later: Run returns the last filtered endpoint. */
  pickReplaced: [
    ['\n\treturn result, nil\n', '\n\t// the last endpoint wins, whatever the picker said\n\tresult.TargetEndpoints = []fwksched.Endpoint{endpoints[len(endpoints)-1]}\n\n\treturn result, nil\n'],
  ],
  /** The scorer's map is replaced by a halved copy before it is added up (the drift suite's replaced-scores-before-loop). */
  scoresHalved: [
    ['\t\tscores := scorer.Score(ctx, cycleState, request, endpoints)\n', '\t\tscores := scorer.Score(ctx, cycleState, request, endpoints)\n\t\thalved := make(map[fwksched.Endpoint]float64, len(scores))\n\t\tfor endpoint, score := range scores {\n\t\t\thalved[endpoint] = score / 2\n\t\t}\n\t\tscores = halved\n'],
  ],
  /** HandleRequest moves into the header of the if that checks its error. */
  handleRequestInHeader: [
    ['\t\t\t\treqCtx, err = s.director.HandleRequest(ctx, reqCtx)\n\t\t\t\tif err != nil {\n', '\t\t\t\tif reqCtx, err = s.director.HandleRequest(ctx, reqCtx); err != nil {\n'],
  ],
  /** The same in LH, whose HandleRequest also takes the parsed body. */
  handleRequestInHeaderLh: [
    ['\t\t\t\treqCtx, err = s.director.HandleRequest(ctx, reqCtx, parseResult.Body)\n\t\t\t\tif err != nil {\n', '\t\t\t\tif reqCtx, err = s.director.HandleRequest(ctx, reqCtx, parseResult.Body); err != nil {\n'],
  ],
} as const satisfies Record<string, readonly Mutation[]>;
