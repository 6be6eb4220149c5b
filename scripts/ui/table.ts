// Tables for the operator: rows under headers, the summary of a set of checks, of a run over many
// sites, and npm run status.
import type { CheckResult, CheckStatus } from "../checks/framework";
import type { SiteOutcome, StackStatus } from "../events";

/** Rows under headers, each column as wide as its widest cell, two spaces apart. */
export function renderTable(headers: string[], rows: string[][]): string {
    const widths = headers.map((header, column) => Math.max(header.length, ...rows.map((row) => (row[column] ?? "").length)));
    const line = (cells: string[]) =>
        cells
            .map((cell, column) => cell.padEnd(widths[column]))
            .join("  ")
            .trimEnd();
    return [headers, ...rows].map(line).join("\n") + "\n";
}

const STATUS: Record<CheckStatus, string> = { passed: "ok", failed: "FAIL", warned: "warn", skipped: "skip", retrying: "wait" };

/** The checks under their title, what failed or warned with its problem, then the hints of those. */
export function renderChecks(title: string, results: CheckResult[]): string {
    const table = renderTable(
        ["", "CHECK", "PROBLEM"],
        results.map((result) => [STATUS[result.status], result.description, result.problem ?? ""]),
    );
    const hinted = results.filter((result) => result.hint !== undefined);
    const hints =
        hinted.length === 0 ? "" : `\nWhat to do:\n${hinted.map((result) => `  ${result.description}: ${result.hint}\n`).join("")}`;
    return `\n${title}\n${table}${hints}`;
}

/** A duration as a person reads it: 42s, 3m07s. */
export function duration(ms: number): string {
    const seconds = Math.floor(ms / 1000);
    return seconds < 60 ? `${seconds}s` : `${Math.floor(seconds / 60)}m${String(seconds % 60).padStart(2, "0")}s`;
}

/** The cloud stack's row is named so in the SITE column. */
const CLOUD_ROW = "(cloud)";

const RESULT: Record<SiteOutcome["result"], string> = { ok: "ok", failed: "FAILED", passed: "passed", kept: "kept" };

/** Each stack's outcome under the run's title and counts, then every error line of the stacks that failed. */
export function renderSites(title: string, outcomes: SiteOutcome[]): string {
    const counts = (Object.keys(RESULT) as SiteOutcome["result"][])
        .map((result) => [result, outcomes.filter((outcome) => outcome.result === result).length] as const)
        .filter(([, count]) => count > 0)
        .map(([result, count]) => `${count} ${result}`)
        .join(", ");
    const table = renderTable(
        ["SITE", "STACK", "RESULT", "TIME", "ERROR"],
        outcomes.map((outcome) => [
            outcome.site ?? CLOUD_ROW,
            outcome.stack,
            RESULT[outcome.result],
            outcome.durationMs === undefined ? "-" : duration(outcome.durationMs),
            outcome.errors?.[0] ?? "",
        ]),
    );
    const failed = outcomes.filter((outcome) => outcome.result === "failed" && (outcome.errors?.length ?? 0) > 1);
    const details = failed.map((outcome) => `\n${outcome.stack}:\n${outcome.errors!.map((line) => `  ${line}\n`).join("")}`);
    return `\n${title}: ${counts}\n${table}${details.join("")}`;
}

/** A moment in UTC to the second: 2026-12-01 10:00:00Z. */
function moment(time: Date): string {
    return time
        .toISOString()
        .replace("T", " ")
        .replace(/\.\d+Z$/, "Z");
}

function gatewayCell(gateway: StackStatus["gateway"]): string {
    if (gateway === undefined) return "-";
    const state = gateway.state === "alive" ? "alive" : gateway.state.toUpperCase();
    return gateway.detail ? `${state} (${gateway.detail})` : state;
}

/** npm run status: one row per stack, the cloud's first; the gateway column with --live. */
export function renderStatus(stacks: StackStatus[], live: boolean): string {
    const headers = ["SITE", "STACK", "EXISTS", "LAST UPDATE", "RESULT", "RESOURCES", ...(live ? ["GATEWAY"] : []), "PROBLEM"];
    const rows = stacks.map((status) => [
        status.site ?? CLOUD_ROW,
        status.stack,
        status.exists === undefined ? "?" : status.exists ? "yes" : "NO",
        status.lastUpdate === undefined ? "-" : moment(status.lastUpdate.time),
        status.lastUpdate === undefined ? "-" : `${status.lastUpdate.kind} ${status.lastUpdate.result}`,
        status.resources === undefined ? "-" : String(status.resources),
        ...(live ? [status.site === undefined ? "-" : gatewayCell(status.gateway)] : []),
        status.problem ?? "",
    ]);
    return `\n${renderTable(headers, rows)}`;
}
