// Inputs the tests feed the program.
import { ConfigContext, projectDefaults, readKubeconfigFile } from "../config";
import { TestPki, k3sKubeconfig } from "./fakeApiServer";
import { StackOutput, StackRun, runStack } from "./harness";

/** The throwaway CA and certificates of the fake edge API servers test/globalSetup.ts starts. */
export const FAKE_EDGE_PKI: TestPki = JSON.parse(process.env.FAKE_EDGE_PKI ?? "{}");

/** The fake edge API server that has the Gateway API route CRDs k3s installs with Traefik. */
export const FAKE_EDGE_API_SERVER = `https://127.0.0.1:${process.env.FAKE_EDGE_API_PORT}`;
/** The fake edge API server of a k3s without Traefik: no Gateway API CRDs. */
export const FAKE_EDGE_NO_GATEWAY_API_SERVER = `https://127.0.0.1:${process.env.FAKE_EDGE_NO_GATEWAY_API_PORT}`;

/**
 * A k3s kubeconfig as `/etc/rancher/k3s/k3s.yaml` has it (server made reachable, admin client
 * certificate), with a second context "lab" for a k3s without Traefik.
 */
export const K3S_KUBECONFIG = k3sKubeconfig(FAKE_EDGE_PKI, [
    { name: "default", server: FAKE_EDGE_API_SERVER },
    { name: "lab", server: FAKE_EDGE_NO_GATEWAY_API_SERVER },
]);

/** The same kubeconfig with the k3s without Gateway API CRDs as its current context. */
export const K3S_WITHOUT_GATEWAY_API_KUBECONFIG = K3S_KUBECONFIG.replace("current-context: default", "current-context: lab");

/** What loadConfig hands parseConfig, on a day of the test's choosing: Pulumi.yaml's defaults and the real kubeconfig file reader. */
export function configContext(today: Date): ConfigContext {
    return { today, defaults: projectDefaults(), readKubeconfigFile };
}

/** Runs the cloud stack, then an edge stack fed the cloud stack's real outputs through its StackReference. */
export async function runMesh(
    options: { cloud?: Record<string, unknown>; edge?: Record<string, unknown>; edgeStack?: string } = {},
): Promise<{ cloud: StackRun; edge: StackRun }> {
    const cloud = await runStack("cloud", { config: options.cloud });
    const edge = await runEdge(cloud.outputs, options.edge, options.edgeStack);
    return { cloud, edge };
}

export function runEdge(
    cloudOutputs: Record<string, StackOutput>,
    config: Record<string, unknown> = {},
    stack = "edge",
): Promise<StackRun> {
    return runStack(stack, {
        config: { role: "edge", kubeconfig: K3S_KUBECONFIG, ...config },
        secretKeys: ["kubeconfig"],
        stackReferences: { cloud: cloudOutputs },
    });
}
