// The drift suite's kinds of change: edits upstream could make to the three target files, written
// as functions on the source text of one shape. Each kind names the file it edits; a kind whose
// anchor a shape lacks throws NotApplicable and that case is not counted.
//
// What a correct outcome is, for every kind: `instrument apply` refuses (exit 1, a report per
// point, the tree unchanged), or it applies and the patched fixture builds, vets, and logs at every
// point what the driver's truth says the run computed. Kinds marked `changesRun` change what the
// run computes (a second call, a replaced value); the truth is recorded by the same run, so the
// log must still match it.

import { append, capture, cutFunc, inFunc, NotApplicable, rename, replaceAll, replaceOnce } from './go-text.mjs';

/** The names a shape's profile file uses (they differ between releases). */
export function profileNames(src) {
  const run = src.slice(src.indexOf(') Run('));
  return {
    candidates: capture(run, /^[^\n]*?(\w+) \[\][\w.]+\) \(/, 'the candidates parameter of Run'),
    filtered: capture(run, /\n\t(\w+) := p\.runFilterPlugins\(/, 'the filtered local of Run'),
    totals: capture(run, /\n\t(\w+) := p\.runScorerPlugins\(/, 'the totals local of Run'),
    logger: capture(src.slice(src.indexOf(') runScorerPlugins(')), /\n\t(\w+) := log\.FromContext/, 'the logger of runScorerPlugins'),
  };
}

/** The scorer loop's `for <endpoint>, <score> := range scores {` and the accumulation in it. */
function scoreLoop(fn) {
  const m = /\n(\t+)for ([A-Za-z]\w*), (\w+) := range (\w+) \{([^\n]*)\n((?:\1\t[^\n]*\n)*?)\1\}/.exec(fn);
  if (!m) throw new NotApplicable('no scores loop');
  return { whole: m[0], indent: m[1], endpoint: m[2], score: m[3], scores: m[4], comment: m[5], body: m[6], index: m.index };
}

/**
 * `res, err := prof.Run(...)` + `if err != nil { A } [else { B }]` + the rest of the loop body R
 * becomes `if res, err := prof.Run(...); err != nil { A R } else { B R }` (R left out of a branch
 * that returns).
 */
function ifHeaderRun(fn) {
  const lines = fn.split('\n');
  const at = lines.findIndex((l) => /^\t+\w+, err := \w+\.Run\(/.test(l));
  if (at < 0 || !/^\t+if err != nil \{$/.test(lines[at + 1] ?? '')) throw new NotApplicable('no Run statement followed by its error check');
  const ind = /^\t+/.exec(lines[at])[0];
  const block = (from) => {
    const body = [];
    let i = from;
    while (lines[i] !== `${ind}}` && lines[i] !== `${ind}} else {`) body.push(lines[i++]);
    return [body, i];
  };
  let [onErr, i] = block(at + 2);
  let onOk = [];
  if (lines[i] === `${ind}} else {`) [onOk, i] = block(i + 1);
  const restStart = i + 1;
  let end = restStart;
  while (lines[end] !== ind.slice(1) + '}') end++;
  const rest = lines.slice(restStart, end).filter((l) => l.trim() !== '').map((l) => '\t' + l);
  const returns = (body) => /^\s*return\b/.test(body.at(-1) ?? '');
  const branch = (body) => (returns(body) ? body : [...body, ...rest]);
  const header = lines[at].replace(/^(\t+)(.*)$/, '$1if $2; err != nil {');
  const out = [header, ...branch(onErr), `${ind}} else {`, ...branch(onOk), `${ind}}`];
  return [...lines.slice(0, at), ...out, ...lines.slice(end)].join('\n');
}

/** A kind that moves the endpoints parameter of a profile helper from last to second place. */
function endpointsSecond(helper, id) {
  return {
    id,
    file: 'profile',
    about: `${helper} takes the endpoints second: (ctx, endpoints, request, cycleState)`,
    mutate: (s) => {
      const out = inFunc(s, helper, (f) => replaceOnce(f, /\(ctx context\.Context, (request \*[\w.]+), (cycleState \*[\w.]+), (\w+ \[\][\w.]+)\)/, '(ctx context.Context, $3, $1, $2)'));
      return inFunc(out, 'Run', (f) => replaceOnce(f, new RegExp(`p\\.${helper}\\(ctx, request, cycleState, (\\w+)\\)`), `p.${helper}(ctx, $1, request, cycleState)`));
    },
  };
}

const profile = 'profile';
const scheduler = 'scheduler';
const server = 'server';

export const KINDS = [
  // ---- renames
  { id: 'rename-scorer-helper', file: profile, about: 'runScorerPlugins is renamed scoreEndpoints', mutate: (s) => replaceAll(s, /\brunScorerPlugins\b/g, 'scoreEndpoints') },
  { id: 'rename-filter-helper', file: profile, about: 'runFilterPlugins is renamed filterEndpoints', mutate: (s) => replaceAll(s, /\brunFilterPlugins\b/g, 'filterEndpoints') },
  { id: 'rename-picker-helper', file: profile, about: 'runPickerPlugin is renamed pickEndpoints', mutate: (s) => replaceAll(s, /\brunPickerPlugin\b/g, 'pickEndpoints') },
  {
    id: 'rename-totals',
    file: profile,
    about: 'the weighted-totals map is called totals everywhere',
    mutate: (s) => rename(s, profileNames(s).totals, 'totals'),
  },
  {
    id: 'rename-scores-local',
    file: profile,
    about: "the scorer's result local `scores` becomes `raw`",
    mutate: (s) => inFunc(s, 'runScorerPlugins', (f) => rename(f, 'scores', 'raw')),
  },
  {
    id: 'rename-score-loop-vars',
    file: profile,
    about: 'the scores loop ranges with `e, v` instead of its usual names',
    mutate: (s) =>
      inFunc(s, 'runScorerPlugins', (f) => {
        const loop = scoreLoop(f);
        const renamed = rename(rename(loop.whole, loop.endpoint, 'e'), loop.score, 'v');
        return f.replace(loop.whole, renamed);
      }),
  },
  {
    id: 'rename-receiver',
    file: profile,
    about: 'the SchedulerProfile receiver is `sp` instead of `p` in every method',
    mutate: (s) => replaceAll(s, /^func \(p \*SchedulerProfile\)[^]*?\n\}\n/gm, (fn) => rename(fn.replace('(p *SchedulerProfile)', '(sp *SchedulerProfile)'), 'p', 'sp')),
  },
  {
    id: 'rename-candidates',
    file: profile,
    about: "Run's candidates parameter is called `all`",
    mutate: (s) => inFunc(s, 'Run', (f) => rename(f, profileNames(s).candidates, 'all')),
  },
  {
    id: 'rename-filter-loop-var',
    file: profile,
    about: 'the filter loop variable is `f` instead of `filter`',
    mutate: (s) => inFunc(s, 'runFilterPlugins', (f) => rename(f, 'filter', 'flt')),
  },
  {
    id: 'rename-scorer-loop-var',
    file: profile,
    about: 'the scorer loop variable is `ws` instead of `scorer`',
    mutate: (s) => inFunc(s, 'runScorerPlugins', (f) => rename(f, 'scorer', 'ws')),
  },
  {
    id: 'rename-profile-loop-vars',
    file: scheduler,
    about: 'the scheduler ranges over the profiles as `profileName, prof`',
    mutate: (s) => inFunc(s, 'Schedule', (f) => rename(rename(f, 'name', 'profileName'), 'profile', 'prof')),
  },
  {
    id: 'rename-run-result',
    file: scheduler,
    about: "the profile run's result local is `res` and its error `runErr`",
    mutate: (s) => inFunc(s, 'Schedule', (f) => rename(rename(f, 'profileRunResult', 'res'), 'err', 'runErr')),
  },
  {
    id: 'rename-decision-result',
    file: scheduler,
    about: "ProcessResults' result local is `schedulingResult`",
    mutate: (s) => inFunc(s, 'Schedule', (f) => rename(f, 'result', 'schedulingResult')),
  },
  {
    id: 'rename-server-logger',
    file: server,
    about: 'Process names its logger `reqLogger`',
    mutate: (s) => inFunc(s, 'Process', (f) => rename(f, 'logger', 'reqLogger')),
  },
  {
    id: 'rename-request-context',
    file: server,
    about: 'Process names its request context `rc`',
    mutate: (s) => inFunc(s, 'Process', (f) => rename(f, 'reqCtx', 'rc')),
  },
  {
    id: 'rename-update-logger-param',
    file: server,
    about: "updateStateAndSendIfNeeded's logger parameter is `l`",
    mutate: (s) => inFunc(s, 'updateStateAndSendIfNeeded', (f) => rename(f, 'logger', 'l')),
  },

  // ---- moves and reordered declarations
  {
    id: 'move-scorer-helper-to-file',
    file: profile,
    about: 'runScorerPlugins moves to a file of its own in the same package',
    mutate: (s, ctx) => {
      const [rest, fn] = cutFunc(s, 'runScorerPlugins');
      ctx.addFile('scorer_run.go', ctx.sameImports(s, fn));
      return rest;
    },
  },
  {
    id: 'move-picker-helper-first',
    file: profile,
    about: 'runPickerPlugin is declared before Run',
    mutate: (s) => {
      const [rest, fn] = cutFunc(s, 'runPickerPlugin');
      return replaceOnce(rest, /^\/\/ Run /m, `${fn}\n\n// Run `);
    },
  },
  {
    id: 'move-run-last',
    file: profile,
    about: 'Run is the last declaration of the file',
    mutate: (s) => {
      const doc = capture(s, /\n((?:\/\/[^\n]*\n)*)func \(p \*SchedulerProfile\) Run\(/, 'the doc of Run');
      const [rest, fn] = cutFunc(s.replace(doc + 'func (p *SchedulerProfile) Run(', 'func (p *SchedulerProfile) Run('), 'Run');
      return append(rest, doc + fn);
    },
  },
  {
    id: 'move-schedule-after-helpers',
    file: scheduler,
    about: 'Schedule is the last declaration of scheduler.go',
    mutate: (s) => {
      const [rest, fn] = cutFunc(s, 'Schedule');
      return append(rest, fn);
    },
  },

  // ---- reordered and extra statements
  {
    id: 'reorder-scorer-timing',
    file: profile,
    about: "the scorer loop takes the time before it logs, not after",
    mutate: (s) =>
      inFunc(s, 'runScorerPlugins', (f) => replaceOnce(f, /\n(\t\t\w+\.(?:V\([^)]*\)\.)?Info\("Running scorer[^\n]*)\n(\t\tbefore := time\.Now\(\))/, '\n$2\n$1')),
  },
  {
    id: 'extra-statement-before-score-loop',
    file: profile,
    about: 'a guard `if len(scores) == 0 { continue }` stands before the scores loop',
    mutate: (s) =>
      inFunc(s, 'runScorerPlugins', (f) => {
        const loop = scoreLoop(f);
        return f.replace(loop.whole, `\n${loop.indent}if len(${loop.scores}) == 0 {\n${loop.indent}\tcontinue\n${loop.indent}}` + loop.whole);
      }),
  },
  {
    id: 'extra-log-after-filter',
    file: profile,
    about: 'a V5 line follows each filter call',
    mutate: (s) => inFunc(s, 'runFilterPlugins', (f) => replaceOnce(f, /(\n\t\t(\w+) = (\w+)\.Filter\([^\n]*)/, '$1\n\t\tlog.FromContext(ctx).V(5).Info("filter returned", "count", len($2))')),
  },
  {
    id: 'extra-scorers-loop',
    file: profile,
    about: 'a second loop over the scorers (counting weights) precedes the scoring loop',
    mutate: (s) =>
      inFunc(s, 'runScorerPlugins', (f) =>
        replaceOnce(f, /\n(\t\/\/[^\n]*\n)?\tfor _, scorer := range p\.scorers \{/, (m) => `\n\ttotalWeight := 0.0\n\tfor _, scorer := range p.scorers {\n\t\ttotalWeight += float64(scorer.Weight())\n\t}\n\t_ = totalWeight` + m),
      ),
  },
  {
    id: 'extra-statement-in-run',
    file: profile,
    about: 'Run logs the number of endpoints left between the filters and the scorers',
    mutate: (s) => inFunc(s, 'Run', (f) => replaceOnce(f, /(\n\t(\w+) := p\.runScorerPlugins\()/, '\n\tlog.FromContext(ctx).V(5).Info("scoring", "endpoints", len(' + profileNames(s).filtered + '))$1')),
  },
  {
    id: 'extra-early-return-in-run',
    file: profile,
    about: 'Run returns early, before filtering, when it gets no candidates',
    mutate: (s) => {
      const { candidates } = profileNames(s);
      return inFunc(s, 'Run', (f) => replaceOnce(f, /\{\n/, `{\n\tif ${candidates} == nil {\n\t\treturn nil, fmt.Errorf("no candidates")\n\t}\n`));
    },
    imports: ['fmt'],
  },
  {
    id: 'extra-log-before-handle-request',
    file: server,
    about: 'Process logs a V5 line just before the director handles the request',
    mutate: (s) => inFunc(s, 'Process', (f) => replaceOnce(f, /\n(\t+)(\w+), err = s\.director\.HandleRequest\(/, '\n$1logger.V(5).Info("handing the request to the director")\n$1$2, err = s.director.HandleRequest(')),
  },
  {
    id: 'extra-statement-before-run',
    file: scheduler,
    about: 'the profile loop logs a V5 line before each Run',
    mutate: (s) => inFunc(s, 'Schedule', (f) => replaceOnce(f, /\n(\t+)(\w+), err := (\w+)\.Run\(/, '\n$1log.FromContext(ctx).V(5).Info("profile starts", "profile", name)\n$1$2, err := $3.Run(')),
  },

  // ---- helpers
  {
    id: 'helper-accumulates-scores',
    file: profile,
    about: 'the scores loop moves into a helper addWeighted(totals, scores, weight)',
    mutate: (s) => {
      let helper = '';
      const out = inFunc(s, 'runScorerPlugins', (f) => {
        const loop = scoreLoop(f);
        const { totals } = profileNames(s);
        const mapType = capture(f, /\) (map\[[\w.]+\]float64) \{/, 'the totals map type');
        const weight = capture(loop.body, /\* (float64\(\w+\.Weight\(\)\)|\w+\.Weight\(\))/, 'the weight');
        // the helper keeps only the accumulation (the loop's log line stays behind, in its own loop)
        const add = loop.body.split('\n').filter((l) => l.includes('+=')).join('\n');
        const body = add.replace(new RegExp(`\\b${totals}\\b`, 'g'), 'into').replace(weight, 'weight').replace(/^\t+/, '\t\t');
        helper = `// addWeighted adds each score, times weight, to into.\nfunc addWeighted(into ${mapType}, scores ${mapType}, weight float64) {\n\tfor ${loop.endpoint}, ${loop.score} := range scores {\n${body}\n\t}\n}`;
        return f.replace(loop.whole, `\n${loop.indent}addWeighted(${totals}, ${loop.scores}, float64(scorer.Weight()))`);
      });
      return append(out, helper);
    },
  },
  {
    id: 'helper-wraps-filter-call',
    file: profile,
    about: 'each filter runs through a helper applyFilter',
    mutate: (s) =>
      inFunc(s, 'runFilterPlugins', (f) => {
        const m = /\n\t\t(\w+) = (\w+)\.Filter\(([^\n]*)\)\n/.exec(f);
        if (!m) throw new NotApplicable('no filter call');
        return f.replace(m[0], `\n\t\t${m[1]} = func() []${capture(f, /\) \[\]([\w.]+) \{/, 'endpoint type')} { return ${m[2]}.Filter(${m[3]}) }()\n`);
      }),
  },
  {
    id: 'helper-inlined-into-run',
    file: profile,
    about: 'Run calls the picker itself; runPickerPlugin is gone',
    mutate: (s) => {
      const [rest, fn] = cutFunc(s, 'runPickerPlugin');
      const body = fn.slice(fn.indexOf('{\n') + 2, fn.lastIndexOf('\n\treturn result'));
      const param = capture(fn, /, (\w+) map\[/, 'the totals parameter');
      const { totals } = profileNames(s);
      return inFunc(rest, 'Run', (f) =>
        replaceOnce(f, new RegExp(`\\n\\tresult := p\\.runPickerPlugin\\([^\\n]*\\)\\n`), '\n' + rename(body, param, totals).replace(/\blogger(\w*) := /, 'logger$1 := ') + '\n'),
      );
    },
  },
  {
    id: 'helper-scores-one-scorer',
    file: profile,
    about: 'the call to Score moves into a method scoreWith(ctx, scorer, ...) that also records latency',
    mutate: (s) =>
      inFunc(s, 'runScorerPlugins', (f) =>
        replaceOnce(f, /\n\t\tscores := (\w+)\.Score\(([^\n]*)\)\n/, (_, scorer, args) => `\n\t\tscores := func() map[${capture(f, /\) map\[([\w.]+)\]float64 \{/, 'endpoint type')}]float64 { return ${scorer}.Score(${args}) }()\n`),
      ),
  },

  // ---- second calls
  {
    id: 'second-picker-call',
    file: profile,
    about: 'Run calls the picker a second time and keeps the second result',
    changesRun: true,
    mutate: (s) => {
      const { totals } = profileNames(s);
      return inFunc(s, 'Run', (f) => replaceOnce(f, /(\n\tresult := p\.runPickerPlugin\(([^\n]*)\)\n)/, `$1\tresult = p.runPickerPlugin($2)\n`));
    },
  },
  {
    id: 'second-filter-pass',
    file: profile,
    about: 'Run filters the candidates twice (the second pass on the survivors)',
    changesRun: true,
    mutate: (s) => {
      const { filtered } = profileNames(s);
      return inFunc(s, 'Run', (f) => replaceOnce(f, /(\n\t(\w+) := p\.runFilterPlugins\((ctx, [^\n]*?)(\w+)\)\n)/, (m, _a, _b, args) => `${m}\t${filtered} = p.runFilterPlugins(${args}${filtered})\n`));
    },
  },
  {
    id: 'second-handle-request-in-comment',
    file: server,
    about: 'a comment in Process quotes the HandleRequest call',
    mutate: (s) => inFunc(s, 'Process', (f) => replaceOnce(f, /\n(\t+)(\w+, err = s\.director\.HandleRequest\([^\n]*)/, '\n$1// was: $2 (before the body was buffered)\n$1$2')),
  },

  // ---- changed signatures
  {
    id: 'signature-scorer-returns-error',
    file: profile,
    about: 'runScorerPlugins returns (totals, error) and Run checks the error',
    mutate: (s) => {
      const { totals } = profileNames(s);
      let out = inFunc(s, 'runScorerPlugins', (f) => replaceOnce(replaceOnce(f, /\) (map\[[\w.]+\]float64) \{/, ') ($1, error) {'), /\n\treturn (\w+)\n\}$/, '\n\treturn $1, nil\n}'));
      out = inFunc(out, 'Run', (f) => replaceOnce(f, new RegExp(`\\n\\t${totals} := p\\.runScorerPlugins\\(([^\\n]*)\\)\\n`), `\n\t${totals}, err := p.runScorerPlugins($1)\n\tif err != nil {\n\t\treturn nil, err\n\t}\n`));
      return out;
    },
  },
  {
    id: 'signature-filter-extra-param',
    file: profile,
    about: 'runFilterPlugins takes a trailing limit parameter',
    mutate: (s) => {
      let out = inFunc(s, 'runFilterPlugins', (f) => replaceOnce(f, /(\w+ \[\][\w.]+)\) (\[\][\w.]+) \{/, '$1, limit int) $2 {\n\t_ = limit'));
      out = inFunc(out, 'Run', (f) => replaceOnce(f, /p\.runFilterPlugins\(([^\n]*)\)\n/, 'p.runFilterPlugins($1, 0)\n'));
      return out;
    },
  },
  {
    id: 'signature-picker-args-swapped',
    file: profile,
    about: 'runPickerPlugin takes (ctx, totals, cycleState): arguments swapped in position',
    mutate: (s) => {
      let out = inFunc(s, 'runPickerPlugin', (f) => replaceOnce(f, /\(ctx context\.Context, (cycleState \*[\w.]+), (\w+ map\[[\w.]+\]float64)\)/, '(ctx context.Context, $2, $1)'));
      out = inFunc(out, 'Run', (f) => replaceOnce(f, /p\.runPickerPlugin\(ctx, cycleState, (\w+)\)/, 'p.runPickerPlugin(ctx, $1, cycleState)'));
      return out;
    },
  },
  endpointsSecond('runScorerPlugins', 'signature-scorer-args-swapped'),
  endpointsSecond('runFilterPlugins', 'signature-filter-args-swapped'),
  {
    id: 'signature-update-args-swapped',
    file: server,
    about: 'updateStateAndSendIfNeeded takes (logger, srv)',
    mutate: (s) => {
      let out = inFunc(s, 'updateStateAndSendIfNeeded', (f) => replaceOnce(f, /\((srv [\w.]+), (logger logr\.Logger)\)/, '($2, $1)'));
      return replaceAll(out, /\.updateStateAndSendIfNeeded\(srv, logger\)/g, '.updateStateAndSendIfNeeded(logger, srv)');
    },
  },

  // ---- a value replaced a few statements later
  {
    id: 'replaced-totals-before-pick',
    file: profile,
    about: 'Run rescales the totals into a new map and passes that to the picker',
    changesRun: true,
    mutate: (s) => {
      const { totals } = profileNames(s);
      return inFunc(s, 'Run', (f) =>
        replaceOnce(f, /\n\tresult := p\.runPickerPlugin\(ctx, cycleState, (\w+)\)/, `\n\tscaled := make(map[${capture(s, /\) runPickerPlugin\([^)]*map\[([\w.]+)\]/, 'endpoint type')}]float64, len(${totals}))\n\tfor e, v := range ${totals} {\n\t\tscaled[e] = v / 2\n\t}\n\tresult := p.runPickerPlugin(ctx, cycleState, scaled)`),
      );
    },
  },
  {
    id: 'replaced-totals-after-pick',
    file: profile,
    about: 'Run drops its totals map right after the pick',
    mutate: (s) => {
      const { totals } = profileNames(s);
      return inFunc(s, 'Run', (f) => replaceOnce(f, /(\n\tresult := p\.runPickerPlugin\([^\n]*\n)/, `$1\t${totals} = nil\n\t_ = ${totals}\n`));
    },
  },
  {
    id: 'replaced-scores-before-loop',
    file: profile,
    about: "the scorer's map is replaced by a halved copy before it is added up",
    changesRun: true,
    mutate: (s) =>
      inFunc(s, 'runScorerPlugins', (f) => {
        const loop = scoreLoop(f);
        const type = capture(f, /\) (map\[[\w.]+\]float64) \{/, 'the map type');
        return f.replace(loop.whole, `\n${loop.indent}halved := make(${type}, len(${loop.scores}))\n${loop.indent}for e, v := range ${loop.scores} {\n${loop.indent}\thalved[e] = v / 2\n${loop.indent}}\n${loop.indent}${loop.scores} = halved` + loop.whole);
      }),
  },
  {
    id: 'replaced-candidates-before-filter',
    file: profile,
    about: 'Run drops the last candidate before filtering',
    changesRun: true,
    mutate: (s) => {
      const { candidates } = profileNames(s);
      return inFunc(s, 'Run', (f) => replaceOnce(f, /\{\n/, `{\n\tif len(${candidates}) > 1 {\n\t\t${candidates} = ${candidates}[:len(${candidates})-1]\n\t}\n`));
    },
  },
  {
    id: 'replaced-filtered-after-filter',
    file: profile,
    about: "each filter's result is copied into a fresh slice on the next line",
    mutate: (s) => inFunc(s, 'runFilterPlugins', (f) => replaceOnce(f, /(\n\t\t(\w+) = (\w+)\.Filter\([^\n]*)/, '$1\n\t\t$2 = append($2[:0:0], $2...)')),
  },
  {
    id: 'replaced-request-context-after-handle',
    file: server,
    about: 'HandleRequest returns into a new local that is copied into reqCtx a statement later',
    mutate: (s) =>
      inFunc(s, 'Process', (f) => replaceOnce(f, /\n(\t+)reqCtx, err = s\.director\.HandleRequest\(([^\n]*)\)\n/, '\n$1handled, handleErr := s.director.HandleRequest($2)\n$1reqCtx, err = handled, handleErr\n')),
  },

  // ---- a different logger variable
  {
    id: 'logger-shadowed-in-process',
    file: server,
    about: 'Process keeps a second logger (with the request id) next to the first',
    mutate: (s) => inFunc(s, 'Process', (f) => replaceOnce(f, /\n(\t+)logger := log\.FromContext\(ctx\)\n/, '\n$1logger := log.FromContext(ctx)\n$1requestLogger := logger.WithValues("stream", "ext-proc")\n$1_ = requestLogger\n')),
  },
  {
    id: 'logger-renamed-in-scorer',
    file: profile,
    about: "runScorerPlugins' logger is `lg`",
    mutate: (s) => inFunc(s, 'runScorerPlugins', (f) => rename(f, profileNames(s).logger, 'lg')),
  },
  {
    id: 'logger-from-global-in-profile',
    file: profile,
    about: 'runFilterPlugins logs through log.Log instead of the context logger',
    mutate: (s) => inFunc(s, 'runFilterPlugins', (f) => replaceOnce(f, /log\.FromContext\(ctx\)/, 'log.Log')),
  },

  // ---- the anchor statement moved into an if header
  {
    id: 'if-header-run',
    file: scheduler,
    about: 'the profile loop calls Run in an if header (the statements after it copied into both branches)',
    mutate: (s) => inFunc(s, 'Schedule', ifHeaderRun),
  },
  {
    id: 'if-header-handle-request',
    file: server,
    about: 'Process calls HandleRequest in an if header',
    mutate: (s) => inFunc(s, 'Process', (f) => replaceOnce(f, /\n(\t+)(reqCtx, err = s\.director\.HandleRequest\([^\n]*\))\n\1if err != nil \{/, '\n$1if $2; err != nil {')),
  },
  {
    id: 'if-header-filter',
    file: profile,
    about: 'the filter loop assigns the survivors in the header of its emptiness check',
    mutate: (s) =>
      inFunc(s, 'runFilterPlugins', (f) => {
        const m = /\n\t\t((\w+) = \w+\.Filter\([^\n]*\))\n((?:\t\t[^\n]*\n)*?)\t\tif len\(\2\) == 0 \{/.exec(f);
        if (!m) throw new NotApplicable('no filter call followed by its check');
        return f.replace(m[0], `\n${m[3]}\t\tif ${m[1]}; len(${m[2]}) == 0 {`);
      }),
  },
  {
    id: 'if-header-pick',
    file: profile,
    about: 'Run picks in an if header and returns from both branches',
    mutate: (s) => inFunc(s, 'Run', (f) => replaceOnce(f, /\n\tresult := (p\.runPickerPlugin\([^\n]*\))\n((?:\t[^\n]*\n|\n)*?)\treturn result, nil\n\}$/, '\n\tif result := $1; result != nil {\n$2\t\treturn result, nil\n\t}\n\treturn nil, nil\n}')),
  },

  // ---- comments and strings that quote a signature
  {
    id: 'comment-quotes-scorer-signature',
    file: profile,
    about: 'a comment above Run quotes the signature of runScorerPlugins and its loop',
    mutate: (s) => {
      const sig = capture(s, /\n(func \(p \*SchedulerProfile\) runScorerPlugins\([^\n]*) \{/, 'the signature');
      const loop = scoreLoop(s.slice(s.indexOf(') runScorerPlugins(')));
      return replaceOnce(s, /\n\/\/ Run /, `\n// The scorers run in\n//\n//\t${sig}\n//\n// whose loop reads\n//\n//\tfor ${loop.endpoint}, ${loop.score} := range ${loop.scores} {\n//\t\t...\n//\t}\n//\n// Run `);
    },
  },
  {
    id: 'comment-block-old-scorer',
    file: profile,
    about: 'an old copy of runScorerPlugins is kept in a /* */ comment at the end of the file',
    mutate: (s) => {
      const [, fn] = cutFunc(s, 'runScorerPlugins');
      return append(s, `/* the previous version, kept for reference:\n${fn.replace('runScorerPlugins', 'runScorerPlugins')}\n*/`);
    },
  },
  {
    id: 'string-quotes-run-call',
    file: scheduler,
    about: 'a V5 message quotes the Run call it precedes',
    mutate: (s) => inFunc(s, 'Schedule', (f) => replaceOnce(f, /\n(\t+)((\w+), err := (\w+)\.Run\([^\n]*\))\n/, (m, ind, stmt) => `\n${ind}log.FromContext(ctx).V(5).Info(${JSON.stringify(stmt)})\n${ind}${stmt}\n`)),
  },
  {
    id: 'comment-quotes-decision',
    file: scheduler,
    about: 'a comment in Schedule quotes the ProcessResults call',
    mutate: (s) => inFunc(s, 'Schedule', (f) => replaceOnce(f, /\n(\t+)(result,? (err )?:?= s\.profileHandler\.ProcessResults\([^\n]*\))\n/, '\n$1// $2\n$1$2\n')),
  },

  // ---- others upstream could plausibly do
  {
    id: 'index-loop-over-scorers',
    file: profile,
    about: 'the scorer loop is an index loop: `for i := range p.scorers { scorer := p.scorers[i]`',
    mutate: (s) => inFunc(s, 'runScorerPlugins', (f) => replaceOnce(f, /\n\tfor _, scorer := range p\.scorers \{\n/, '\n\tfor i := range p.scorers {\n\t\tscorer := p.scorers[i]\n')),
  },
  {
    id: 'weight-hoisted',
    file: profile,
    about: "the scorer's weight is read once into a local before the scores loop",
    mutate: (s) =>
      inFunc(s, 'runScorerPlugins', (f) => {
        const loop = scoreLoop(f);
        const weight = capture(loop.body, /\* (float64\(\w+\.Weight\(\)\)|\w+\.Weight\(\))/, 'the weight');
        return f.replace(loop.whole, `\n${loop.indent}weight := ${weight}` + loop.whole.replace(weight, 'weight'));
      }),
  },
  {
    id: 'accumulate-split',
    file: profile,
    about: 'the accumulation is written `totals[e] = totals[e] + w` in two statements',
    mutate: (s) =>
      inFunc(s, 'runScorerPlugins', (f) => {
        const loop = scoreLoop(f);
        const m = /\n(\t+)(\w+)\[(\w+)\] \+= ([^\n]*)/.exec('\n' + loop.body);
        if (!m) throw new NotApplicable('no += accumulation');
        return f.replace(loop.whole, loop.whole.replace(m[0].slice(1), `${m[1]}weighted := ${m[4]}\n${m[1]}${m[2]}[${m[3]}] = ${m[2]}[${m[3]}] + weighted`));
      }),
  },
  {
    id: 'picker-through-local',
    file: profile,
    about: 'runPickerPlugin calls the picker through a local `picker := p.picker`',
    mutate: (s) => inFunc(s, 'runPickerPlugin', (f) => replaceOnce(f, /\n(\t)result := p\.picker\.Pick\(/, '\n$1picker := p.picker\n$1result := picker.Pick(')),
  },
  {
    id: 'multiline-filter-call',
    file: profile,
    about: "Run's call of runFilterPlugins spreads its arguments over lines",
    mutate: (s) => inFunc(s, 'Run', (f) => replaceOnce(f, /p\.runFilterPlugins\(ctx, ([^\n]*)\)\n/, (_, rest) => `p.runFilterPlugins(\n\t\tctx,\n${rest.split(', ').map((a) => `\t\t${a},\n`).join('')}\t)\n`)),
  },
  {
    id: 'candidates-through-local',
    file: profile,
    about: 'Run copies its candidates into a local before filtering',
    mutate: (s) => {
      const { candidates } = profileNames(s);
      return inFunc(s, 'Run', (f) => replaceOnce(f, new RegExp(`\\n\\t(\\w+) := p\\.runFilterPlugins\\(([^\\n]*)${candidates}\\)\\n`), `\n\tinput := ${candidates}\n\t$1 := p.runFilterPlugins($2input)\n`));
    },
  },
  {
    id: 'profiles-sorted-loop',
    file: scheduler,
    about: 'the profile loop ranges over the sorted names and looks each profile up',
    mutate: (s) =>
      inFunc(s, 'Schedule', (f) =>
        replaceOnce(f, /\n(\t+)for (\w+), (\w+) := range (\w+) \{\n/, (_, ind, name, prof, profiles) => `\n${ind}names := make([]string, 0, len(${profiles}))\n${ind}for n := range ${profiles} {\n${ind}\tnames = append(names, n)\n${ind}}\n${ind}sort.Strings(names)\n${ind}for _, ${name} := range names {\n${ind}\t${prof} := ${profiles}[${name}]\n`),
      ),
    imports: ['sort'],
  },
  {
    id: 'decision-returned-directly',
    file: scheduler,
    about: 'Schedule returns what ProcessResults returns, without a local',
    mutate: (s) => inFunc(s, 'Schedule', (f) => replaceOnce(f, /\n(\t)(?:result, err :?= )(s\.profileHandler\.ProcessResults\([^\n]*\))\n((?:\t[^\n]*\n|\n)*?)\treturn result, err\n\}$/, '\n$1defer func() {\n$3\t}()\n\treturn $2\n}')),
  },
];

/** Adds the imports a kind's code needs, when the file lacks them. */
export function addImports(src, paths) {
  let out = src;
  for (const path of paths ?? []) {
    if (new RegExp(`^\\s*"${path}"$`, 'm').test(out)) continue;
    out = replaceOnce(out, /^import \(\n/m, `import (\n\t"${path}"\n`);
  }
  return out;
}
