// Before the edge stack declares anything, it asks the edge API server which Gateway API route CRDs
// it has: Linkerd needs HTTPRoute and GRPCRoute, and `gatewayApiCrds` says who provides them.
import * as k8s from "@kubernetes/client-node";
import * as pulumi from "@pulumi/pulumi";
import type { GatewayApiCrds } from "./linkerdInstall";

/**
 * The route CRDs Linkerd edge-26.8.3 needs, at the version its policy controller watches
 * (policy-controller/k8s/api/src/lib.rs: gateway-api 0.21 `HTTPRoute`/`GRPCRoute`, both `v1`) and
 * `linkerd check` requires (pkg/healthcheck/healthcheck.go CheckGatewayAPICRDs: a `v1` version).
 */
export const REQUIRED_ROUTE_CRDS = [
    { name: "httproutes.gateway.networking.k8s.io", version: "v1" },
    { name: "grpcroutes.gateway.networking.k8s.io", version: "v1" },
] as const;

/** How Linkerd marks the CRDs it installs (linkerd-crds templates; CheckGatewayAPICRDs tells them apart by it). */
export const LINKERD_CREATED_BY = "linkerd.io/created-by";

/** What the check needs to know of a CRD. */
export interface CrdSummary {
    metadata?: { annotations?: Record<string, string> };
    spec?: { versions?: { name: string; served: boolean }[] };
}

/** The Gateway API CRDs that edge-26.8.3 has been tested with, for messages. */
const SUPPORTED_GATEWAY_API = "Gateway API v1.2.1 to v1.5.1";

/**
 * What is wrong with the cluster's route CRDs for `mode`, or undefined. `crds` maps each required
 * CRD's name to the CRD, or to undefined when the cluster has none of that name.
 */
export function gatewayApiCrdsProblem(
    clusterName: string,
    mode: GatewayApiCrds,
    crds: Record<string, CrdSummary | undefined>,
): string | undefined {
    const key = "edge-cloud-mesh:gatewayApiCrds";
    if (mode === "existing") {
        const missing = REQUIRED_ROUTE_CRDS.filter(({ name }) => crds[name] === undefined).map(({ name }) => name);
        if (missing.length > 0) {
            return (
                `${key} is "existing", but the edge cluster ${JSON.stringify(clusterName)} has no ${missing.join(" and ")} ` +
                `(k3s 1.34 to 1.36 install the Gateway API CRDs with Traefik's traefik-crd chart, so one started with --disable traefik has none; ` +
                `k3s 1.37 and later install them with their own gateway-api-crd chart). Linkerd needs them ` +
                `before its control plane starts. Either install them (${SUPPORTED_GATEWAY_API}, standard channel: ` +
                `kubectl apply --server-side -f https://github.com/kubernetes-sigs/gateway-api/releases/download/v1.5.1/standard-install.yaml) ` +
                `and run this again, or set ${key} to "install" so that linkerd-crds installs them.`
            );
        }
        const unserved = REQUIRED_ROUTE_CRDS.filter(({ name, version }) => !servesVersion(crds[name], version));
        if (unserved.length > 0) {
            return (
                `${key} is "existing", but on the edge cluster ${JSON.stringify(clusterName)} ` +
                `${unserved.map(({ name, version }) => `${name} does not serve ${version} (serves: ${servedVersions(crds[name]).join(", ") || "none"})`).join("; ")}, ` +
                `the version Linkerd edge-26.8.3 reads. Upgrade the cluster's Gateway API CRDs (${SUPPORTED_GATEWAY_API}) and run this again.`
            );
        }
        return undefined;
    }
    const foreign = REQUIRED_ROUTE_CRDS.filter(({ name }) => crds[name] !== undefined && !installedByLinkerd(crds[name])).map(
        ({ name }) => name,
    );
    if (foreign.length > 0) {
        return (
            `${key} is "install", but the edge cluster ${JSON.stringify(clusterName)} already has ${foreign.join(" and ")}, ` +
            `installed by something other than Linkerd (on k3s: its traefik-crd or gateway-api-crd chart). Two owners would overwrite each other's ` +
            `version of the same CRDs. Set ${key} to "existing" to use the cluster's own.`
        );
    }
    return undefined;
}

