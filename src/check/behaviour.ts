import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { execa } from 'execa';
import type { Node } from 'web-tree-sitter';
import { Analyzer } from '../analyze/analyzer.ts';
import type { ProfileRun, RequestRecord } from '../analyze/model.ts';
import { parseLine } from '../analyze/parse.ts';
import { moduleOf } from '../codemod/go-package.ts';
import { isKind } from '../codemod/go-parser.ts';
import { POINT_IDS, type PointId } from '../codemod/patch.ts';
import { fakeMethods, identityBodies, namesByTypedName, pointee, quote, scoredFields, SCENARIO, targetField, type Found } from './behaviour-fakes.ts';
import { GO_BUILD_FLAGS } from './go-tests.ts';
import { GoSource, ImportSet, slots, typeText, type Declared, type MethodSignature } from './go-source.ts';

/**
 * `instrument check --behaviour`: in the patched copy of a ref, a generated Go test runs a
 * SchedulerProfile (and the Scheduler, where the release lets a test build one) on fakes whose
 * names, scores and pick are known, captures the JSON lines the points write, and compares each
 * value with what the fakes were given and what they saw. A point that compiles but reads the
 * wrong variable, or a value that upstream replaces later, shows here and nowhere else.
 */

export type BehaviourStatus = 'ok' | 'failed' | 'n/a';

export interface BehaviourResult {
  readonly status: BehaviourStatus;
  /** What was wrong (failed) or why it cannot be run (n/a); undefined when ok. */
  readonly detail: string | undefined;
}

/** The folder of the generated test, in the module of the profile file (only ever in check's copy). */
export const BEHAVIOUR_DIR = 'zz_instrument_behaviour';

const SERVER_REASON = 'needs a gRPC ext_proc stream into StreamingServer.Process, which the behaviour test does not drive';
const SCHEDULER_POINTS: readonly PointId[] = ['scheduler.profile', 'scheduler.decision'];
const PROFILE_POINTS: readonly PointId[] = ['profile.candidates', 'profile.filters', 'profile.scores', 'profile.picked'];

export interface BehaviourOptions {
  /** The patched copy (instrument's record included). */
  readonly tree: string;
  /** The patched files, relative to the tree, by the points they hold. */
  readonly files: ReadonlyMap<string, readonly PointId[]>;
  /** The V level the points were applied at. */
  readonly verbosity: number;
  /** A folder for the captured lines; the caller removes it. */
  readonly scratch: string;
  readonly env: Readonly<Record<string, string | undefined>>;
}

const all = (status: BehaviourStatus, detail: string | undefined, points: readonly PointId[] = POINT_IDS) => Object.fromEntries(points.map((p) => [p, { status, detail }]));
/** A result for the scheduling points, with the server points n/a (the test never drives them). */
const withServer = (scheduling: Readonly<Record<string, BehaviourResult>>) =>
  ({ ...scheduling, ...all('n/a', SERVER_REASON, ['server.request', 'server.selected']) }) as Record<PointId, BehaviourResult>;

