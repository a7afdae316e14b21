/**
 * Keyset batches whose first batch is read before the response starts: a query the database refuses
 * (a NUL byte in the search words, SQLSTATE 22021) then answers 400 through the error handler instead of
 * breaking a half-sent Excel stream.
 */
export async function eagerKeysetBatches<T extends { id: number }>(fetch: (afterId: number, size: number) => Promise<T[]>, size = 2000): Promise<AsyncIterable<T[]>> {
  const first = await fetch(0, size);
  return (async function* () {
    let batch = first;
    for (;;) {
      if (batch.length === 0) return;
      yield batch;
      if (batch.length < size) return;
      batch = await fetch(batch[batch.length - 1].id, size);
    }
  })();
}