function servedVersions(crd: CrdSummary | undefined): string[] {
    return (crd?.spec?.versions ?? []).filter((version) => version.served).map((version) => version.name);
}

function servesVersion(crd: CrdSummary | undefined, version: string): boolean {
    return servedVersions(crd).includes(version);
}

function installedByLinkerd(crd: CrdSummary | undefined): boolean {
    return Boolean(crd?.metadata?.annotations?.[LINKERD_CREATED_BY]);
}

/** How long the API server may take to answer, per request. */
export const CRD_REQUEST_TIMEOUT_MS = 15_000;

export interface GatewayApiCrdsCheckArgs {
    clusterName: string;
    mode: GatewayApiCrds;
    /** The kubeconfig's contents, as the provider gets them. */
    kubeconfig: string;
    /** The context to use; empty for the kubeconfig's current-context. */
    kubeContext: string;
    timeoutMs?: number;
}

/**
 * Asks the edge API server, with the stack's kubeconfig, for the required route CRDs and fails with a
 * RunError naming `gatewayApiCrds` when they do not fit `mode`.
 */
export async function assertGatewayApiCrds(args: GatewayApiCrdsCheckArgs): Promise<void> {
    const kubeConfig = new k8s.KubeConfig();
    kubeConfig.loadFromString(args.kubeconfig);
    if (args.kubeContext) kubeConfig.setCurrentContext(args.kubeContext);
    const api = kubeConfig.makeApiClient(k8s.ApiextensionsV1Api);
    const server = kubeConfig.getCurrentCluster()?.server ?? "";
    const timeoutMs = args.timeoutMs ?? CRD_REQUEST_TIMEOUT_MS;

    const crds: Record<string, CrdSummary | undefined> = {};
    for (const { name } of REQUIRED_ROUTE_CRDS) {
        crds[name] = await readCrd(api, name, timeoutMs).catch((error: unknown) => {
            throw new pulumi.RunError(requestFailure(args.clusterName, server, name, error));
        });
    }
    const problem = gatewayApiCrdsProblem(args.clusterName, args.mode, crds);
    if (problem !== undefined) throw new pulumi.RunError(problem);
}

/** The CRD, or undefined when the API server answers 404. */
async function readCrd(api: k8s.ApiextensionsV1Api, name: string, timeoutMs: number): Promise<CrdSummary | undefined> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs / 1000}s`)), timeoutMs);
    });
    try {
        return await Promise.race([api.readCustomResourceDefinition({ name }), timeout]);
    } catch (error) {
        if (error instanceof k8s.ApiException && error.code === 404) return undefined;
        throw error;
    } finally {
        clearTimeout(timer);
    }
}

function requestFailure(clusterName: string, server: string, crd: string, error: unknown): string {
    const where = `the edge cluster ${JSON.stringify(clusterName)}'s API server ${server}`;
    if (error instanceof k8s.ApiException && (error.code === 401 || error.code === 403)) {
        const refused = error.code === 401 ? "did not accept the credentials" : "refused to let them read CustomResourceDefinitions";
        return (
            `${where} ${refused} of edge-cloud-mesh:kubeconfig (HTTP ${error.code}, reading ${crd}). Check that the kubeconfig's ` +
            `user (and edge-cloud-mesh:kubeContext) is the cluster's admin, as in k3s's /etc/rancher/k3s/k3s.yaml, and that its ` +
            `credentials are current.`
        );
    }
    const detail = error instanceof k8s.ApiException ? `HTTP ${error.code}` : (error as Error).message;
    return (
        `could not read ${crd} from ${where} with edge-cloud-mesh:kubeconfig (${detail}); the stack checks the Gateway API ` +
        `CRDs (edge-cloud-mesh:gatewayApiCrds) before declaring anything. Check the kubeconfig's certificate authority and credentials.`
    );
}
