// A bounded pool: edge stacks (and status reads) run a few at a time, each on its own, the next one
// starting as soon as one ends. A task that throws does not stop the others: the pool throws only
// once every task has ended (the flows' tasks return their expected failures as values).

/** How many edge stacks run at once unless --parallel says otherwise. */
export const DEFAULT_PARALLEL = 4;

/**
 * Runs `task` on every item, at most `limit` at once, starting them in the items' order; resolves to
 * each task's value in the items' order, or, once all have ended, rejects with the first to throw.
 */
export async function runPool<T, R>(items: readonly T[], limit: number, task: (item: T) => Promise<R>): Promise<R[]> {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`a pool runs a whole number of 1 or more tasks at once, not ${limit}`);
    const values: R[] = new Array(items.length);
    const thrown: unknown[] = [];
    let next = 0;
    const worker = async () => {
        while (next < items.length) {
            const index = next++;
            try {
                values[index] = await task(items[index]);
            } catch (error) {
                thrown.push(error);
            }
        }
    };
    await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
    if (thrown.length > 0) throw thrown[0];
    return values;
}
