// The one kind of failure an operator sees: what went wrong, and what to do about it. The entry prints
// `error: <message>` and the hint, and exits with the code; anything else is a bug and shows its stack.

export class OperatorError extends Error {
    constructor(
        message: string,
        /** What to do next: a command, a setting, an install line; shown under the message. */
        readonly hint?: string,
        /** 1 for a failed run, 2 for a command line the commands do not accept. */
        readonly exitCode: 1 | 2 = 1,
    ) {
        super(message);
        this.name = "OperatorError";
    }
}
