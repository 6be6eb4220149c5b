// The cloud stack's outputs are the edge stack's only input from cloud. Both sides use these types:
// the cloud stack to build its outputs, the edge stack to read them through a StackReference.
import * as pulumi from "@pulumi/pulumi";
import type { KubeAccess } from "./commands";
import type { TrustSlot } from "./components/trustPhases";
import type { GatewayEndpoint } from "./components/multiclusterGateway";
import { STACK_NAME_FORMS } from "./config";

export type { GatewayEndpoint, KubeAccess };

/** What the cloud stack exports for one registered edge site (a secret: it holds credentials). */
export interface EdgeSiteExports {
    issuerCertPem: string;
    issuerKeyPem: string;
    /** The kubeconfig the site's link controller uses: the cloud API server's address, its CA, the site's token. */
    linkKubeconfig: string;
}

/**
 * The mesh identity's phase and lifetimes, with no key: what a rotation reads to tell where the mesh
 * stands and whether each cluster has caught up. Times are RFC 3339, as the tls provider gives them.
 */
export interface TrustExports {
    /** The slots every cluster trusts, in slot order (the bundle's order). */
    trustAnchors: TrustSlot[];
    /** The slot whose anchor signs every issuer. */
    issuerTrustAnchor: TrustSlot;
    /** Per listed slot: its anchor's certificate and validity. */
    anchors: Partial<Record<TrustSlot, { certPem: string; notBefore: string; notAfter: string }>>;
    /**
     * Per cluster by clusterName (the cloud's and each edge site's): its issuer's slot, certificate and
     * expiry, and the checksum of the bundle and that issuer that its pod templates carry once it is up to date.
     */
    issuers: Record<string, { slot: TrustSlot; certPem: string; notAfter: string; meshIdentityChecksum: string }>;
}

/** What every cloud stack exports, whatever its cluster: all that an edge stack reads. */
export interface CloudStackCommonOutputs {
    /** The cloud cluster's name in the mesh. */
    clusterName: string;
    /** Where edge sites reach the cloud API server (the server of their link kubeconfigs). */
    apiEndpoint: string;
    certificateAuthorityData: string;
    /** The trust anchors' certificates, in slot order: what every cluster trusts (their keys never leave the cloud stack). */
    trustBundlePem: string;
    trust: TrustExports;
    /** The edge sites registered in `edgeSites`, in order. */
    edgeSiteNames: string[];
    /** Per edge site, by name. */
    edgeSites: Record<string, EdgeSiteExports>;
    gateway: GatewayEndpoint;
    /** Services exported to linked clusters, as `<namespace>/<name>`. */
    exportedServices: string[];
    /** The commands that tear the mesh down, edge stacks first. */
    destroyOrder: string[];
    /** How kubectl on the operator's machine reaches the cloud cluster. */
    kubeAccess: KubeAccess;
    vizDashboardCommand: string | undefined;
    frontendCommand: string | undefined;
}

/** A cloud stack on EKS (`cluster: eks`) exports what it created in AWS too. */
export interface EksCloudStackOutputs extends CloudStackCommonOutputs {
    /** The EKS cluster's name in AWS. */
    eksClusterName: string;
    /** Admin kubeconfig (secret), authenticating with `aws eks get-token`. */
    kubeconfig: string;
    /** Adds the cluster to the local kubeconfig as context `<clusterName>`. */
    kubeconfigCommand: string;
}

/** A cloud stack on an existing cluster (`cluster: kubeconfig`): the user has its kubeconfig already. */
export type KubeconfigCloudStackOutputs = CloudStackCommonOutputs;

export type CloudStackOutputs = EksCloudStackOutputs | KubeconfigCloudStackOutputs;

/** What every edge stack exports; the demo's commands only with `demo`. The operator commands read it. */
export interface EdgeStackOutputs {
    /** The cloud cluster this site links to. */
    linkedCluster: string;
    /** The cloud's exported services as mirrored here, `<namespace>/<name>-<cloud cluster>`. */
    mirroredServices: string[];
    /** How kubectl on the operator's machine reaches the edge cluster. */
    kubeAccess: KubeAccess;
    vizDashboardCommand: string | undefined;
    frontendCommand?: string;
    watchSplitCommand?: string;
    /** The restart checksum of this site's mesh identity (bundle and issuer): equal to the cloud's `trust.issuers[site].meshIdentityChecksum` once the site runs the cloud's phase. */
    meshIdentityChecksum: string;
}

