// `linkerd multicluster gateways -o json` (multicluster/cmd/gateways.go@edge-26.8.3). Run against a
// cluster that links to others (an edge site, which links to the cloud), it reads the metrics of each
// link's service mirror (the lease holder, which runs the gateway probes) and prints, per linked
// cluster, whether its gateway answers the probe: a JSON array, or `null` when it has none to report.
// It exits 0 even when a link's metrics cannot be read (that goes to stderr as "Failed to get gateway
// status for <cluster>: ..."); a failure to reach the cluster is cobra's "Error: ..." and exit code 1.
import { KubeFlags, kubeFlags } from "./kubectl";
import { stderrDetail } from "./runner";

/** One linked cluster's gateway (gatewayStatus in gateways.go). */
export interface GatewayStatus {
    clusterName: string;
    alive: boolean;
    numberOfServices: number;
    /** Milliseconds, the last probe's. */
    latency: number;
}

/** The command on the cluster these flags reach, as every other tool's command names it. */
export function gatewaysArgs(access: KubeFlags): string[] {
    return ["linkerd", "multicluster", "gateways", ...kubeFlags(access), "-o", "json"];
}

/** The gateways in the command's stdout (json.MarshalIndent of a nil slice is `null`: none); undefined when it is not that. */
export function parseGateways(stdout: string): GatewayStatus[] | undefined {
    try {
        const parsed: unknown = JSON.parse(stdout);
        if (parsed === null) return [];
        return Array.isArray(parsed) && parsed.every((entry) => typeof entry?.clusterName === "string") ? parsed : undefined;
    } catch {
        return undefined;
    }
}

/** Why the command failed or left a link out, in its words: cobra's `Error: ` line, a link's "Failed to ..." line, else its last lines. */
export function gatewaysProblem(stderr: string): string {
    const lines = stderr.split("\n").map((line) => line.trim());
    return (
        lines.find((line) => line.startsWith("Error: "))?.slice("Error: ".length) ??
        lines.find((line) => line.startsWith("Failed to ")) ??
        stderrDetail(stderr)
    );
}
