/**
 * Reads the first batch of a ledger before the response starts: a query the database refuses (a NUL byte in
 * `q`) then fails as a clear 4xx instead of cutting a streamed workbook off half-way.
 */
export async function prefetch<T>(batches: AsyncIterable<T[]>): Promise<AsyncIterable<T[]>> {
  const iterator = batches[Symbol.asyncIterator]();
  const first = await iterator.next();
  return (async function* () {
    if (first.done) return;
    yield first.value;
    for (;;) {
      const next = await iterator.next();
      if (next.done) return;
      yield next.value;
    }
  })();
}
