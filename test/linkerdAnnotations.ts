// How Linkerd's policy controller (linkerd2 edge-26.8.3) reads the annotations the program sets for
// failover, restated from its source so that tests can hold the program's values to it. The controller
// only logs a value it cannot parse: on a Service it then drops that setting (no failure accrual, no
// retry, no timeout), on an HTTPRoute it drops the whole route, and nothing in Kubernetes says so.
//   policy-controller/k8s/index/src/outbound/index.rs: parse_duration, parse_accrual_config,
//     parse_consecutive_params, parse_timeouts
//   policy-controller/k8s/index/src/outbound/index/http.rs: parse_http_retry

export type Annotations = Record<string, string>;

/** Rust's `str::parse` for unsigned integers: digits, an optional leading '+', no spaces, in range. */
function parseUnsigned(value: string, max: number): number {
    if (!/^\+?\d+$/.test(value)) throw new Error(`invalid digit in ${JSON.stringify(value)}`);
    const number = Number(value);
    if (number > max) throw new Error(`number too large: ${value}`);
    return number;
}

/** Rust's `str::parse::<f32>` for plain decimal notation (what an annotation would hold). */
function parseFloat32(value: string): number {
    if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(value)) throw new Error(`invalid float literal ${JSON.stringify(value)}`);
    return Number(value);
}

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `parse_duration`: a whole number and a unit (ms, s, m, h, d), or a bare 0; in milliseconds. */
export function parseDuration(raw: string): number {
    const value = raw.trim();
    if (value.startsWith("-")) throw new Error(`duration value cannot be negative: '${value}'`);
    const lastDigit = value.search(/\d(?!.*\d)/);
    if (lastDigit < 0) throw new Error(`${value} does not contain a timeout duration value`);
    const magnitudeText = value.slice(0, lastDigit + 1);
    const unit = value.slice(lastDigit + 1);
    if (magnitudeText.includes(".")) throw new Error("fractional values not supported");
    const magnitude = parseUnsigned(magnitudeText, Number.MAX_SAFE_INTEGER);
    if (unit === "" && magnitude === 0) return 0;
    if (unit === "") throw new Error(`missing duration unit; did you mean '${magnitude}s' or '${magnitude}ms'?`);
    const multiplier = UNIT_MS[unit];
    if (multiplier === undefined) throw new Error(`invalid duration unit ${unit} (expected one of 'ms', 's', 'm', 'h', or 'd')`);
    return magnitude * multiplier;
}

export interface ConsecutiveFailureAccrual {
    maxFailures: number;
    minPenaltyMs: number;
    maxPenaltyMs: number;
    jitterRatio: number;
}

/** `parse_accrual_config` for mode `consecutive` (`parse_consecutive_params`); undefined without a mode. */
export function parseConsecutiveAccrual(annotations: Annotations): ConsecutiveFailureAccrual | undefined {
    const mode = annotations["balancer.linkerd.io/failure-accrual"];
    if (mode === undefined) return undefined;
    if (mode !== "consecutive") throw new Error(`not consecutive failure accrual: ${mode}`);
    const read = <T>(suffix: string, parse: (value: string) => T, fallback: T): T => {
        const value = annotations[`balancer.linkerd.io/failure-accrual-consecutive-${suffix}`];
        return value === undefined ? fallback : parse(value);
    };
    const accrual = {
        maxFailures: read("max-failures", (value) => parseUnsigned(value.trim(), 2 ** 32 - 1), 7),
        maxPenaltyMs: read("max-penalty", parseDuration, 60_000),
        minPenaltyMs: read("min-penalty", parseDuration, 1_000),
        jitterRatio: read("jitter-ratio", (value) => parseFloat32(value.trim()), 0.5),
    };
    if (accrual.minPenaltyMs > accrual.maxPenaltyMs) throw new Error("min_penalty cannot exceed max_penalty");
    if (accrual.maxPenaltyMs <= 0) throw new Error("max_penalty cannot be zero");
    if (accrual.jitterRatio < 0 || accrual.jitterRatio > 100) throw new Error("jitter out of range");
    return accrual;
}

export interface HttpRetry {
    limit: number;
    timeoutMs?: number;
    /** Status ranges retried, [min, max]. */
    conditions?: [number, number][];
}

/** `parse_http_retry`: undefined when none of the retry annotations is set (or all are 0). */
export function parseHttpRetry(annotations: Annotations): HttpRetry | undefined {
    const limitText = annotations["retry.linkerd.io/limit"];
    const limit = limitText === undefined ? undefined : parseUnsigned(limitText, 65_535) || undefined;
    const timeoutText = annotations["retry.linkerd.io/timeout"];
    const timeoutMs = timeoutText === undefined ? undefined : parseDuration(timeoutText) || undefined;
    const code = (value: string): number | undefined => {
        if (!/^\+?\d+$/.test(value)) return undefined;
        const number = Number(value);
        return number >= 100 && number < 600 ? number : undefined;
    };
    const conditionsText = annotations["retry.linkerd.io/http"];
    const conditions = conditionsText?.split(",").map((condition): [number, number] => {
        if (condition.toLowerCase() === "5xx") return [500, 599];
        if (condition.toLowerCase() === "gateway-error") return [502, 504];
        const single = code(condition);
        if (single !== undefined) return [single, single];
        const dash = condition.indexOf("-");
        if (dash >= 0) {
            const [start, end] = [code(condition.slice(0, dash)), code(condition.slice(dash + 1))];
            if (start !== undefined && end !== undefined && start <= end) return [start, end];
        }
        throw new Error(`invalid retry condition: ${conditionsText}`);
    });
    if (limit === undefined && timeoutMs === undefined && conditions === undefined) return undefined;
    return { limit: limit ?? 1, timeoutMs, conditions };
}

/** `parse_timeouts`: timeout.linkerd.io/request, response and idle, in milliseconds. */
export function parseTimeouts(annotations: Annotations): { requestMs?: number; responseMs?: number; idleMs?: number } {
    const read = (name: string) =>
        annotations[`timeout.linkerd.io/${name}`] === undefined ? undefined : parseDuration(annotations[`timeout.linkerd.io/${name}`]);
    return { requestMs: read("request"), responseMs: read("response"), idleMs: read("idle") };
}
