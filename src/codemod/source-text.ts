import { createHash } from 'node:crypto';

const BOM = '\uFEFF';

/** A text file as the engine edits it: BOM removed, line ending remembered. */
export interface SourceText {
  readonly text: string;
  readonly bom: boolean;
  /** The line ending inserted lines use: the file's own. */
  readonly eol: '\n' | '\r\n';
}

/**
 * Decodes a file for editing. Returns undefined when the bytes are not valid UTF-8 (re-encoding
 * would then change bytes we never meant to touch, so such a file is left alone).
 */
export function decodeSource(bytes: Uint8Array): SourceText | undefined {
  const decoded = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true }).decode(bytes);
  if (!Buffer.from(decoded, 'utf8').equals(Buffer.from(bytes))) return undefined;
  const bom = decoded.startsWith(BOM);
  const text = bom ? decoded.slice(1) : decoded;
  const crlf = (text.match(/\r\n/g) ?? []).length;
  const lf = (text.match(/\n/g) ?? []).length;
  return { text, bom, eol: crlf > 0 && crlf * 2 >= lf ? '\r\n' : '\n' };
}

export function encodeSource(source: SourceText, text: string): Buffer {
  return Buffer.from((source.bom ? BOM : '') + text, 'utf8');
}

export function sha256(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Offset of the start of the line holding `offset`. */
export function lineStart(text: string, offset: number): number {
  return text.lastIndexOf('\n', offset - 1) + 1;
}

/** Offset just past the line ending of the line holding `offset` (or the end of the text). */
export function nextLineStart(text: string, offset: number): number {
  const nl = text.indexOf('\n', offset);
  return nl === -1 ? text.length : nl + 1;
}

/** The leading blanks of the line holding `offset`. */
export function indentationAt(text: string, offset: number): string {
  const start = lineStart(text, offset);
  return /^[ \t]*/.exec(text.slice(start))![0];
}
