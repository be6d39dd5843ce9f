// Small text helpers for editing Go sources in the drift mutations. They know just enough Go to
// find a function's body (braces outside strings, runes and comments) and to rename within it.

/** A mutation whose anchor is not in this shape's source: the case is not counted. */
export class NotApplicable extends Error {}

/** Index just past the brace that closes the one at `open`, skipping strings, runes and comments. */
export function matchBrace(src, open) {
  let depth = 0;
  for (let i = open; i < src.length; i++) {
    const c = src[i];
    if (c === '/' && src[i + 1] === '/') i = src.indexOf('\n', i);
    else if (c === '/' && src[i + 1] === '*') i = src.indexOf('*/', i) + 1;
    else if (c === '"' || c === "'") {
      for (i++; src[i] !== c; i++) if (src[i] === '\\') i++;
    } else if (c === '`') i = src.indexOf('`', i + 1);
    else if (c === '{') depth++;
    else if (c === '}' && --depth === 0) return i + 1;
    if (i < 0) break;
  }
  throw new Error(`unbalanced brace at ${open}`);
}

/** Where `func (<recv>) name(` or `func name(` is declared: [start of the declaration, end of its body). */
export function funcRange(src, name) {
  const m = new RegExp(`^func (\\([^)]*\\) )?${name}\\(`, 'm').exec(src);
  if (!m) throw new NotApplicable(`no func ${name}`);
  // the body's brace is the first { after the parameter and result lists close
  let i = m.index + m[0].length;
  for (let depth = 1; depth > 0; i++) {
    if (src[i] === '(') depth++;
    else if (src[i] === ')') depth--;
  }
  const open = src.indexOf('{\n', i);
  return [m.index, matchBrace(src, open)];
}

/** Rewrites the declaration of func `name` (signature and body) with `edit`. */
export function inFunc(src, name, edit) {
  const [start, end] = funcRange(src, name);
  return src.slice(0, start) + edit(src.slice(start, end)) + src.slice(end);
}

/** Replaces the first match of `pattern`; a pattern that matches nothing makes the kind not applicable here. */
export function replaceOnce(text, pattern, replacement) {
  const re = typeof pattern === 'string' ? new RegExp(escape(pattern)) : pattern;
  if (!re.test(text)) throw new NotApplicable(`no match for ${re}`);
  return text.replace(re, replacement);
}

/** Replaces every match (the pattern must match at least once). */
export function replaceAll(text, pattern, replacement) {
  const re = typeof pattern === 'string' ? new RegExp(escape(pattern), 'g') : new RegExp(pattern.source, pattern.flags.includes('g') ? pattern.flags : pattern.flags + 'g');
  if (!re.test(text)) throw new NotApplicable(`no match for ${re}`);
  re.lastIndex = 0;
  return text.replace(re, replacement);
}

/** Renames an identifier wherever it stands as a whole word (and not after a dot). */
export function rename(text, from, to) {
  return replaceAll(text, new RegExp(`(?<![.\\w])${escape(from)}(?!\\w)`, 'g'), to);
}

/** The first capture of `pattern` in `text`. */
export function capture(text, pattern, what) {
  const m = pattern.exec(text);
  if (!m) throw new NotApplicable(`cannot find ${what}`);
  return m[1];
}

/** Removes the declaration of func `name` and returns [rest of the source, the declaration]. */
export function cutFunc(src, name) {
  const [start, end] = funcRange(src, name);
  return [src.slice(0, start) + src.slice(end).replace(/^\n+/, '\n'), src.slice(start, end)];
}

/** Adds `code` at the end of the file. */
export function append(src, code) {
  return src.replace(/\n*$/, '\n\n') + code.trim() + '\n';
}

/** The 1-based line of offset `index`. */
export function lineAt(text, index) {
  return text.slice(0, index).split('\n').length;
}

function escape(s) {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
