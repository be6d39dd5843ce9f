import { lstatSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join, relative } from 'node:path';
import { sha256 } from '../codemod/source-text.ts';

/** Every file under `dir` (links as their target text) → sha256 and mode: what "byte-identical" compares. */
export function snapshot(dir: string): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (d: string) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const path = join(d, entry.name);
      if (entry.isDirectory()) walk(path);
      else {
        const content = entry.isSymbolicLink() ? readlinkSync(path) : readFileSync(path);
        files.set(relative(dir, path), `${sha256(content)} ${(lstatSync(path).mode & 0o7777).toString(8)}`);
      }
    }
  };
  walk(dir);
  return files;
}

/** Paths whose content or mode differ, or that exist on one side only. */
export function differences(before: ReadonlyMap<string, string>, after: ReadonlyMap<string, string>): string[] {
  const paths = new Set([...before.keys(), ...after.keys()]);
  return [...paths].filter((p) => before.get(p) !== after.get(p)).sort();
}
