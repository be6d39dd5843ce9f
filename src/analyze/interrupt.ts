/**
 * The items of `source` until `signal` aborts (Ctrl-C or SIGTERM on a followed log): then the
 * iteration simply ends, so that what was read is analyzed and summarized as at a normal end. A
 * read still waiting (on a pipe that stays open) is left behind; the command exits after its summary.
 */
export async function* untilAborted<T>(source: AsyncIterable<T>, signal: AbortSignal | undefined): AsyncGenerator<T> {
  if (signal === undefined) {
    yield* source;
    return;
  }
  const iterator = source[Symbol.asyncIterator]();
  const aborted = new Promise<'aborted'>((done) => {
    if (signal.aborted) done('aborted');
    else signal.addEventListener('abort', () => done('aborted'), { once: true });
  });
  for (;;) {
    const next = await Promise.race([iterator.next(), aborted]);
    if (next === 'aborted' || next.done) return;
    yield next.value;
  }
}
