// Pulumi mocks that answer like the real providers where the program reads an answer back.
import * as pulumi from "@pulumi/pulumi";
import { GRAVITON_INSTANCE_TYPES } from "../components/gravitonInstanceTypes";
import type { LoadBalancerIngress } from "../components/multiclusterGateway";
import { specialResourceSig, specialSigKey } from "@pulumi/pulumi/runtime/rpc";
import * as settings from "@pulumi/pulumi/runtime/settings";
import { unwrapSecrets } from "./secrets";
import { mockCertRequest, mockLocallySignedCert, mockPrivateKey, mockSelfSignedCert } from "./tlsMock";

/**
 * The AWS account and region the provider functions answer for: its zones (names with their IDs, as
 * DescribeAvailabilityZones lists them), the instance types each zone offers, who calls, the IAM roles
 * GetRole finds and the EKS clusters that exist. Tests vary it through runStack's `aws` option.
 */
export interface MockAwsWorld {
    region: string;
    /** Zones as DescribeAvailabilityZones lists them: available and needing no opt-in unless said (a Local Zone is opted in). */
    zones: { name: string; zoneId: string; state?: "available" | "impaired"; optInStatus?: "opt-in-not-required" | "opted-in" }[];
    /** Instance types offered, by zone name. */
    offerings: Record<string, readonly string[]>;
    /** The caller: what getCallerIdentity answers. */
    caller: { arn: string; userId: string };
    /** IAM roles by name, as their ARN with path: what iam:GetRole finds for getSessionContext. */
    roles: Record<string, string>;
    /** The EKS clusters the region has, by name: what ListClusters answers. */
    eksClusters: string[];
}

export const MOCK_ACCOUNT = "123456789012";

/** Callers of each kind, as STS answers GetCallerIdentity for them, with the roles IAM has. */
export const CALLERS = {
    iamUser: { caller: { arn: `arn:aws:iam::${MOCK_ACCOUNT}:user/deployer`, userId: "AIDAEXAMPLEUSERID0001" }, roles: {} },
    assumedRole: {
        caller: { arn: `arn:aws:sts::${MOCK_ACCOUNT}:assumed-role/deployer/pulumi`, userId: "AROAEXAMPLEROLEID0001:pulumi" },
        roles: { deployer: `arn:aws:iam::${MOCK_ACCOUNT}:role/team/deployer` },
    },
    ssoPermissionSet: {
        caller: {
            arn: `arn:aws:sts::${MOCK_ACCOUNT}:assumed-role/AWSReservedSSO_Admin_0123456789abcdef/alice@example.com`,
            userId: "AROAEXAMPLEROLEID0002:alice@example.com",
        },
        roles: {
            AWSReservedSSO_Admin_0123456789abcdef: `arn:aws:iam::${MOCK_ACCOUNT}:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_Admin_0123456789abcdef`,
        },
    },
} satisfies Record<string, Pick<MockAwsWorld, "caller" | "roles">>;

const EU_WEST_1_ZONES = [
    { name: "eu-west-1a", zoneId: "euw1-az2" },
    { name: "eu-west-1b", zoneId: "euw1-az3" },
    { name: "eu-west-1c", zoneId: "euw1-az1" },
];

/** eu-west-1 (the stack file's region), every zone offering every type the program accepts, an IAM user calling. */
export const DEFAULT_AWS_WORLD: MockAwsWorld = {
    region: "eu-west-1",
    zones: EU_WEST_1_ZONES,
    offerings: Object.fromEntries(EU_WEST_1_ZONES.map((zone) => [zone.name, Object.keys(GRAVITON_INSTANCE_TYPES)])),
    ...CALLERS.iamUser,
    eksClusters: [],
};

export const awsWorld = { current: DEFAULT_AWS_WORLD };

/** The tokens of the provider functions the program called in this run, in order. */
export const invokedTokens: string[] = [];

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
        invokedTokens.push(args.token);
        const world = awsWorld.current;
        switch (args.token) {
            case "aws:index/getRegion:getRegion":
                return { id: world.region, name: world.region, region: world.region, endpoint: `ec2.${world.region}.amazonaws.com` };
            case "aws:index/getPartition:getPartition":
                return { id: "aws", partition: "aws", dnsSuffix: "amazonaws.com", reverseDnsPrefix: "com.amazonaws" };
            case "aws:index/getAvailabilityZones:getAvailabilityZones":
                return availabilityZones(world, args.inputs);
            case "aws:ec2/getInstanceTypeOfferings:getInstanceTypeOfferings":
                return instanceTypeOfferings(world, args.inputs);
            case "aws:eks/getClusters:getClusters":
                return { id: world.region, region: world.region, names: world.eksClusters };
            case "aws:index/getCallerIdentity:getCallerIdentity":
                return { id: MOCK_ACCOUNT, accountId: MOCK_ACCOUNT, arn: world.caller.arn, userId: world.caller.userId };
            case "aws:iam/getSessionContext:getSessionContext":
                return sessionContext(world, args.token, args.inputs.arn);
            case "pulumi:pulumi:readStackOutputs":
                try {
                    return stackOutputs(args.inputs.name);
                } catch (error) {
                    throw invokeError(args.token, (error as Error).message);
                }
            default:
                throw new Error(`no mock for the call ${args.token}`);
        }
    },
};

