// Pulumi mocks that answer like the real providers where the program reads an answer back.
import * as pulumi from "@pulumi/pulumi";
import type { LoadBalancerIngress } from "../components/multiclusterGateway";
import { specialResourceSig, specialSigKey } from "@pulumi/pulumi/runtime/rpc";
import * as settings from "@pulumi/pulumi/runtime/settings";
import { unwrapSecrets } from "./secrets";
import { mockCertRequest, mockLocallySignedCert, mockPrivateKey, mockSelfSignedCert } from "./tlsMock";

export const MOCK_AVAILABILITY_ZONES = ["eu-west-1a", "eu-west-1b", "eu-west-1c"];
export const MOCK_EKS_CA_DATA = Buffer.from("-----BEGIN CERTIFICATE-----\nMOCK-EKS-CA\n-----END CERTIFICATE-----\n").toString("base64");

export function mockEksEndpoint(clusterName: string): string {
    return `https://${clusterName.toUpperCase().replace(/[^A-Z0-9]/g, "")}.gr7.eu-west-1.eks.amazonaws.com`;
}

/** The kubeconfig pulumi-eks writes: the endpoint, the CA inline, and `aws eks get-token`. */
export function mockEksKubeconfig(clusterName: string): object {
    return {
        apiVersion: "v1",
        kind: "Config",
        clusters: [
            { name: "kubernetes", cluster: { server: mockEksEndpoint(clusterName), "certificate-authority-data": MOCK_EKS_CA_DATA } },
        ],
        contexts: [{ name: "aws", context: { cluster: "kubernetes", user: "aws" } }],
        "current-context": "aws",
        users: [
            {
                name: "aws",
                user: {
                    exec: {
                        apiVersion: "client.authentication.k8s.io/v1beta1",
                        command: "aws",
                        args: ["eks", "get-token", "--cluster-name", clusterName, "--output", "json"],
                    },
                },
            },
        ],
    };
}

/** The kubeconfig the EKS cluster's mock returns instead of mockEksKubeconfig's, when set: one for a loopback API server of a test's. */
export const eksKubeconfig = { current: undefined as object | undefined };

/** The NLB address AWS gives the gateway Service, as `status.loadBalancer.ingress`. */
export const DEFAULT_GATEWAY_INGRESS = [{ hostname: "k8s-linkerdm-linkerdg-0123456789-0123456789abcdef.elb.eu-west-1.amazonaws.com" }];
export const gatewayIngress = { current: DEFAULT_GATEWAY_INGRESS as LoadBalancerIngress[] };

/** The token Kubernetes puts into a service-account token Secret. */
export function mockServiceAccountToken(serviceAccount: string): string {
    return `eyJhbGciOiJSUzI1NiJ9.mock-token-for-${serviceAccount}`;
}

/**
 * Whether the gateway Service is being created or replaced in this (preview) run: the engine then has
 * no id for it, and its status is a dry run's, without a load balancer address.
 */
export const gatewayServicePending = { current: false };

/** The policy resources linkerd-multicluster renders with its gateway (gateway-policy.yaml), kinds the SDK has no class for. */
const GATEWAY_POLICY_OBJECTS = [
    ["policy.linkerd.io/v1beta3:Server", "linkerd-gateway"],
    ["policy.linkerd.io/v1alpha1:AuthorizationPolicy", "linkerd-gateway"],
    ["policy.linkerd.io/v1alpha1:MeshTLSAuthentication", "any-meshed"],
    ["policy.linkerd.io/v1alpha1:NetworkAuthentication", "source-cluster"],
];

/**
 * What a rendered chart registers that the program reads back: for linkerd-multicluster with its
 * gateway, its policy resources and the gateway Service (as the engine holds it after `up`: with its
 * load balancer's address). Returned as resource references, which the SDK resolves through the
 * engine's getResource where it has a class for the kind, and to the plain id where not.
 */
function renderedObjects(chartName: string, inputs: Record<string, any>): object[] {
    if (inputs.chart !== "linkerd-multicluster" || inputs.values?.gateway?.enabled !== true) return [];
    const childUrn = (type: string, name: string) =>
        `urn:pulumi:${pulumi.getStack()}::${pulumi.getProject()}::kubernetes:helm.sh/v4:Chart$kubernetes:${type}::${chartName}:linkerd-multicluster/${name}`;
    const policies = GATEWAY_POLICY_OBJECTS.map(([type, name]) => ({
        [specialSigKey]: specialResourceSig,
        urn: childUrn(type, name),
        id: `linkerd-multicluster/${name}`,
    }));
    const urn = childUrn("core/v1:Service", "linkerd-gateway");
    const pending = gatewayServicePending.current;
    const id = pending ? "" : "linkerd-multicluster/linkerd-gateway";
    const state = {
        metadata: { name: "linkerd-gateway", namespace: "linkerd-multicluster" },
        spec: { type: "LoadBalancer" },
        status: { loadBalancer: pending ? {} : { ingress: gatewayIngress.current } },
    };
    (settings.getMonitor() as any).resources.set(urn, { urn, id, state });
    // The policy resources first: cli-utils' order puts them after the Service, but nothing promises it.
    return [...policies, { [specialSigKey]: specialResourceSig, urn, id }];
}

