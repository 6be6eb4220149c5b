// The bounded pool the edge stacks (and status reads) run in: never more than the bound at once, the
// next task as soon as one ends, in the items' order, every task run whatever the others did.
import { describe, expect, it } from "vitest";
import { runPool } from "../scripts/flows/pool";

/** A task whose end the test decides: it records when it ran, and waits until released. */
function controlled() {
    const log: string[] = [];
    const waiting = new Map<number, { resolve: (value: string) => void; reject: (error: Error) => void }>();
    let running = 0;
    let most = 0;
    const task = (item: number) =>
        new Promise<string>((resolve, reject) => {
            running++;
            most = Math.max(most, running);
            log.push(`start ${item}`);
            waiting.set(item, {
                resolve: (value) => {
                    running--;
                    log.push(`end ${item}`);
                    resolve(value);
                },
                reject: (error) => {
                    running--;
                    log.push(`fail ${item}`);
                    reject(error);
                },
            });
        });
    /** Lets the promise machinery run until every task that can start has started. */
    const settle = () => new Promise((resolve) => setImmediate(resolve));
    return { task, log, waiting, settle, most: () => most };
}

describe("the pool", () => {
    it("runs at most `limit` tasks at once, starting the next, in order, as soon as one ends; values come back in the items' order", async () => {
        const { task, log, waiting, settle, most } = controlled();
        const done = runPool([1, 2, 3, 4, 5], 2, task);
        await settle();
        expect(log).toEqual(["start 1", "start 2"]);
        waiting.get(2)!.resolve("two");
        await settle();
        expect(log).toEqual(["start 1", "start 2", "end 2", "start 3"]);
        for (const item of [1, 3]) waiting.get(item)!.resolve(String(item));
        await settle();
        expect(log.slice(-2)).toEqual(["start 4", "start 5"]);
        for (const item of [5, 4]) waiting.get(item)!.resolve(String(item));
        expect(await done).toEqual(["1", "two", "3", "4", "5"]);
        expect(most()).toBe(2);
    });

    it("a task that throws stops no other: the rest run, and the pool rejects with the first error once all have ended", async () => {
        const { task, log, waiting, settle } = controlled();
        const done = runPool([1, 2, 3], 1, task);
        await settle();
        waiting.get(1)!.reject(new Error("first"));
        await settle();
        waiting.get(2)!.reject(new Error("second"));
        await settle();
        expect(log).toEqual(["start 1", "fail 1", "start 2", "fail 2", "start 3"]);
        let ended = false;
        done.catch(() => (ended = true));
        await settle();
        expect(ended).toBe(false);
        waiting.get(3)!.resolve("3");
        await expect(done).rejects.toThrow("first");
    });

    it("a task that throws before its first await is caught the same way", async () => {
        const ran: number[] = [];
        const done = runPool([1, 2], 4, (item) => {
            ran.push(item);
            if (item === 1) throw new Error("at once");
            return Promise.resolve(item);
        });
        await expect(done).rejects.toThrow("at once");
        expect(ran).toEqual([1, 2]);
    });

    it("a bound above the count runs them all at once; no items, no tasks", async () => {
        const { task, log, waiting, settle, most } = controlled();
        const done = runPool([1, 2, 3], 10, task);
        await settle();
        expect(log).toEqual(["start 1", "start 2", "start 3"]);
        for (const item of [1, 2, 3]) waiting.get(item)!.resolve(String(item));
        await done;
        expect(most()).toBe(3);
        expect(await runPool([], 3, task)).toEqual([]);
    });

    it("takes only a whole number of 1 or more", async () => {
        for (const limit of [0, -1, 1.5, Number.NaN]) {
            await expect(runPool([1], limit, async () => 1)).rejects.toThrow(RangeError);
        }
    });
});