/**
 * The resource monitor's answer to a failed invoke, which the SDK turns into new Error(details)
 * (pkg/resource/deploy/source_eval.go Invoke; sdk/nodejs runtime/invoke.ts).
 */
function invokeError(token: string, message: string): Error {
    return Object.assign(new Error(message), { code: 2, details: `invocation of ${token} returned an error: ${message}` });
}

/**
 * As terraform-provider-aws's aws_availability_zones answers: the zones in `state` and within the
 * opt-in-status filter (DescribeAvailabilityZones), sorted by name, names and IDs index by index, with
 * excludeNames and excludeZoneIds dropped.
 */
function availabilityZones(world: MockAwsWorld, inputs: Record<string, any>) {
    const filters: { name: string; values: string[] }[] = inputs.filters ?? [];
    const unknown = filters.find((filter) => filter.name !== "opt-in-status");
    if (unknown !== undefined) throw new Error(`no mock for the availability-zone filter ${unknown.name}`);
    const optIn = filters.find((filter) => filter.name === "opt-in-status")?.values;
    const zones = [...world.zones]
        .filter((zone) => inputs.state === undefined || (zone.state ?? "available") === inputs.state)
        .filter((zone) => optIn === undefined || optIn.includes(zone.optInStatus ?? "opt-in-not-required"))
        .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
        .filter((zone) => !(inputs.excludeNames ?? []).includes(zone.name) && !(inputs.excludeZoneIds ?? []).includes(zone.zoneId));
    return { ...inputs, id: world.region, names: zones.map((zone) => zone.name), zoneIds: zones.map((zone) => zone.zoneId) };
}

/**
 * As aws_ec2_instance_type_offerings answers: one (type, location) per offering, index by index,
 * within the instance-type and location filters, locations named as locationType says.
 */
function instanceTypeOfferings(world: MockAwsWorld, inputs: Record<string, any>) {
    const filter = (name: string): string[] | undefined => inputs.filters?.find((f: any) => f.name === name)?.values;
    const byId = inputs.locationType === "availability-zone-id";
    if (!byId && inputs.locationType !== "availability-zone") throw new Error(`no mock for locationType ${inputs.locationType}`);
    const offerings = world.zones.flatMap((zone) =>
        (world.offerings[zone.name] ?? []).map((instanceType) => ({ instanceType, location: byId ? zone.zoneId : zone.name })),
    );
    const wanted = offerings.filter(
        (offering) =>
            (filter("instance-type")?.includes(offering.instanceType) ?? true) && (filter("location")?.includes(offering.location) ?? true),
    );
    return {
        ...inputs,
        id: world.region,
        instanceTypes: wanted.map((offering) => offering.instanceType),
        locations: wanted.map((offering) => offering.location),
        locationTypes: wanted.map(() => inputs.locationType),
    };
}

/**
 * As aws_iam_session_context answers (terraform-provider-aws session_context_data_source.go): for an
 * STS assumed-role ARN, the role's IAM ARN with its path from iam:GetRole; any other ARN passed through.
 */
function sessionContext(world: MockAwsWorld, token: string, arn: string) {
    const [, , service, , , resource = ""] = arn.split(":");
    if (service !== "sts" || !/^assumed-role\/.{1,}\/.{2,}/.test(resource)) {
        return { id: arn, arn, issuerArn: arn, issuerId: "", issuerName: "", sessionName: "" };
    }
    const parts = resource.split("/");
    const [roleName, sessionName] = parts.slice(-2);
    const roleArn = world.roles[roleName];
    if (roleArn === undefined) {
        throw invokeError(
            token,
            `unable to get role (${roleName}): operation error IAM: GetRole, https response error StatusCode: 403, api error AccessDenied: ` +
                `User: ${arn} is not authorized to perform: iam:GetRole on resource: role ${roleName}`,
        );
    }
    return { id: arn, arn, issuerArn: roleArn, issuerId: "AROAEXAMPLE", issuerName: roleName, sessionName };
}