/** Runs the behaviour test in the patched copy and says, per point, whether its lines were right. */
export async function checkBehaviour(options: BehaviourOptions): Promise<Record<PointId, BehaviourResult>> {
  const fileOf = (point: PointId) => [...options.files].find(([, ids]) => ids.includes(point))?.[0];
  const profileFile = fileOf('profile.candidates');
  const schedulerFile = fileOf('scheduler.profile');
  if (!profileFile || !schedulerFile) return withServer(all('n/a', 'the profile and scheduler points are not both placed'));

  const module = moduleOf(resolve(options.tree, profileFile), options.tree);
  if (!module) return withServer(all('n/a', `no go.mod above ${profileFile}`));
  const source = new GoSource(module);
  let plan: Found<TestPlan>;
  try {
    plan = await planTest(source, importPathOf(module, resolve(options.tree, profileFile)), importPathOf(module, resolve(options.tree, schedulerFile)), options.verbosity);
  } finally {
    source.dispose();
  }
  if (!plan.ok) return withServer(all('n/a', `the behaviour test cannot be built for this shape: ${plan.reason}`));

  const dir = join(module.dir, BEHAVIOUR_DIR);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'behaviour_test.go'), plan.value.code);
  mkdirSync(options.scratch, { recursive: true });
  const logFile = join(options.scratch, 'lines.jsonl');
  const seenFile = join(options.scratch, 'seen.json');
  const run = await execa('go', ['test', ...GO_BUILD_FLAGS, '-count=1', '-run', '^TestInstrumentBehaviour$', `./${BEHAVIOUR_DIR}/`], {
    cwd: module.dir,
    env: { ...options.env, INSTRUMENT_BEHAVIOUR_LOG: logFile, INSTRUMENT_BEHAVIOUR_SEEN: seenFile },
    reject: false,
    all: true,
  });
  if (run.exitCode !== 0 || !existsSync(seenFile)) {
    // The panic or compiler messages first (a stack trace would push them out of the tail), then the end.
    const output = String(run.all ?? '').trim().split('\n');
    const causes = output.filter((l) => /^panic: |^\s*--- FAIL|\.go:\d+:\d+: /.test(l)).slice(0, 4);
    const tail = [...new Set([...causes, ...output.slice(-4)])].join('\n');
    return withServer(all('failed', `the generated behaviour test (${relative(options.tree, dir)}) did not run through:\n${tail}`, [...SCHEDULER_POINTS, ...PROFILE_POINTS]));
  }
  const lines = existsSync(logFile) ? readFileSync(logFile, 'utf8').split('\n') : [];
  const seen = JSON.parse(readFileSync(seenFile, 'utf8')) as Observation[];
  return withServer(evaluate(lines, seen, plan.value));
}

function importPathOf(module: { dir: string; path: string }, file: string): string {
  const rel = relative(module.dir, dirname(file));
  return rel === '' ? module.path : `${module.path}/${rel.split('\\').join('/')}`;
}

interface TestPlan {
  readonly code: string;
  /** Whether the test runs Scheduler.Schedule (else the profile alone, so the scheduler points are n/a). */
  readonly scheduler: Found<true>;
  /** How the release names plugins: type and name (TypedName) or the name alone (v0.4). */
  readonly typedNames: boolean;
}

/** What the fakes saw in one run, as the generated test writes it. */
interface Observation {
  readonly request: string;
  readonly filterInput: string[][] | null;
  readonly scorerInput: Record<string, string[]> | null;
  readonly pickerInput: Record<string, number> | null;
  readonly returned: string[] | null;
  readonly error?: string;
}

/** An interface's method set, read from the declaration a type node names. */
async function interfaceOf(source: GoSource, type: Node, file: Declared['file'], what: string): Promise<Found<{ declared: Declared; methods: MethodSignature[] }>> {
  const declared = await source.resolve(type, file);
  if (!declared) return { ok: false, reason: `the declaration of ${what} (${type.text}) is not in this module` };
  const methods = await source.methodSet(declared);
  if (!methods) return { ok: false, reason: `${what} (${type.text}) is not an interface whose methods can be read` };
  return { ok: true, value: { declared, methods } };
}

/** The parameter slots of a function or method declaration. */
const paramsOf = (fn: Declared) => slots(fn.node.childForFieldName('parameters'));

/**
 * Works out, from the tree's own declarations, how to build the scenario, and writes the test.
 * Every type the test names is written as the tree declares it.
 */
