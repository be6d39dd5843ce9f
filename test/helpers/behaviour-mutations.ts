import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TARGET_FILES, type Shape } from './fixtures.ts';

/**
 * Upstream changes, in our own words, that leave apply, build and vet green but make a point's
 * values wrong: what `check --behaviour` is for. Each is a `mutate` of an upstream-repo tree.
 */

/** Rewrites the profile file of a copied fixture; fails the test when the pattern is not there. */
export function editProfile(shape: Shape, edit: (text: string) => string): (dir: string) => void {
  return (dir) => {
    const file = join(dir, TARGET_FILES[shape].profile);
    const before = readFileSync(file, 'utf8');
    const after = edit(before);
    if (after === before) throw new Error(`the mutation does not match ${TARGET_FILES[shape].profile} of ${shape}`);
    writeFileSync(file, after);
  };
}

/**
 * The scorer's scores are halved in place through a second name for the map before they are added
 * up: apply proves what is assigned to a name, not what is written through an alias, so the line's
 * "raw" scores are not the scorer's.
 */
export const rescaledScores = (shape: Shape) =>
  editProfile(shape, (t) => t.replace(/^(\t+)for (\w+), score := range scores \{/m, '$1halved := scores\n$1for key := range halved {\n$1\thalved[key] /= 2\n$1}\n$1for $2, score := range scores {'));

/**
 * Right after a filter's result is assigned (where profile.filters records it), the tree copies the
 * unfiltered list, from its second endpoint on, over it in place: no assignment to the name, so
 * apply sees no later change.
 */
export const filterUndone = (shape: Shape) =>
  editProfile(shape, (t) => {
    const input = /func \(p \*SchedulerProfile\) runFilterPlugins\(.*, (\w+) \[\][\w.]+\)/.exec(t)?.[1];
    return t.replace(/^(\t+)(filtered\w+) = filter\.Filter\((.*)\)$/m, `$1$2 = filter.Filter($3)\n$1copy($2, ${input}[1:])`);
  });

/**
 * After the picker (where profile.picked reads the result), the tree replaces the target with the
 * first survivor through a second name for the result, which apply does not follow.
 */
export const pickReplaced = (shape: Shape) =>
  editProfile(shape, (t) => {
    const survivors = /^\t(\w+) := p\.runFilterPlugins\(/m.exec(t)?.[1];
    const field = /TargetEndpoints/.test(t) || shape === 'g15' || shape === 'lh' ? `TargetEndpoints = ${survivors}[:1]` : shape === 'g040' ? `TargetPod = ${survivors}[0]` : `TargetPods = ${survivors}[:1]`;
    return t.replace(/^(\t)(result := p\.runPickerPlugin\(.*\))$/m, `$1$2\n$1if replaced := result; replaced != nil {\n$1\treplaced.${field}\n$1}`);
  });

