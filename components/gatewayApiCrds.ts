// Before a stack declares anything on a cluster it reaches through a kubeconfig (the edge, or the cloud
// with `cluster: kubeconfig`), it asks the API server which Gateway API route CRDs it has: Linkerd needs
// HTTPRoute and GRPCRoute, and `gatewayApiCrds` (or, left empty, the cluster) says who provides them.
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

/** The cluster a check is about, as messages name it: "the edge cluster "edge"". */
export interface CheckedCluster {
    clusterName: string;
    role: "cloud" | "edge";
    /** An EKS cluster the stack creates, rather than one it reaches through a kubeconfig (k3s, k3d, any). */
    eks?: boolean;
}

function described(cluster: CheckedCluster): string {
    return `the ${cluster.role} cluster ${JSON.stringify(cluster.clusterName)}`;
}

/**
 * A CRD of Linkerd's own that linkerd-crds installs and deletes with the release, unlike the Gateway API
 * CRDs it bundles, which carry `helm.sh/resource-policy: keep` (linkerd-crds templates): while it
 * exists, a Linkerd install owns the Gateway API CRDs Linkerd marked; without it they are leftovers.
 */
export const LINKERD_OWN_CRD = "servers.policy.linkerd.io";

/**
 * What `gatewayApiCrds` left empty means on a cluster reached through a kubeconfig:
 * - "existing" when it has a route CRD from another owner (k3s's Traefik chart, a Gateway API
 *   release), or Linkerd's left behind by an install that is gone (`linkerdInstalled` false: a
 *   `pulumi destroy` keeps them, and creating them again would fail on the existing objects);
 * - "install" when it has none, or Linkerd's with a Linkerd install: this stack's own on its second
 *   `up`, which thus decides as the first did.
 * The check then holds the cluster to the mode.
 */
export function followedGatewayApiCrds(crds: Record<string, CrdSummary | undefined>, linkerdInstalled: boolean): GatewayApiCrds {
    const present = REQUIRED_ROUTE_CRDS.filter(({ name }) => crds[name] !== undefined).map(({ name }) => crds[name]);
    if (present.some((crd) => !installedByLinkerd(crd))) return "existing";
    return present.length > 0 && !linkerdInstalled ? "existing" : "install";
}

/**
 * What is wrong with the cluster's route CRDs for `mode`, or undefined. `crds` maps each required
 * CRD's name to the CRD, or to undefined when the cluster has none of that name. `followed`: the key is
 * empty and `mode` is what the cluster has (followedGatewayApiCrds).
 */
