// Reading raw values: each concern's parser asks the reader for a key as a string, a list, a map or
// one of a set, and the reader records every problem so that one run reports them all.
import { ConfigKey, PROJECT, RawConfig } from "./keys";

/**
 * Reads raw values and records what is wrong with them. A reader method that records a problem
 * returns a placeholder of the right type; parseConfig throws before any placeholder is used.
 */
export class ConfigReader {
    constructor(
        private readonly raw: RawConfig,
        private readonly problems: string[],
    ) {}

    qualified(key: ConfigKey): string {
        return `${PROJECT}:${key}`;
    }

    problem(key: ConfigKey, message: string): void {
        this.problems.push(`${this.qualified(key)}: ${message}`);
    }

    hasProblem(key: ConfigKey): boolean {
        return this.problems.some((problem) => problem.startsWith(`${this.qualified(key)}: `));
    }

    /** A problem with a key of another namespace (e.g. `aws:assumeRoles`). */
    otherKeyProblem(key: string, message: string): void {
        this.problems.push(`${key}: ${message}`);
    }

    /** A problem with the stack's name, from which names in AWS are derived. */
    stackProblem(stack: string, message: string): void {
        this.problems.push(`the stack name ${JSON.stringify(stack)}: ${message}`);
    }

    /** Runs a value rule; a problem is reported with the key and the bad value. */
    check(key: ConfigKey, value: string, rule: (value: string) => string | undefined): string {
        const problem = rule(value);
        if (problem !== undefined)
            this.problem(key, `${JSON.stringify(value)} is ${problem.startsWith("accepted") ? "invalid; " : ""}${problem}`);
        return value;
    }

    checkEach(key: ConfigKey, values: string[], rule: (value: string) => string | undefined): string[] {
        for (const value of values) this.check(key, value, rule);
        return values;
    }

    string(key: ConfigKey, options: { optional?: boolean } = {}): string {
        const value = this.raw[key];
        if (value === undefined || (value === "" && !options.optional)) {
            if (!options.optional) this.problem(key, "is missing; set it with `pulumi config set`");
            return "";
        }
        return value;
    }

    oneOf<T extends string>(key: ConfigKey, accepted: readonly T[]): T {
        const value = this.raw[key];
        if (value !== undefined && (accepted as readonly string[]).includes(value)) return value as T;
        const shown = value === undefined ? "is missing" : `${JSON.stringify(value)} is not accepted`;
        this.problem(key, `${shown}; accepted: ${accepted.map((item) => JSON.stringify(item)).join(" or ")}`);
        return accepted[0];
    }

    isOneOf<T extends string>(key: ConfigKey, accepted: readonly T[]): boolean {
        return (accepted as readonly (string | undefined)[]).includes(this.raw[key]);
    }

    boolean(key: ConfigKey): boolean {
        const value = this.raw[key];
        if (value === "true" || value === "false") return value === "true";
        this.problem(key, `${JSON.stringify(value)} is not accepted; accepted: true or false`);
        return false;
    }

    integer(key: ConfigKey, bounds: { min: number; max: number }): number {
        const value = this.raw[key];
        const number = value === undefined || value.trim() === "" ? NaN : Number(value);
        if (!Number.isInteger(number) || number < bounds.min || number > bounds.max) {
            this.problem(key, `${JSON.stringify(value)} is invalid; accepted: a whole number from ${bounds.min} to ${bounds.max}`);
            return bounds.min;
        }
        return number;
    }

    stringList(key: ConfigKey, options: { nonEmpty?: boolean } = {}): string[] {
        const value = this.raw[key] ?? "[]";
        const parsed = parseJson(value);
        if (!Array.isArray(parsed) || parsed.some((item) => typeof item !== "string")) {
            this.problem(key, `${value} is invalid; accepted: a list of strings, e.g. ["a", "b"]`);
            return [];
        }
        if (options.nonEmpty && parsed.length === 0) {
            this.problem(key, "is an empty list; accepted: a list with at least one entry");
        }
        return parsed;
    }

    /** A map; its fields are checked by the caller, which names what is accepted. */
    object(key: ConfigKey): Record<string, unknown> {
        const parsed = parseJson(this.raw[key] ?? "{}");
        return parsed !== null && typeof parsed === "object" && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {};
    }
}

/** Structured config arrives as JSON; a plain string where a list or map belongs parses to undefined. */
export function parseJson(value: string): unknown {
    try {
        return JSON.parse(value);
    } catch {
        return undefined;
    }
}