export type StackOutputs<T> = { [K in keyof T]: pulumi.Output<T[K]> };

/** The cloud stack as one edge site sees it. */
export interface CloudStackView {
    clusterName: pulumi.Output<string>;
    trustBundlePem: pulumi.Output<string>;
    gateway: pulumi.Output<GatewayEndpoint>;
    exportedServices: string[];
    /** This site's own exports (secret). */
    site: pulumi.Output<EdgeSiteExports>;
}

/**
 * The commands that set a list key to exactly these values. They write the whole list: `pulumi
 * config set --path 'key[1]' x` on a stack that relies on the Pulumi.yaml default (the CLI does not
 * merge defaults into the stack file) writes `[null, "x"]`, which the next `pulumi up` rejects.
 */
export function setListCommand(key: string, values: string[], stack: string): string {
    const items = values.map((value, index) => `--plaintext '${key}[${index}]=${value}'`).join(" ");
    return `pulumi config rm ${key} --stack ${stack} && pulumi config set-all --stack ${stack} --path ${items}`;
}

/**
 * Fails with the program's own message, naming cloudStack, when the engine cannot read the stack. A
 * StackReference to a missing stack fails in the engine's resource step, which aborts the run with the
 * engine's "unknown stack" and never answers the program (pkg/resource/deploy/builtins.go Read);
 * the builtin function behind it, readStackOutputs, hands the same error back to the program.
 */
async function assertStackExists(stackName: string): Promise<void> {
    try {
        await pulumi.runtime.invoke("pulumi:pulumi:readStackOutputs", { name: stackName });
    } catch (error) {
        throw new pulumi.RunError(
            `edge-cloud-mesh:cloudStack: the stack ${JSON.stringify(stackName)} cannot be read (${(error as Error).message}). ` +
                `Set cloudStack to the cloud stack's name as \`pulumi stack ls\` in the cloud stack's project shows it, in one of the forms ` +
                `${STACK_NAME_FORMS}, or create the cloud stack and run \`pulumi up\` on it first.`,
        );
    }
}

/**
 * Reads the cloud stack for one edge site. Fails before anything else is declared when the cloud
 * stack does not exist, has no outputs yet, or does not list the site in its `edgeSites`.
 */
export async function readCloudStack(stackName: string, site: string): Promise<CloudStackView> {
    await assertStackExists(stackName);
    const reference = new pulumi.StackReference(stackName);
    const registered = (await reference.getOutputDetails("edgeSiteNames")).value as string[] | undefined;
    if (registered === undefined) {
        throw new pulumi.RunError(
            `edge-cloud-mesh:cloudStack: the stack ${JSON.stringify(stackName)} has no output edgeSiteNames. ` +
                `Run \`pulumi up\` on the cloud stack first, or set cloudStack to the cloud stack's name (${STACK_NAME_FORMS}).`,
        );
    }
    if (!registered.includes(site)) {
        throw new pulumi.RunError(
            `edge-cloud-mesh:clusterName: the edge site ${JSON.stringify(site)} is not registered in the cloud stack ` +
                `${JSON.stringify(stackName)} (its edgeSites: ${JSON.stringify(registered)}). Add it there ` +
                `(${setListCommand("edgeSites", [...registered, site], stackName)}), run \`pulumi up\` on ` +
                `the cloud stack, then run this stack again.`,
        );
    }
    if ((await reference.getOutputDetails("trustBundlePem")).value === undefined) {
        throw new pulumi.RunError(
            `edge-cloud-mesh:cloudStack: the stack ${JSON.stringify(stackName)} has no output trustBundlePem (an earlier version of this ` +
                `program made it). Run \`pulumi up\` on the cloud stack first, then this stack again.`,
        );
    }
    const exportedServices = ((await reference.getOutputDetails("exportedServices")).value as string[] | undefined) ?? [];
    const output = <K extends keyof CloudStackCommonOutputs>(key: K) =>
        reference.requireOutput(key) as pulumi.Output<CloudStackCommonOutputs[K]>;
    return {
        clusterName: output("clusterName"),
        trustBundlePem: output("trustBundlePem"),
        gateway: output("gateway"),
        exportedServices,
        site: output("edgeSites").apply((sites) => sites[site]),
    };
}