export function gatewayApiCrdsProblem(
    cluster: CheckedCluster,
    mode: GatewayApiCrds,
    crds: Record<string, CrdSummary | undefined>,
    followed = false,
): string | undefined {
    const key = "edge-cloud-mesh:gatewayApiCrds";
    const stated = followed
        ? `${key} is empty, so ${described(cluster)} uses the Gateway API CRDs it has (as with "existing")`
        : `${key} is "${mode}"`;
    if (mode === "existing") {
        const missing = REQUIRED_ROUTE_CRDS.filter(({ name }) => crds[name] === undefined).map(({ name }) => name);
        if (missing.length > 0) {
            return (
                `${stated}, but ${described(cluster)} has no ${missing.join(" and ")} ` +
                (cluster.eks
                    ? "(EKS ships none: something must install them on the cluster after the stack has created it, which on its " +
                      "first `pulumi up` nothing can have done). Linkerd needs them "
                    : "(k3s 1.34 to 1.36 install the Gateway API CRDs with Traefik's traefik-crd chart, so one started with " +
                      "--disable traefik has none; k3s 1.37 and later install them with their own gateway-api-crd chart). Linkerd needs them ") +
                `before its control plane starts. Either install them (${SUPPORTED_GATEWAY_API}, standard channel: ` +
                `kubectl apply --server-side -f https://github.com/kubernetes-sigs/gateway-api/releases/download/v1.5.1/standard-install.yaml) ` +
                `and run this again, or set ${key} to "install" so that linkerd-crds installs them.`
            );
        }
        const unserved = REQUIRED_ROUTE_CRDS.filter(({ name, version }) => !servesVersion(crds[name], version));
        if (unserved.length > 0) {
            return (
                `${stated}, but on ${described(cluster)} ` +
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
            `${stated}, but ${described(cluster)} already has ${foreign.join(" and ")}, ` +
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

/**
 * The HelmCharts (helm.cattle.io/v1, in kube-system) with which k3s installs the Gateway API CRDs, each
 * run by the job `helm-install-<name>`: Traefik's CRD chart (k3s 1.34 to 1.36), and k3s's own
 * (manifests/gateway-api-crd.yaml, k3s 1.37 and later). On a cluster that has just booted they may not
 * have run yet.
 */
export const K3S_GATEWAY_API_CHARTS = ["traefik-crd", "gateway-api-crd"];

/** How long the check waits for a pending k3s chart to install the CRDs, and how often it looks again. */
export const K3S_CHART_WAIT = { timeoutMs: 180_000, pollMs: 5_000 };

export interface GatewayApiCrdsCheckArgs extends CheckedCluster {
    /** What gatewayApiCrds says; undefined (the key empty) follows what the cluster has. */
    mode: GatewayApiCrds | undefined;
    /** The kubeconfig's contents, as the provider gets them. */
    kubeconfig: string;
    /** The context to use; empty for the kubeconfig's current-context. */
    kubeContext: string;
    timeoutMs?: number;
    wait?: typeof K3S_CHART_WAIT;
}

/**
 * Asks the cluster's API server, with the stack's kubeconfig, for the required route CRDs; returns the
 * mode to install Linkerd with, or fails with a RunError naming `gatewayApiCrds` when they do not fit.
 * While a required CRD is missing and a k3s chart that installs them has not finished, it waits for
 * them first (K3S_CHART_WAIT), saying so, and fails when they do not come: a decision taken before k3s
 * has installed its own would be wrong in every mode (missing for `existing`, two owners for `install`).
 */
export async function checkGatewayApiCrds(args: GatewayApiCrdsCheckArgs): Promise<GatewayApiCrds> {
    const kubeConfig = new k8s.KubeConfig();
    kubeConfig.loadFromString(args.kubeconfig);
    if (args.kubeContext) kubeConfig.setCurrentContext(args.kubeContext);
    const api = kubeConfig.makeApiClient(k8s.ApiextensionsV1Api);
    const server = kubeConfig.getCurrentCluster()?.server ?? "";
    const timeoutMs = args.timeoutMs ?? CRD_REQUEST_TIMEOUT_MS;
    const wait = args.wait ?? K3S_CHART_WAIT;

    const read = (name: string) =>
        readOrUndefined(() => api.readCustomResourceDefinition({ name }), timeoutMs).catch((error: unknown) => {
            throw new pulumi.RunError(requestFailure(args, server, name, error));
        });
    const readRoutes = async () => {
        const found: Record<string, CrdSummary | undefined> = {};
        for (const { name } of REQUIRED_ROUTE_CRDS) found[name] = await read(name);
        return found;
    };
    let crds = await readRoutes();
    const started = performance.now();
    for (let announced = false; ; announced = true) {
        const missing = REQUIRED_ROUTE_CRDS.filter(({ name }) => crds[name] === undefined).map(({ name }) => name);
        if (missing.length === 0) break;
        const chart = await pendingK3sChart(kubeConfig, timeoutMs);
        if (chart === undefined) break;
        const waited = performance.now() - started;
        const what = `${missing.join(" and ")}, which k3s installs with its HelmChart kube-system/${chart} (job kube-system/helm-install-${chart}, not finished)`;
        if (waited >= wait.timeoutMs) {
            throw new pulumi.RunError(
                `${described(args)} still has no ${what} after ${wait.timeoutMs / 1000}s of waiting. Look at the job ` +
                    `(kubectl -n kube-system describe job helm-install-${chart}; kubectl -n kube-system logs job/helm-install-${chart}) ` +
                    `and run this again once it has succeeded.`,
            );
        }
        if (!announced) {
            pulumi.log.info(
                `${described(args)} has no ${what} yet: waiting up to ${wait.timeoutMs / 1000}s for them (it has just booted).`,
            );
        }
        await new Promise((resolve) => setTimeout(resolve, wait.pollMs));
        crds = await readRoutes();
    }
    // Whether a Linkerd install owns Linkerd's route CRDs: asked only where the followed mode depends on it.
    const linkerdRoutes = REQUIRED_ROUTE_CRDS.some(({ name }) => crds[name] !== undefined && installedByLinkerd(crds[name]));
    const linkerdInstalled = args.mode === undefined && linkerdRoutes && (await read(LINKERD_OWN_CRD)) !== undefined;
    const mode = args.mode ?? followedGatewayApiCrds(crds, linkerdInstalled);
    const problem = gatewayApiCrdsProblem(args, mode, crds, args.mode === undefined);
    if (problem !== undefined) throw new pulumi.RunError(problem);
    return mode;
}

/**
 * `existing` on a cluster the stack creates (EKS), checked as on a cluster reached through a kubeconfig
 * but only once it exists, with the kubeconfig the stack reaches it with: what the result flows into
 * (linkerd-crds' values) waits for the check, and a failed check fails that resource. On the stack's
 * first `up` that is right after the cluster is created; on later runs, previews included, before
 * anything of Linkerd changes.
 */
export function checkedOnceCreated(cluster: CheckedCluster, kubeconfig: pulumi.Output<string>): pulumi.Output<GatewayApiCrds> {
    // The kubeconfig is secret; what the check finds with it is not.
    return pulumi
        .unsecret(kubeconfig)
        .apply((text) => checkGatewayApiCrds({ ...cluster, eks: true, mode: "existing", kubeconfig: text, kubeContext: "" }));
}

/**
 * The first of K3S_GATEWAY_API_CHARTS that the cluster has and whose install job has not succeeded, or
 * undefined: not k3s, no such chart, or one that has run (k3s older than 1.34 installs no Gateway API
 * CRDs with Traefik). A user who may not read them cannot wait for them either.
 */
async function pendingK3sChart(kubeConfig: k8s.KubeConfig, timeoutMs: number): Promise<string | undefined> {
    const charts = kubeConfig.makeApiClient(k8s.CustomObjectsApi);
    const jobs = kubeConfig.makeApiClient(k8s.BatchV1Api);
    const namespace = "kube-system";
    for (const name of K3S_GATEWAY_API_CHARTS) {
        try {
            const chart = await readOrUndefined(
                () => charts.getNamespacedCustomObject({ group: "helm.cattle.io", version: "v1", namespace, plural: "helmcharts", name }),
                timeoutMs,
            );
            if (chart === undefined) continue;
            const job = await readOrUndefined(() => jobs.readNamespacedJob({ name: `helm-install-${name}`, namespace }), timeoutMs);
            if ((job?.status?.succeeded ?? 0) < 1) return name;
        } catch {
            return undefined;
        }
    }
    return undefined;
}

/** What `request` reads, or undefined when the API server answers 404; bounded by `timeoutMs`. */
async function readOrUndefined<T>(request: () => Promise<T>, timeoutMs: number): Promise<T | undefined> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs / 1000}s`)), timeoutMs);
    });
    try {
        return await Promise.race([request(), timeout]);
    } catch (error) {
        if (error instanceof k8s.ApiException && error.code === 404) return undefined;
        throw error;
    } finally {
        clearTimeout(timer);
    }
}

function requestFailure(cluster: CheckedCluster, server: string, crd: string, error: unknown): string {
    const where = `${described(cluster)}'s API server ${server}`;
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
