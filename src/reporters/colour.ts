import { createColors } from 'picocolors';
import { plainStyle, type Style } from './text.ts';

export type ColourWhen = 'auto' | 'always' | 'never';

/**
 * Whether to colour the output. `--color always|never` wins; with `auto` (the default), a
 * non-empty FORCE_COLOR forces colour whatever its value (force-color.org), then a non-empty
 * NO_COLOR turns it off (no-color.org: an empty one counts as unset), then TERM=dumb does; else
 * colour when stdout is a terminal. FORCE_COLOR, the more deliberate of the two, wins over NO_COLOR
 * as it does for Node itself.
 */
export function colourWanted(when: ColourWhen, env: Readonly<Record<string, string | undefined>>, stdoutIsTerminal: boolean): boolean {
  if (when === 'always') return true;
  if (when === 'never') return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '') return true;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.TERM === 'dumb') return false;
  return stdoutIsTerminal;
}

/** The reporters' colour functions, picocolors' when colour is wanted. */
export function colourStyle(enabled: boolean): Style {
  if (!enabled) return plainStyle;
  const c = createColors(true);
  return { ok: c.green, bad: c.red, warn: c.yellow, dim: c.dim, bold: c.bold, info: c.cyan };
}
