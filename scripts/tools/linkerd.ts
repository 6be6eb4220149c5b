// The linkerd CLI's checks as verify runs them (edge-26.8.3), and what it reads from their JSON output
// (its gateways: tools/gateways.ts).
import { KubeFlags, kubeFlags } from "./kubectl";

/**
 * `linkerd check`: the control plane, and each extension installed on the cluster (on an edge, the
 * multicluster extension's checks, which `linkerd check` runs as `linkerd multicluster check`:
 * cli/cmd/check_extensions.go). `-o json` prints every final result; the CLI's own --wait (5m) retries.
 */
export function linkerdCheckArgs(access: KubeFlags): string[] {
    return ["linkerd", "check", ...kubeFlags(access), "-o", "json"];
}

/**
 * `linkerd check --proxy`: the control plane's checks, then the data plane's (cli/cmd/check.go), among
 * them whether every meshed pod outside the control plane holds the cluster's trust bundle, and the
 * extensions' with --proxy.
 */
export function linkerdProxyCheckArgs(access: KubeFlags): string[] {
    return ["linkerd", "check", "--proxy", ...kubeFlags(access), "-o", "json"];
}

/** `linkerd multicluster check`: the links, their credentials to the target cluster, the gateways' probes, the mirrors. */
export function multiclusterCheckArgs(access: KubeFlags): string[] {
    return ["linkerd", "multicluster", "check", ...kubeFlags(access), "-o", "json"];
}

/** What `-o json` of a check command holds (pkg/healthcheck/healthcheck_output.go CheckOutput). */
interface CheckOutput {
    success: boolean;
    /** null when no check ran. */
    categories:
        { categoryName: string; checks: { description: string; error?: string; result: "success" | "warning" | "error" }[] }[] | null;
}

export interface CheckFindings {
    /** Each failed check as "<category>: <description>: <error>". */
    errors: string[];
    warnings: string[];
}

/**
 * The JSON documents of a stdout that holds one after another: `linkerd check -o json` prints one for
 * its own checks, then one per extension it runs (healthcheck.RunChecks once per set of results).
 */
export function jsonDocuments(stdout: string): unknown[] {
    const documents: unknown[] = [];
    let depth = 0;
    let start = -1;
    let inString = false;
    for (let index = 0; index < stdout.length; index++) {
        const char = stdout[index];
        if (inString) {
            if (char === "\\") index++;
            else if (char === '"') inString = false;
        } else if (char === '"') inString = true;
        else if (char === "{" || char === "[") {
            if (depth++ === 0) start = index;
        } else if ((char === "}" || char === "]") && --depth === 0) {
            documents.push(JSON.parse(stdout.slice(start, index + 1)));
        }
    }
    return documents;
}

/** The failed and warning checks of a check command's JSON documents, or undefined when its stdout holds none. */
export function checkFindings(stdout: string): CheckFindings | undefined {
    let outputs: CheckOutput[];
    try {
        outputs = jsonDocuments(stdout) as CheckOutput[];
    } catch {
        return undefined;
    }
    if (outputs.length === 0 || outputs.some((output) => typeof output?.success !== "boolean")) return undefined;
    const checks = outputs.flatMap((output) =>
        (output.categories ?? []).flatMap((category) =>
            category.checks.map((check) => ({
                ...check,
                line: `${category.categoryName}: ${check.description}${check.error ? `: ${check.error.replace(/\s*\n\s*/g, " ")}` : ""}`,
            })),
        ),
    );
    return {
        errors: checks.filter((check) => check.result === "error").map((check) => check.line),
        warnings: checks.filter((check) => check.result === "warning").map((check) => check.line),
    };
}