async function planTest(source: GoSource, profilePkg: string, schedulerPkg: string, verbosity: number): Promise<Found<TestPlan>> {
  const imports = new ImportSet({ context: 'context', 'encoding/json': 'json', os: 'os', testing: 'testing', 'github.com/go-logr/logr': 'logr', 'go.uber.org/zap/zapcore': 'zapcore', 'k8s.io/apimachinery/pkg/types': 'k8stypes', 'sigs.k8s.io/controller-runtime/pkg/log/zap': 'crzap' });
  const profile = imports.name(profilePkg);

  // The endpoint type: the element of Run's candidate slice.
  const run = await source.method(profilePkg, 'SchedulerProfile', 'Run');
  if (!run) return { ok: false, reason: 'no SchedulerProfile.Run in the profile package' };
  const runParams = paramsOf(run);
  const candidateSlot = runParams.find((p) => isKind(p.type, 'slice_type'));
  if (!candidateSlot) return { ok: false, reason: 'SchedulerProfile.Run takes no slice of endpoints' };
  const endpointNode = candidateSlot.type.childForFieldName('element')!;
  const endpointType = typeText(endpointNode, run.file, imports);
  const endpoint = await interfaceOf(source, endpointNode, run.file, 'the endpoint type');
  if (!endpoint.ok) return endpoint;
  const accessor = endpoint.value.methods.find((m) => m.name === 'GetMetadata' || m.name === 'GetPod');
  const metaNode = accessor?.results[0] && pointee(accessor.results[0].type);
  if (!accessor || !metaNode) return { ok: false, reason: `${endpointType} declares neither GetMetadata() nor GetPod() returning a pointer` };
  const metaType = typeText(metaNode, accessor.file, imports);
  const endpointFake = fakeMethods('behaviourEndpoint', endpoint.value.methods, imports, {
    [accessor.name]: () => '\tr0 = f.meta\n\treturn',
    String: (_p, r) => (r[0] === 'string' ? `\tr0 = ${quote(SCENARIO.namespace + '/')} + f.meta.NamespacedName.Name\n\treturn` : undefined),
  });
  if (!endpointFake.ok) return { ok: false, reason: `${endpointType}: ${endpointFake.reason}` };
  const slice = `[]${endpointType}`;
  const sliceParam = (params: readonly string[]) => params.indexOf(slice);

  // The profile's plugins, from the parameters of its builder methods.
  const builders = await Promise.all(['WithFilters', 'WithScorers', 'WithPicker'].map((m) => source.method(profilePkg, 'SchedulerProfile', m)));
  const newProfile = await source.func(profilePkg, 'NewSchedulerProfile');
  const newWeighted = await source.func(profilePkg, 'NewWeightedScorer');
  if (builders.some((b) => !b) || !newProfile || !newWeighted) return { ok: false, reason: 'the profile package lacks NewSchedulerProfile, NewWeightedScorer or SchedulerProfile.WithFilters/WithScorers/WithPicker' };
  const filter = await interfaceOf(source, paramsOf(builders[0]!)[0]!.type, builders[0]!.file, 'the filter type');
  const scorer = await interfaceOf(source, paramsOf(newWeighted)[0]!.type, newWeighted.file, 'the scorer type');
  const picker = await interfaceOf(source, paramsOf(builders[2]!)[0]!.type, builders[2]!.file, 'the picker type');
  if (!filter.ok) return filter;
  if (!scorer.ok) return scorer;
  if (!picker.ok) return picker;

  const filterFake = fakeMethods('behaviourFilter', filter.value.methods, imports, {
    ...identityBodies(),
    Filter: (p, r) => {
      const s = sliceParam(p);
      if (s < 0 || r[0] !== slice) return undefined;
      return `\tbehaviourNow.FilterInput = append(behaviourNow.FilterInput, behaviourNames(a${s}))\n\tfor _, e := range a${s} {\n\t\tif behaviourName(e) != f.drop {\n\t\t\tr0 = append(r0, e)\n\t\t}\n\t}\n\treturn`;
    },
  });
  const scorerFake = fakeMethods('behaviourScorer', scorer.value.methods, imports, {
    ...identityBodies(),
    Score: (p, r) => {
      const s = sliceParam(p);
      if (s < 0 || !r[0]?.startsWith('map[')) return undefined;
      return `\tbehaviourNow.ScorerInput[f.name] = behaviourNames(a${s})\n\tr0 = make(${r[0]}, len(a${s}))\n\tfor _, e := range a${s} {\n\t\tif score, ok := f.scores[behaviourName(e)]; ok {\n\t\t\tr0[e] = score\n\t\t}\n\t}\n\treturn`;
    },
  });

  // The picker: what a scored endpoint holds, and where the result keeps its targets.
  const pick = picker.value.methods.find((m) => m.name === 'Pick');
  const scoredSlot = pick?.params.find((p) => isKind(p.type, 'slice_type'));
  const resultNode = pick?.results[0] && pointee(pick.results[0].type);
  if (!pick || !scoredSlot || !resultNode) return { ok: false, reason: 'the picker\'s Pick takes no slice of scored endpoints or returns no pointer to a result' };
  const scored = await source.resolve(scoredSlot.type, pick.file);
  const result = await source.resolve(resultNode, pick.file);
  if (!scored || !result) return { ok: false, reason: 'the scored endpoint or run result type is not declared in this module' };
  const embedded = await scoredFields(source, scored);
  const target = await targetField(source, result);
  if (!embedded.ok) return embedded;
  if (!target.ok) return target;
  const resultType = typeText(resultNode, pick.file, imports);
  const scoredParam = typeText(scoredSlot.type, pick.file, imports);
  const pickerFake = fakeMethods('behaviourPicker', picker.value.methods, imports, {
    ...identityBodies(),
    Pick: (p) => {
      const s = p.indexOf(scoredParam);
      const chosen = target.value.slice ? `${slice}{scored.${embedded.value}}` : `scored.${embedded.value}`;
      return `\tfor _, scored := range a${s} {\n\t\tname := behaviourName(scored.${embedded.value})\n\t\tbehaviourNow.PickerInput[name] = scored.Score\n\t\tif name == f.pick {\n\t\t\tr0 = &${resultType}{${target.value.field}: ${chosen}}\n\t\t}\n\t}\n\treturn`;
    },
  });
  if (!filterFake.ok) return filterFake;
  if (!scorerFake.ok) return scorerFake;
  if (!pickerFake.ok) return pickerFake;
  const targets = target.value.slice ? `behaviourNames(run.${target.value.field})` : `[]string{behaviourName(run.${target.value.field})}`;

  // The scheduler, when the release builds one from a profile handler and a map of profiles alone.
  const scheduler = await schedulerPlan(source, schedulerPkg, imports, endpointType, targets);
  const typedNames = namesByTypedName(filter.value.methods);
  const plugin = (kind: { type: string; name: string }) => `typ: ${quote(kind.type)}, name: ${quote(kind.name)}`;
  const scorerValues = (scores: Readonly<Record<string, number>>) => `map[string]float64{${Object.entries(scores).map(([k, v]) => `${quote(k)}: ${v}`).join(', ')}}`;

  const runArgs = await argumentsFor(source, run, imports, endpointType);
  const body = scheduler.ok
    ? scheduler.value.body
    : runArgs.ok
      ? `\t\tschedule := ${profile}.InstrumentScheduleStart(ctx, ${verbosity})\n\t\trunCtx, record := schedule.ProfileStart(ctx, ${quote(SCENARIO.profile)}, map[string]bool{})\n\t\trun, err := profile.Run(${runArgs.value.replace(/^ctx\b/, 'runCtx')})\n\t\trecord.End(err)\n\t\tif err != nil {\n\t\t\tbehaviourNow.Error = err.Error()\n\t\t} else if run != nil {\n\t\t\tbehaviourNow.Returned = ${targets}\n\t\t}`
      : undefined;
  if (body === undefined) return { ok: false, reason: `${scheduler.ok ? '' : `${scheduler.reason}; `}${runArgs.ok ? '' : runArgs.reason}` };

  const code = `// Code generated by instrument check --behaviour; DO NOT EDIT. It exists only in check's copy of the tree.

package ${BEHAVIOUR_DIR}

import (
${imports.lines().join('\n')}
)

type behaviourObservation struct {
	Request     string              \`json:"request"\`
	FilterInput [][]string          \`json:"filterInput"\`
	ScorerInput map[string][]string \`json:"scorerInput"\`
	PickerInput map[string]float64  \`json:"pickerInput"\`
	Returned    []string            \`json:"returned"\`
	Error       string              \`json:"error,omitempty"\`
}

// behaviourNow is what the fakes see in the run under way (runs are one after another).
var behaviourNow *behaviourObservation

func behaviourName(e ${endpointType}) string {
	if e == nil {
		return ""
	}
	return e.${accessor.name}().NamespacedName.Name
}

func behaviourNames(endpoints []${endpointType}) []string {
	names := []string{}
	for _, e := range endpoints {
		names = append(names, behaviourName(e))
	}
	return names
}

type behaviourEndpoint struct{ meta *${metaType} }

${endpointFake.value}

type behaviourFilter struct{ typ, name, drop string }

${filterFake.value}

type behaviourScorer struct {
	typ, name string
	scores    map[string]float64
}

${scorerFake.value}

type behaviourPicker struct{ typ, name, pick string }

${pickerFake.value}
${scheduler.ok ? `\n${scheduler.value.handler}\n` : ''}
func TestInstrumentBehaviour(t *testing.T) {
	out, err := os.Create(os.Getenv("INSTRUMENT_BEHAVIOUR_LOG"))
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	logger := crzap.New(crzap.UseDevMode(true), crzap.JSONEncoder(), crzap.WriteTo(out), crzap.Level(zapcore.Level(-${verbosity})))
	var seen []*behaviourObservation
	for i := 1; i <= ${SCENARIO.runs}; i++ {
		behaviourNow = &behaviourObservation{Request: "behaviour-" + string(rune('0'+i)), ScorerInput: map[string][]string{}, PickerInput: map[string]float64{}}
		seen = append(seen, behaviourNow)
		ctx := logr.NewContext(context.Background(), logger.WithValues("x-request-id", behaviourNow.Request))
		candidates := []${endpointType}{}
		for _, name := range []string{${SCENARIO.endpoints.map(quote).join(', ')}} {
			candidates = append(candidates, &behaviourEndpoint{meta: &${metaType}{NamespacedName: k8stypes.NamespacedName{Namespace: ${quote(SCENARIO.namespace)}, Name: name}}})
		}
		profile := ${profile}.NewSchedulerProfile()
		profile.WithFilters(&behaviourFilter{${plugin(SCENARIO.filter)}, drop: ${quote(SCENARIO.filter.drop)}})
		profile.WithScorers(
${SCENARIO.scorers.map((s) => `\t\t\t${profile}.NewWeightedScorer(&behaviourScorer{${plugin(s)}, scores: ${scorerValues(s.scores)}}, ${s.weight}),`).join('\n')}
		)
		profile.WithPicker(&behaviourPicker{${plugin(SCENARIO.picker)}, pick: ${quote(SCENARIO.picker.pick)}})
${body}
	}
	text, err := json.Marshal(seen)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(os.Getenv("INSTRUMENT_BEHAVIOUR_SEEN"), text, 0o644); err != nil {
		t.Fatal(err)
	}
}
`;
  return { ok: true, value: { code, scheduler: scheduler.ok ? { ok: true, value: true } : scheduler, typedNames } };
}

