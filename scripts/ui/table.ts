// Tables for the operator: rows under headers, and the summary of a set of checks.
import type { CheckResult, CheckStatus } from "../checks/framework";

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
