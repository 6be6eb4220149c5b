// Inputs the tests feed the program.
import { StackOutput, StackRun, runStack } from "./harness";

/** The loopback listener test/globalSetup.ts starts in place of the edge API server. */
export const FAKE_EDGE_API_SERVER = `https://127.0.0.1:${process.env.FAKE_EDGE_API_PORT}`;

/** A k3s kubeconfig as `/etc/rancher/k3s/k3s.yaml` has it (server made reachable), with a second context. */
export const K3S_KUBECONFIG = `apiVersion: v1
kind: Config
clusters:
- cluster:
    certificate-authority-data: LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCk1PQ0stSzNTLUNBCi0tLS0tRU5EIENFUlRJRklDQVRFLS0tLS0K
    server: ${FAKE_EDGE_API_SERVER}
  name: default
- cluster:
    server: https://localhost:${process.env.FAKE_EDGE_API_PORT}
  name: lab
contexts:
- context:
    cluster: default
    user: default
  name: default
- context:
    cluster: lab
    user: default
  name: lab
current-context: default
users:
- name: default
  user:
    client-certificate-data: TU9DSy1DTElFTlQtQ0VSVA==
    client-key-data: TU9DSy1DTElFTlQtS0VZ
`;

/** Runs the cloud stack, then an edge stack fed the cloud stack's real outputs through its StackReference. */
export async function runMesh(
    options: { cloud?: Record<string, unknown>; edge?: Record<string, unknown>; edgeStack?: string } = {},
): Promise<{ cloud: StackRun; edge: StackRun }> {
    const cloud = await runStack("cloud", { config: options.cloud });
    const edge = await runEdge(cloud.outputs, options.edge, options.edgeStack);
    return { cloud, edge };
}

export function runEdge(cloudOutputs: Record<string, StackOutput>, config: Record<string, unknown> = {}, stack = "edge"): Promise<StackRun> {
    return runStack(stack, {
        config: { role: "edge", kubeconfig: K3S_KUBECONFIG, ...config },
        secretKeys: ["kubeconfig"],
        stackReferences: { cloud: cloudOutputs },
    });
}