/**
 * The arguments of a call to `fn` in the scenario: the context, the candidates, and a new value of
 * every other parameter's type (its package's `New<Type>()` when there is one, else `&Type{}`).
 */
async function argumentsFor(source: GoSource, fn: Declared, imports: ImportSet, endpointType: string): Promise<Found<string>> {
  const args: string[] = [];
  for (const param of paramsOf(fn)) {
    const text = typeText(param.type, fn.file, imports);
    if (text === 'context.Context') args.push('ctx');
    else if (text === `[]${endpointType}`) args.push('candidates');
    else {
      const inner = pointee(param.type);
      const declared = inner && (await source.resolve(inner, fn.file));
      if (!inner || !declared || !isKind(declared.node.childForFieldName('type'), 'struct_type')) return { ok: false, reason: `${fn.node.childForFieldName('name')?.text} takes a ${param.type.text}, which the test cannot make` };
      const name = declared.node.childForFieldName('name')!.text;
      const constructor = await source.func(declared.file.importPath, `New${name}`);
      const noArgs = constructor && paramsOf(constructor).length === 0;
      args.push(noArgs ? `${imports.name(declared.file.importPath)}.New${name}()` : `&${typeText(inner, fn.file, imports)}{}`);
    }
  }
  return { ok: true, value: args.join(', ') };
}

