// The local environment: two k3d clusters, "cloud" and "edge", on one Docker network, and the two
// stacks in a state backend inside the checkout (.local/), so no account and no AWS. What it is made
// of, where it keeps things, and the config its stacks get; flows/local.ts brings it up and down.
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { k3dContext, k3dServer } from "../tools/k3d";
import { shellWord } from "../tools/runner";
import type { ConfigValues } from "../pulumi/port";
import type { StackNames } from "./mesh";

export const LOCAL = {
    /** The Docker network both clusters join: the edge reaches the cloud's API server and gateway on it. */
    network: "edge-cloud-mesh",
    /** k3s v1.35.6+k3s1 (June 2026): Kubernetes 1.35, in Linkerd edge-26.8.3's range; Traefik v3.7.4 with the Gateway API CRDs. */
    k3sImage: "rancher/k3s:v1.35.6-k3s1",
    /** Created in this order: k3d writes the network's members into a cluster's CoreDNS when it starts, so edge pods resolve the cloud's server by name. */
    clusters: ["cloud", "edge"] as const,
    /** The local stacks are local-cloud and local-edge: their config files (Pulumi.local-*.yaml) stay out of the way of Pulumi.cloud.yaml and Pulumi.edge.yaml. */
    stacks: { cloudStack: "local-cloud", edgeStackPrefix: "local-" } satisfies StackNames,
    /** Everything the local environment keeps, inside the checkout (git ignores it). */
    dir: ".local",
};

export type LocalCluster = (typeof LOCAL.clusters)[number];

/** Where the local environment keeps its state, passphrase and kubeconfigs. */
export function localPaths(root: string) {
    const dir = path.join(root, LOCAL.dir);
    return {
        dir,
        state: path.join(dir, "state"),
        passphrase: path.join(dir, "passphrase"),
        kubeconfig: (cluster: LocalCluster) => path.join(dir, `${cluster}.kubeconfig`),
    };
}

/**
 * The stacks' config files, in the project (Pulumi.<stack>.yaml). Each keeps the `encryptionsalt` its
 * stack's passphrase made at `pulumi stack init`: a later init of a stack of that name reuses it and
 * fails with "incorrect passphrase" under another passphrase (pulumi pkg/secrets/passphrase/manager.go
 * NewPromptingPassphraseSecretsManager@v3.248.0), so they are forgotten with the passphrase.
 */
export function localStackFiles(root: string): string[] {
    return LOCAL.clusters.map((cluster) => path.join(root, `Pulumi.${clusterStack(cluster)}.yaml`));
}

/** Whether local:up has made the local state (and local:reset not forgotten it). */
export function hasLocalState(root: string): boolean {
    return fs.existsSync(localPaths(root).state);
}

/** Where the other cluster's pods reach this cluster's API server: by container name, on the shared network. */
export function inNetworkApiServer(cluster: LocalCluster): string {
    return `https://${k3dServer(cluster)}:6443`;
}

/** The clusters given, in the order they are deleted: the edge first. */
export function deletionOrder(clusters: LocalCluster[]): LocalCluster[] {
    return [...clusters].sort((a, b) => LOCAL.clusters.indexOf(b) - LOCAL.clusters.indexOf(a));
}

/** The stack of a local cluster. */
export function clusterStack(cluster: LocalCluster): string {
    return cluster === "cloud" ? LOCAL.stacks.cloudStack : `${LOCAL.stacks.edgeStackPrefix}${cluster}`;
}

export const SPLIT_MODES = ["weighted", "failover"] as const;
export type SplitMode = (typeof SPLIT_MODES)[number];

/**
 * The values each local stack gets: the cloud on the k3d cluster "cloud", one edge site on "edge", and
 * the edge's splitMode when one is given (else the stack keeps the one it has).
 */
export function stackConfig(root: string, subnet: string, splitMode?: SplitMode): Record<string, ConfigValues> {
    const paths = localPaths(root);
    return {
        [clusterStack("cloud")]: {
            role: "cloud",
            cluster: "kubeconfig",
            clusterName: "cloud",
            kubeconfig: paths.kubeconfig("cloud"),
            kubeContext: k3dContext("cloud"),
            apiServerAddress: inNetworkApiServer("cloud"),
            // The edge's pods reach the gateway from the edge node's address on the shared network.
            gatewaySourceCidrs: [subnet],
            edgeSites: ["edge"],
        },
        [clusterStack("edge")]: {
            role: "edge",
            clusterName: "edge",
            kubeconfig: paths.kubeconfig("edge"),
            kubeContext: k3dContext("edge"),
            cloudStack: LOCAL.stacks.cloudStack,
            ...(splitMode === undefined ? {} : { splitMode }),
        },
    };
}

/**
 * The environment of every Pulumi command of the local environment: the state backend in .local/state,
 * and the passphrase in .local/passphrase, whatever the user's shell says. PULUMI_CONFIG_PASSPHRASE
 * would win over the file (pulumi pkg/secrets/passphrase readPassphrase), so it is dropped for the run.
 */
export function localEnvironment(root: string, env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
    const paths = localPaths(root);
    const local: NodeJS.ProcessEnv = {
        ...env,
        PULUMI_BACKEND_URL: `file://${paths.state}`,
        PULUMI_CONFIG_PASSPHRASE_FILE: paths.passphrase,
    };
    delete local.PULUMI_CONFIG_PASSPHRASE;
    return local;
}

/** The local environment's two variables as shell assignments, for the pulumi CLI commands it prints. */
export function localPulumiAssignments(env: NodeJS.ProcessEnv): string {
    return (["PULUMI_BACKEND_URL", "PULUMI_CONFIG_PASSPHRASE_FILE"] as const)
        .map((name) => `${name}=${shellWord(env[name] ?? "")}`)
        .join(" ");
}

/** Creates .local/ with its state directory and, once, a random passphrase only this user can read. */
export function prepareLocalDirectory(root: string): void {
    const paths = localPaths(root);
    fs.mkdirSync(paths.state, { recursive: true });
    if (!fs.existsSync(paths.passphrase))
        fs.writeFileSync(paths.passphrase, `${crypto.randomBytes(24).toString("base64url")}\n`, { mode: 0o600 });
}
