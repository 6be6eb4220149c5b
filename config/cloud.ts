// The cloud role: the edge sites that join it, its cluster (EKS, or an existing one reached through a
// kubeconfig), and on the latter the address edge sites reach its API server at.
import { parseEksCloud } from "./eks";
import { parseTrust } from "./identity";
import { UNUSABLE_KUBECONFIG, parseKubeconfigAccess } from "./kubeconfigAccess";
import { ConfigReader } from "./reader";
import { cidrProblem, clusterNameProblem } from "./rules";
import { CloudConfig, CloudSideConfig, ClusterKind, ConfigContext, KubeconfigCloudConfig, MeshSideConfig } from "./types";

export const CLUSTER_KINDS: readonly ClusterKind[] = ["eks", "kubeconfig"];

export function parseCloud(reader: ConfigReader, side: MeshSideConfig, stack: string, context: ConfigContext): CloudConfig {
    const common = {
        role: "cloud" as const,
        ...side,
        edgeSites: parseEdgeSites(reader, side.clusterName),
        protectTrustAnchor: reader.boolean("protectTrustAnchor"),
        ...parseTrust(reader),
    };
    // Without a valid cluster there is no telling which keys matter: EKS's or the kubeconfig's.
    if (!reader.isOneOf("cluster", CLUSTER_KINDS)) {
        reader.oneOf("cluster", CLUSTER_KINDS);
        return { ...common, cluster: "kubeconfig", ...UNUSABLE_KUBECONFIG, apiServerAddress: "", gatewaySourceCidrs: [] };
    }
    return reader.oneOf("cluster", CLUSTER_KINDS) === "eks"
        ? parseEksCloud(reader, common, stack, context)
        : parseKubeconfigCloud(reader, common, context);
}

/** The cloud role on an existing cluster: its kubeconfig, and the API address edge sites reach it at. */
function parseKubeconfigCloud(
    reader: ConfigReader,
    common: Omit<CloudSideConfig, "gatewaySourceCidrs">,
    context: ConfigContext,
): KubeconfigCloudConfig {
    const access = parseKubeconfigAccess(reader, context.readKubeconfigFile, "a cloud stack with cluster: kubeconfig reaches its cluster");
    if (access.kubeconfig !== "" && access.certificateAuthorityData === "") {
        reader.problem(
            "kubeconfig",
            `the kubeconfig's cluster (${access.apiServer}) carries no certificate-authority-data: edge sites check this API server's ` +
                `certificate with the CA their link kubeconfig carries inline; accepted: a kubeconfig with the CA inline ` +
                `(kubectl config view --raw --flatten --minify writes one)`,
        );
    }
    const given = reader.string("apiServerAddress", { optional: true });
    let apiServerAddress = given;
    if (given !== "") reader.check("apiServerAddress", given, apiServerAddressProblem);
    else if (access.apiServer !== "") {
        // Empty means the kubeconfig's server: it must work for the edge sites' link controllers too.
        apiServerAddress = access.apiServer;
        const problem = apiServerAddressProblem(apiServerAddress);
        if (problem !== undefined) {
            reader.problem(
                "apiServerAddress",
                `is empty, so edge sites would reach this cluster's API at the kubeconfig's server ${JSON.stringify(apiServerAddress)}, which is ${problem}`,
            );
        }
    }
    return {
        ...common,
        cluster: "kubeconfig",
        ...access,
        apiServerAddress,
        // No AWS load balancer controller here, so no rule budget: the cluster's own load balancer takes the list.
        gatewaySourceCidrs: reader.checkEach(
            "gatewaySourceCidrs",
            reader.stringList("gatewaySourceCidrs", { nonEmpty: true }),
            cidrProblem,
        ),
    };
}

/**
 * The address edge sites' link controllers reach the cloud API server at, as `linkerd multicluster link
 * --api-server-address` puts it into the link kubeconfig: an https URL that is not a loopback (in a pod
 * it would be the pod itself). The server's certificate must name its host (k3s: --tls-san).
 */
export function apiServerAddressProblem(value: string): string | undefined {
    const accepted =
        'accepted: the https URL edge sites reach this API server at, e.g. "https://k3d-cloud-server-0:6443" or "https://203.0.113.10:6443"';
    let url: URL;
    try {
        url = new URL(value);
    } catch {
        return `not a URL; ${accepted}`;
    }
    if (url.protocol !== "https:") return `not an https URL; ${accepted}`;
    const host = url.hostname.replace(/^\[|\]$/g, "");
    if (host === "localhost" || /^127\./.test(host) || host === "::1" || host === "0.0.0.0" || host === "::") {
        return `a loopback address, which in an edge site's link controller (a pod) is the pod itself; ${accepted}`;
    }
    return undefined;
}

function parseEdgeSites(reader: ConfigReader, cloudName: string): string[] {
    const sites = reader.checkEach("edgeSites", reader.stringList("edgeSites"), clusterNameProblem);
    const duplicates = sites.filter((site, index) => sites.indexOf(site) !== index);
    if (duplicates.length > 0) {
        reader.problem(
            "edgeSites",
            `${[...new Set(duplicates)].map((site) => JSON.stringify(site)).join(", ")} listed more than once; accepted: distinct names`,
        );
    }
    if (sites.includes(cloudName)) {
        reader.problem(
            "edgeSites",
            `${JSON.stringify(cloudName)} is this cloud cluster's own clusterName; accepted: names of edge clusters only`,
        );
    }
    return sites;
}