/** How the test builds and runs the Scheduler: NewSchedulerWithConfig(NewSchedulerConfig(handler, profiles)). */
async function schedulerPlan(source: GoSource, pkg: string, imports: ImportSet, endpointType: string, targets: string): Promise<Found<{ body: string; handler: string }>> {
  const withConfig = await source.func(pkg, 'NewSchedulerWithConfig');
  const newConfig = await source.func(pkg, 'NewSchedulerConfig');
  const schedule = await source.method(pkg, 'Scheduler', 'Schedule');
  if (!withConfig || !newConfig || !schedule) return { ok: false, reason: 'the scheduler package lacks NewSchedulerWithConfig, NewSchedulerConfig or Scheduler.Schedule' };
  const withParams = paramsOf(withConfig);
  if (withParams.length !== 1) return { ok: false, reason: `NewSchedulerWithConfig takes ${withParams.map((p) => p.type.text).join(', ')}, not the config alone (a Datastore, in GIE v0.4), so the test runs the profile without the Scheduler` };
  const [handlerSlot, profilesSlot] = paramsOf(newConfig);
  if (!handlerSlot || !profilesSlot || !isKind(profilesSlot.type, 'map_type')) return { ok: false, reason: 'NewSchedulerConfig does not take a profile handler and a map of profiles' };
  const handler = await interfaceOf(source, handlerSlot.type, newConfig.file, 'the profile handler type');
  if (!handler.ok) return handler;
  const scheduling = await source.resolve(schedule.node.childForFieldName('result')?.namedChildren[0]?.childForFieldName('type') ?? schedule.node.childForFieldName('result')!, schedule.file);
  const schedulingStruct = scheduling && isKind(scheduling.node.childForFieldName('type'), 'struct_type') ? scheduling : undefined;
  const fields = schedulingStruct ? schedulingStruct.node.childForFieldName('type')!.text : '';
  if (!/\bProfileResults\b/.test(fields) || !/\bPrimaryProfileName\b/.test(fields)) return { ok: false, reason: 'the scheduling result has no ProfileResults and PrimaryProfileName fields' };
  const profilesType = typeText(profilesSlot.type, newConfig.file, imports);
  const fake = fakeMethods('behaviourHandler', handler.value.methods, imports, {
    ...identityBodies(),
    Pick: (p, r) => {
      const profiles = p.indexOf(r[0] ?? '');
      const results = p.findIndex((t, i) => i !== profiles && t.startsWith('map['));
      if (profiles < 0 || results < 0) return undefined;
      return `\tif len(a${results}) > 0 {\n\t\treturn\n\t}\n\tr0 = a${profiles}\n\treturn`;
    },
    ProcessResults: (p, r) => {
      const results = p.findIndex((t) => t.startsWith('map['));
      if (results < 0 || !r[0]?.startsWith('*')) return undefined;
      return `\tr0 = &${r[0].slice(1)}{ProfileResults: a${results}, PrimaryProfileName: ${quote(SCENARIO.profile)}}\n\treturn`;
    },
  });
  if (!fake.ok) return { ok: false, reason: `the profile handler: ${fake.reason}` };
  const args = await argumentsFor(source, schedule, imports, endpointType);
  if (!args.ok) return args;
  const s = imports.name(pkg);
  return {
    ok: true,
    value: {
      handler: `type behaviourHandler struct{ typ, name string }\n\n${fake.value}`,
      body: `\t\tscheduler := ${s}.NewSchedulerWithConfig(${s}.NewSchedulerConfig(&behaviourHandler{typ: ${quote(SCENARIO.handler.type)}, name: ${quote(SCENARIO.handler.name)}}, ${profilesType}{${quote(SCENARIO.profile)}: profile}))\n\t\tresult, err := scheduler.Schedule(${args.value})\n\t\tif err != nil {\n\t\t\tbehaviourNow.Error = err.Error()\n\t\t} else if result != nil {\n\t\t\tif run := result.ProfileResults[${quote(SCENARIO.profile)}]; run != nil {\n\t\t\t\tbehaviourNow.Returned = ${targets}\n\t\t\t}\n\t\t}`,
    },
  };
}

