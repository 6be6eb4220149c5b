// npm run check:eks-versions, the judgement: components/eksVersions.ts against what EKS offers now, one
// row per date and add-on pin. Pure: aws/eksOffer.ts reads EKS, cli/eksVersions.ts prints.
import { type EksVersion, isoDay } from "../../components/eksVersions";
import { EKS_ADDON_NAMES, EksOffer } from "../aws/eksOffer";

/**
 * `not offered`: the pin cannot be deployed (the command fails). `newer`: a newer build or a newer
 * Kubernetes version exists. `differs`: EKS gives another support date. `retired`: the table's own
 * end of extended support has passed, so config refuses the version and EKS need not list it.
 */
export type Verdict = "ok" | "not offered" | "newer" | "differs" | "retired";

export interface ReportRow {
    kubernetesVersion: string;
    item: string;
    table: string;
    eks: string;
    verdict: Verdict;
}

/** `v1.13.2-eksbuild.4` as numbers, to order builds; undefined for another form. */
function buildNumbers(build: string): number[] | undefined {
    const match = /^v(\d+)\.(\d+)\.(\d+)-eksbuild\.(\d+)$/.exec(build);
    return match === null ? undefined : match.slice(1).map(Number);
}

function newer(a: number[], b: number[]): boolean {
    const index = a.findIndex((part, position) => part !== b[position]);
    return index >= 0 && a[index] > b[index];
}

/** The newest of `builds` in the `vX.Y.Z-eksbuild.N` form, whatever order EKS lists them in. */
export function newestBuild(builds: string[]): string | undefined {
    let newest: { build: string; numbers: number[] } | undefined;
    for (const build of builds) {
        const numbers = buildNumbers(build);
        if (numbers !== undefined && (newest === undefined || newer(numbers, newest.numbers))) newest = { build, numbers };
    }
    return newest?.build;
}

function minor(version: string): number {
    return Number(version.split(".")[1]);
}

/**
 * Every row: the table's dates and pins against EKS's, and the Kubernetes versions EKS offers beyond the
 * table. A version past the table's end of extended support on `today` is one `retired` row: no stack
 * can deploy it, and whether EKS still lists it or its add-ons is nobody's concern.
 */
export function compareEksVersions(table: Readonly<Record<string, EksVersion>>, offer: EksOffer, today: Date): ReportRow[] {
    const rows: ReportRow[] = [];
    for (const [version, entry] of Object.entries(table)) {
        const listed = offer.clusterVersions.find((candidate) => candidate.version === version);
        if (isoDay(today) >= entry.endOfExtendedSupport) {
            rows.push({
                kubernetesVersion: version,
                item: "Kubernetes version",
                table: `out of extended support on ${entry.endOfExtendedSupport}`,
                eks: listed === undefined ? "not listed" : "listed",
                verdict: "retired",
            });
            continue;
        }
        const date = (item: string, ours: string, theirs: string | undefined) =>
            rows.push({
                kubernetesVersion: version,
                item,
                table: ours,
                eks: theirs ?? "not listed",
                verdict: listed === undefined ? "not offered" : theirs === ours ? "ok" : "differs",
            });
        date("end of standard support", entry.endOfStandardSupport, listed?.endOfStandardSupport);
        date("end of extended support", entry.endOfExtendedSupport, listed?.endOfExtendedSupport);
        for (const [field, addon] of Object.entries(EKS_ADDON_NAMES)) {
            const pin = entry.addons[field as keyof typeof EKS_ADDON_NAMES];
            const builds = offer.addonBuilds.find((item) => item.addon === addon && item.kubernetesVersion === version)?.builds ?? [];
            // The newest of builds that include the pin is newer than the pin unless it is the pin.
            const newest = newestBuild(builds);
            const verdict: Verdict = !builds.includes(pin) ? "not offered" : newest !== undefined && newest !== pin ? "newer" : "ok";
            rows.push({ kubernetesVersion: version, item: addon, table: pin, eks: newest ?? "none offered", verdict });
        }
    }
    const newestInTable = Math.max(...Object.keys(table).map(minor));
    for (const listed of offer.clusterVersions.filter((candidate) => minor(candidate.version) > newestInTable)) {
        rows.push({
            kubernetesVersion: listed.version,
            item: "Kubernetes version",
            table: "not in the table",
            eks: "offered",
            verdict: "newer",
        });
    }
    return rows;
}

/** The rows as an aligned table, then what to do. */
export function formatReport(rows: ReportRow[]): string {
    const header: ReportRow = { kubernetesVersion: "version", item: "item", table: "table", eks: "EKS", verdict: "ok" };
    const cells = (row: ReportRow, verdict: string) => [row.kubernetesVersion, row.item, row.table, row.eks, verdict];
    const lines = [cells(header, "verdict"), ...rows.map((row) => cells(row, row.verdict))];
    const widths = lines[0].map((_, column) => Math.max(...lines.map((line) => line[column].length)));
    const text = lines
        .map((line) =>
            line
                .map((cell, column) => cell.padEnd(widths[column]))
                .join("  ")
                .trimEnd(),
        )
        .join("\n");
    const unoffered = unofferedPins(rows);
    const retired = rows.filter((row) => row.verdict === "retired").map((row) => row.kubernetesVersion);
    const summary =
        unoffered > 0
            ? `${unoffered} pin(s) EKS no longer offers: update components/eksVersions.ts (a stack on that version would fail to create its add-ons).`
            : "Every pin is offered.";
    const cleanUp =
        retired.length > 0 ? `\n${retired.join(", ")} out of extended support: config refuses them; their rows can go from the table.` : "";
    return `${text}\n\n${summary}${cleanUp}\n`;
}

/** How many pins can no longer be deployed. */
export function unofferedPins(rows: ReportRow[]): number {
    return rows.filter((row) => row.verdict === "not offered").length;
}
