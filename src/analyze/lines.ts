import type { Readable } from 'node:stream';

/** Whole lines: `text` is `bytes` read as Latin-1, so that an index into one is an offset into the other. */
export interface LineBlock {
  readonly text: string;
  readonly bytes: Buffer;
}

/**
 * A stream as blocks of whole lines (the last block may end without a line ending), holding no
 * more than one chunk and one partial line. `text` is the bytes read as Latin-1, one char per byte:
 * that decoding is a copy, where UTF-8 decoding of every byte of a large log is the slowest step.
 * The lines that matter are decoded from `bytes` on their own: fresh strings that do not keep the
 * block alive (a substring of `text` would, for as long as its request stays open).
 */
export async function* readLineBlocks(stream: Readable): AsyncGenerator<LineBlock> {
  // The partial line at the end of a chunk waits as bytes; each block's text is decoded straight
  // from its chunk (joining strings first would make V8 copy every block once more).
  let carry: Buffer | undefined;
  const block = (bytes: Buffer): LineBlock => ({ text: bytes.toString('latin1'), bytes });
  for await (const data of stream as AsyncIterable<Buffer | string>) {
    const chunk = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    const last = chunk.lastIndexOf(10);
    if (last === -1) {
      carry = carry ? Buffer.concat([carry, chunk]) : chunk;
      continue;
    }
    let from = 0;
    if (carry) {
      const first = chunk.indexOf(10);
      yield block(Buffer.concat([carry, chunk.subarray(0, first + 1)]));
      from = first + 1;
      carry = undefined;
    }
    if (from <= last) yield block(chunk.subarray(from, last + 1));
    if (last + 1 < chunk.length) carry = Buffer.from(chunk.subarray(last + 1));
  }
  if (carry) yield block(carry);
}

/** The lines of a stream, one at a time, decoded as UTF-8. */
export async function* readLines(stream: Readable): AsyncGenerator<string> {
  for await (const { bytes } of readLineBlocks(stream)) {
    const lines = bytes.toString('utf8').split('\n');
    if (lines.at(-1) === '') lines.pop();
    yield* lines;
  }
}