const full = (name: string) => `${SCENARIO.namespace}/${name}`;
const same = (a: readonly unknown[] | undefined, b: readonly unknown[] | undefined) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
const shown = (value: unknown) => JSON.stringify(value ?? null);

/**
 * Compares the captured lines with the scenario and with what the fakes saw. Each run must have
 * exactly one line per scheduler point; each value must be what the fakes were given or chose.
 */
function evaluate(lines: readonly string[], seen: readonly Observation[], plan: TestPlan): Record<PointId, BehaviourResult> {
  const problems = new Map<PointId, string[]>(POINT_IDS.map((p) => [p, []]));
  const wrong = (point: PointId, run: string, text: string) => problems.get(point)!.push(`${run}: ${text}`);

  // How many lines of each point every request wrote, read straight from the lines.
  const counts = new Map<string, number>();
  lines.forEach((text, i) => {
    const parsed = parseLine(text, i + 1, false);
    if (parsed.kind !== 'record') return;
    const { fields } = parsed.record;
    if (typeof fields.point === 'string') counts.set(`${String(fields['x-request-id'])}\u0000${fields.point}`, (counts.get(`${String(fields['x-request-id'])}\u0000${fields.point}`) ?? 0) + 1);
  });
  // The values, read as instrument analyze reads them.
  const records = new Map<string, RequestRecord>();
  const analyzer = new Analyzer({ onRequest: (r) => records.set(r.requestId, r) });
  for (const text of lines) if (text !== '') analyzer.push(text);
  analyzer.finish();

  const identity = (kind: { type: string; name: string }) => (plan.typedNames ? kind : { type: kind.name, name: kind.name });
  const kept = SCENARIO.endpoints.filter((e) => e !== SCENARIO.filter.drop);
  const expectedTotals = Object.fromEntries(kept.map((e) => [full(e), SCENARIO.scorers.reduce((sum, s) => sum + s.weight * Math.min(1, Math.max(0, s.scores[e as keyof typeof s.scores])), 0)]));

  for (const obs of seen) {
    const id = obs.request;
    if (obs.error) for (const p of [...SCHEDULER_POINTS, ...PROFILE_POINTS]) wrong(p, id, `the run returned an error: ${obs.error}`);
    const profileLines = counts.get(`${id}\u0000scheduler.profile`) ?? 0;
    const decisionLines = counts.get(`${id}\u0000scheduler.decision`) ?? 0;
    if (profileLines !== 1) {
      wrong('scheduler.profile', id, `${profileLines} "instrument: profile run" lines, not 1`);
      if (profileLines === 0) for (const p of PROFILE_POINTS) wrong(p, id, 'no profile run line carries its values');
    }
    if (plan.scheduler.ok && decisionLines !== 1) wrong('scheduler.decision', id, `${decisionLines} "instrument: scheduling decision" lines, not 1`);
    const record = records.get(id);
    const run: ProfileRun | undefined = record?.profiles[SCENARIO.profile];
    if (!record || !run) {
      if (profileLines > 0) wrong('scheduler.profile', id, `no line names the profile ${SCENARIO.profile}`);
      continue;
    }
    if (run.status !== 'ok' || run.round !== 1) wrong('scheduler.profile', id, `the run is status ${run.status}, round ${run.round}, not ok in round 1`);
    if (plan.scheduler.ok) {
      if (record.primaryProfile !== SCENARIO.profile || record.primarySource !== 'decision') wrong('scheduler.decision', id, `the primary profile is ${shown(record.primaryProfile)} (from ${shown(record.primarySource)}), not ${SCENARIO.profile} from the decision line`);
      if (record.decisionError) wrong('scheduler.decision', id, `the decision carries an error: ${record.decisionError}`);
    }

    const candidates = SCENARIO.endpoints.map(full);
    if (!same(run.candidates, candidates)) wrong('profile.candidates', id, `the candidates are ${shown(run.candidates)}, the profile was given ${shown(candidates)}`);

    const scorerInput = obs.scorerInput?.[SCENARIO.scorers[0].name]?.map(full);
    const expectedFilters = [{ filter: identity(SCENARIO.filter).type, name: identity(SCENARIO.filter).name, kept: kept.length, removed: [full(SCENARIO.filter.drop)] }];
    if (!same(run.filters, expectedFilters)) wrong('profile.filters', id, `the filters are ${shown(run.filters)}, the fake filter ${SCENARIO.filter.name} removed ${full(SCENARIO.filter.drop)} alone`);
    const survivors = (run.candidates ?? []).filter((c) => !run.filters.some((f) => f.removed?.includes(c)));
    if (scorerInput && !same(survivors, scorerInput)) wrong('profile.filters', id, `the line leaves ${shown(survivors)} after the filters, but the scorers were given ${shown(scorerInput)}`);

    for (const s of SCENARIO.scorers) {
      const line = run.scorers.find((x) => x.name === identity(s).name && x.scorer === identity(s).type);
      const given = (obs.scorerInput?.[s.name] ?? []).filter((e) => e in s.scores);
      const expected = Object.fromEntries(given.map((e) => [full(e), s.scores[e as keyof typeof s.scores]]));
      if (!line) wrong('profile.scores', id, `no scores of scorer ${identity(s).type}/${identity(s).name}`);
      else if (line.weight !== s.weight || shown(sorted(line.scores)) !== shown(sorted(expected))) wrong('profile.scores', id, `scorer ${s.name}: weight ${shown(line.weight)} and scores ${shown(sorted(line.scores))}, the fake returned weight ${s.weight} and ${shown(sorted(expected))}`);
    }
    if (run.scorers.length !== SCENARIO.scorers.length) wrong('profile.scores', id, `${run.scorers.length} scorers on the line, the profile has ${SCENARIO.scorers.length}`);

    const received = Object.fromEntries(Object.entries(obs.pickerInput ?? {}).map(([k, v]) => [full(k), v]));
    if (shown(sorted(run.totals ?? {})) !== shown(sorted(received))) wrong('profile.picked', id, `the totals are ${shown(sorted(run.totals ?? {}))}, the picker received ${shown(sorted(received))}`);
    else if (shown(sorted(run.totals ?? {})) !== shown(sorted(expectedTotals))) wrong('profile.picked', id, `the totals are ${shown(sorted(run.totals ?? {}))}, weight × score summed over the scorers gives ${shown(sorted(expectedTotals))}`);
    const picker = identity(SCENARIO.picker);
    if (run.picker !== picker.type || run.pickerName !== picker.name) wrong('profile.picked', id, `the picker is ${shown(run.picker)}/${shown(run.pickerName)}, not ${picker.type}/${picker.name}`);
    const returned = (obs.returned ?? []).map(full);
    if (!same(run.picked, returned)) wrong('profile.picked', id, `the pick is ${shown(run.picked)}, the run returned ${shown(returned)}`);
  }
  if (seen.length !== SCENARIO.runs) for (const p of [...SCHEDULER_POINTS, ...PROFILE_POINTS]) wrong(p, 'test', `${seen.length} runs observed, not ${SCENARIO.runs}`);

  const result: Partial<Record<PointId, BehaviourResult>> = {};
  for (const point of [...SCHEDULER_POINTS, ...PROFILE_POINTS]) {
    const list = problems.get(point)!;
    if (!plan.scheduler.ok && SCHEDULER_POINTS.includes(point)) {
      // The profile-only run writes the profile line itself, so its count says nothing of scheduler.go.
      result[point] = { status: 'n/a', detail: plan.scheduler.reason };
    } else result[point] = list.length === 0 ? { status: 'ok', detail: undefined } : { status: 'failed', detail: [...new Set(list)].join('\n') };
  }
  return result as Record<PointId, BehaviourResult>;
}

const sorted = (record: Readonly<Record<string, number>>) => Object.fromEntries(Object.entries(record).sort(([a], [b]) => a.localeCompare(b)));