/** The stacks that exist, by name, with their outputs as a run of that stack returned them. */
export const stackReferenceOutputs = new Map<string, Record<string, { value: any; secret: boolean }>>();

/**
 * A stack's outputs as the engine's builtin provider reads them for a StackReference and for the
 * function readStackOutputs (pkg/resource/deploy/builtins.go readStackReference); a stack that does not
 * exist fails as the backend client does (pkg/backend/backend.go GetStackOutputs: `unknown stack "<name>"`).
 */
function stackOutputs(name: string): Record<string, any> {
    const outputs = stackReferenceOutputs.get(name);
    if (outputs === undefined) throw new Error(`unknown stack ${JSON.stringify(name)}`);
    return {
        name,
        outputs: Object.fromEntries(Object.entries(outputs).map(([key, output]) => [key, output.value])),
        secretOutputNames: Object.entries(outputs)
            .filter(([, output]) => output.secret)
            .map(([key]) => key),
    };
}

async function resourceState(type: string, name: string, inputs: Record<string, any>): Promise<Record<string, any>> {
    switch (type) {
        case "tls:index/privateKey:PrivateKey":
            return mockPrivateKey(inputs);
        case "tls:index/selfSignedCert:SelfSignedCert":
            return mockSelfSignedCert(inputs);
        case "tls:index/certRequest:CertRequest":
            return mockCertRequest(inputs);
        case "tls:index/locallySignedCert:LocallySignedCert":
            return mockLocallySignedCert(inputs);
        case "kubernetes:core/v1:Secret":
            if (inputs.type !== "kubernetes.io/service-account-token") return inputs;
            return {
                ...inputs,
                data: {
                    token: Buffer.from(mockServiceAccountToken(inputs.metadata.annotations["kubernetes.io/service-account.name"])).toString(
                        "base64",
                    ),
                },
            };
        case "kubernetes:helm.sh/v4:Chart":
            return { ...inputs, resources: renderedObjects(name, inputs) };
        case "pulumi:pulumi:StackReference":
            return stackOutputs(inputs.name);
        case "eks:index:Cluster": {
            const kubeconfig = eksKubeconfig.current ?? mockEksKubeconfig(inputs.name ?? name);
            return { ...inputs, kubeconfig, kubeconfigJson: pulumi.secret(JSON.stringify(kubeconfig)) };
        }
        default:
            // AWS resources are auto-named by the provider; give them their logical name and an ARN.
            if (type.startsWith("aws:")) return { name, arn: `arn:aws:mock::000000000000:${name}`, ...inputs };
            return inputs;
    }
}

/**
 * What the engine keeps in state: a resource registered again with the same inputs gets the same
 * outputs, as on a second `pulumi up` (keys and certificates are not issued anew).
 */
const state = new Map<string, Record<string, any>>();

export const mocks: pulumi.runtime.Mocks = {
    async newResource(args) {
        const inputs = unwrapSecrets(args.inputs);
        const stateKey = JSON.stringify([args.type, args.name, inputs]);
        // Reads (StackReferences), rendered charts and an EKS cluster (eksKubeconfig) look at the world as it is now.
        if (!state.has(stateKey) || args.id || args.type === "kubernetes:helm.sh/v4:Chart" || args.type === "eks:index:Cluster") {
            state.set(stateKey, await resourceState(args.type, args.name, inputs));
        }
        return { id: args.id || `${args.name}_id`, state: state.get(stateKey)! };
    },
    call(args) {
        switch (args.token) {
            case "aws:index/getRegion:getRegion":
                return {
                    id: "eu-west-1",
                    name: "eu-west-1",
                    region: "eu-west-1",
                    endpoint: "ec2.eu-west-1.amazonaws.com",
                    description: "Europe (Ireland)",
                };
            case "aws:index/getPartition:getPartition":
                return { id: "aws", partition: "aws", dnsSuffix: "amazonaws.com", reverseDnsPrefix: "com.amazonaws" };
            case "aws:index/getAvailabilityZones:getAvailabilityZones":
                return { names: MOCK_AVAILABILITY_ZONES, zoneIds: MOCK_AVAILABILITY_ZONES.map((_, index) => `euw1-az${index + 1}`) };
            case "pulumi:pulumi:readStackOutputs":
                try {
                    return stackOutputs(args.inputs.name);
                } catch (error) {
                    // The resource monitor's answer to a failed invoke, which the SDK turns into new Error(details)
                    // (pkg/resource/deploy/source_eval.go Invoke; sdk/nodejs runtime/invoke.ts).
                    throw Object.assign(new Error((error as Error).message), {
                        code: 2,
                        details: `invocation of ${args.token} returned an error: ${(error as Error).message}`,
                    });
                }
            default:
                throw new Error(`no mock for the call ${args.token}`);
        }
    },
};
