/**
 * Keyset batches whose first page is read before the response starts: a query the database refuses (a NUL
 * byte in a search word, SQLSTATE 22021) then becomes a clean 400 instead of a ledger cut off half-way.
 */
export async function checkedBatches<T extends { id: number }>(fetch: (afterId: number, size: number) => Promise<T[]>, size = 2000): Promise<AsyncIterable<T[]>> {
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
