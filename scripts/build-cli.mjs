// The first step of `npm run build`: bundles the command line into dist/cli/ (rolldown.config.mjs)
// and says so in one line. Rolldown's own command line lists every chunk with its size, in colour
// even into a file; this prints only what goes wrong, as plain text, and a summary.
import { readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { build } from 'rolldown';
import config from '../rolldown.config.mjs';

const repo = new URL('..', import.meta.url).pathname;
const out = join(repo, 'dist', 'cli');

function print(level, log) {
  const where = log.id ? ` (${log.id.startsWith(repo) ? log.id.slice(repo.length) : log.id})` : '';
  const text = `${level}: ${log.code ? `[${log.code}] ` : ''}${log.message}${where}`;
  if (level === 'error') throw new Error(text);
  process.stderr.write(`${process.stderr.isTTY ? text : stripVTControlCharacters(text)}\n`);
}

rmSync(join(repo, 'dist'), { recursive: true, force: true });
const filter = config.onLog;
await build({
  ...config,
  cwd: repo,
  onLog: (level, log) => (filter ? filter(level, log, print) : print(level, log)),
});
const files = readdirSync(out);
const bytes = files.reduce((sum, name) => sum + statSync(join(out, name)).size, 0);
const chunks = files.filter((name) => name.endsWith('.cjs')).length;
const others = files.filter((name) => !name.endsWith('.cjs'));
console.log(`dist/cli: ${chunks} chunks${others.length > 0 ? `, ${others.join(', ')}` : ''}; ${Math.round(bytes / 1024)} KiB`);
