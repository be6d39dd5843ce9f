import type { BuildResult } from '../commands/build.ts';
import type { DeployPlan, DeployResult, InspectResult } from '../commands/deploy.ts';
import type { LoadResult } from '../commands/load.ts';
import { commandLine } from '../build/exec.ts';
import type { ScoringSetup, CandidatePod } from '../build/inspect.ts';
import { foundLine, warnings as warningLines, type Rendered, type Style } from './text.ts';

export function renderBuild(result: BuildResult, style: Style): Rendered {
  const lines: string[] = [];
  if (result.status === 'planned') {
    lines.push(`dry run: would build ${result.image} with ${result.runtime}; nothing was run`);
    lines.push(`Dockerfile: ${result.dockerfile.path}: ${result.dockerfile.reason}`);
    if (result.dockerfile.diff) lines.push('', result.dockerfile.diff.trimEnd(), '');
    lines.push(`command: ${commandLine(result.argv)}`);
    if (result.dockerfile.derived) lines.push('(the -f file is the derived copy holding the change above, kept so that the command can be run as printed)');
  } else {
    lines.push(style.ok(`built ${result.image}`) + (result.imageId ? ` (${result.imageId.slice(0, 19)})` : ''));
    lines.push(`Dockerfile: ${result.dockerfile.path}: ${result.dockerfile.reason}`);
    lines.push('Next: `instrument load` puts it into a kind or minikube cluster.');
  }
  return { stdout: lines.join('\n') + '\n', stderr: foundLine(result) + warningLines(result.warnings, style) };
}

export function renderLoad(result: LoadResult, style: Style): Rendered {
  const where = `${result.cluster.kind} ${result.cluster.kind === 'kind' ? 'cluster' : 'profile'} ${result.cluster.name} (from the ${result.cluster.from})`;
  const lines =
    result.status === 'planned'
      ? [`dry run: would load ${result.image} into ${where}; commands:`, ...result.commands.map((c) => `  ${commandLine(c)}`)]
      : [style.ok(`loaded ${result.image} into ${where}`), `found on: ${result.verifiedOn.join(', ')}`, 'Next: `instrument deploy`.'];
  return { stdout: lines.join('\n') + '\n', stderr: foundLine(result) };
}

function scoringLines(scoring: ScoringSetup | undefined, pods: readonly CandidatePod[], style: Style): string[] {
  if (!scoring) return [];
  const lines = [`scoring setup (configmap/${scoring.configMap}, epp-config.yaml):`];
  for (const watched of scoring.watched) {
    const uses = watched.uses.map((u) => `${u.profile}${u.weight === undefined ? '' : ` weight ${u.weight}`}`).join(', ');
    lines.push(`  ${watched.configured ? style.ok('configured    ') : style.bad('not configured')} ${watched.type}${watched.configured ? ` as ${watched.names.join(', ')}${uses ? ` (in ${uses})` : ' (in no profile)'}` : ''}`);
  }
  for (const profile of scoring.profiles) {
    lines.push(`  profile ${profile.name}: ${profile.plugins.map((p) => `${p.ref}${p.type && p.type !== p.ref ? ` (${p.type})` : ''}${p.weight === undefined ? '' : `×${p.weight}`}`).join(', ')}`);
  }
  lines.push(`candidate pods: ${pods.length === 0 ? 'none' : ''}`);
  for (const pod of pods) lines.push(`  ${pod.name}  ${pod.ip ?? '-'}  ${pod.phase ?? '-'}${pod.ready ? '  ready' : '  not ready'}`);
  return lines;
}

export function renderInspect(result: InspectResult, style: Style): Rendered {
  return { stdout: scoringLines(result.scoring, result.pods, style).join('\n') + '\n', stderr: foundLine(result) + warningLines(result.warnings, style) };
}

/** What deploy found, shown before it changes anything. */
export function renderPlan(plan: DeployPlan, style: Style): Rendered {
  const lines = scoringLines(plan.scoring, plan.pods, style);
  return { stdout: lines.length ? lines.join('\n') + '\n' : '', stderr: foundLine(plan) + warningLines(plan.warnings, style) };
}

/** The outcome; with `planShown`, the report and warnings renderPlan printed before are not repeated. */
export function renderDeploy(result: DeployResult, style: Style, { planShown = false } = {}): Rendered {
  const s = result.settings;
  const what = s.target === 'schedulerinstall' ? `schedulerinstall/${s.schedulerInstall}` : `deployment/${s.deployment}`;
  const lines = planShown ? [] : [...scoringLines(result.scoring, result.pods, style)];
  if (result.status === 'planned') {
    lines.push(`dry run: would ${result.command} ${what} in ${s.namespace} to ${result.image}${result.restarted ? ' (already in place: new pods, as rollout restart)' : ''}; the changes:`);
    for (const step of result.steps) lines.push(`  ${step.change ? 'change' : 'then  '}  ${step.command}`);
  } else if (result.command === 'deploy' && result.restarted) {
    lines.push(
      style.ok(`redeployed ${result.image}`) +
        ` to deployment/${s.deployment} (via ${what}, namespace ${s.namespace}): the image was already in place, so new pods were rolled out (as \`kubectl rollout restart\`); \`instrument rollback\` restores ${result.previousImage ?? 'an unknown image'}`,
    );
  } else if (result.command === 'deploy') {
    lines.push(style.ok(`deployed ${result.image}`) + ` to deployment/${s.deployment} (via ${what}, namespace ${s.namespace}); it replaced ${result.previousImage ?? 'an unknown image'}, which \`instrument rollback\` restores`);
  } else {
    lines.push(style.ok(`rolled back deployment/${s.deployment} to ${result.image}`) + ` (via ${what}, namespace ${s.namespace})`);
  }
  return { stdout: lines.join('\n') + '\n', stderr: planShown ? '' : foundLine(result) + warningLines(result.warnings, style) };
}
