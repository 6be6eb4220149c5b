// Output as it comes, handed back in whole lines per source (a subject, or one stream of it), so that
// the lines of programs running side by side never mix within a line.

export function lineBuffer() {
    const partial = new Map<string, string>();
    return {
        /** The whole lines `text` completes for `source`, without their newlines; the rest of a line waits for its end. */
        lines(source: string, text: string): string[] {
            const buffered = (partial.get(source) ?? "") + text;
            const end = buffered.lastIndexOf("\n");
            partial.set(source, buffered.slice(end + 1));
            return end < 0 ? [] : buffered.slice(0, end).split("\n");
        },
        /** What is left of the source's last line (its program ended without a newline), then forgotten. */
        rest(source: string): string[] {
            const rest = partial.get(source);
            partial.delete(source);
            return rest ? [rest] : [];
        },
    };
}

/** Lines as text, each with the prefix and a newline. */
export function withPrefix(prefix: string, lines: string[]): string {
    return lines.map((line) => `${prefix}${line}\n`).join("");
}
