import * as path from "node:path";
import { ClusterRole } from "kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRole";
import { ClusterRoleBinding } from "kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRoleBinding";
import { Secret } from "kubernetes-models/v1/Secret";
import { ServiceAccount } from "kubernetes-models/v1/ServiceAccount";
import { beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import {
    GATEWAY_IDENTITY,
    REMOTE_ACCESS_RULES,
    gatewayAddress,
    gatewayValues,
    isGatewayServiceUrn,
    remoteAccessServiceAccount,
} from "../components/multiclusterGateway";
import { FAKE_EDGE_PKI, K3S_KUBECONFIG, runEdge, runMesh } from "./fixtures";
import { SECRET, StackRun, helmChart, kubernetesObject, ofType, providerRef, runStack, single } from "./harness";
import { DEFAULT_GATEWAY_INGRESS, MOCK_EKS_CA_DATA, mockEksEndpoint, mockServiceAccountToken } from "./mocks";
import { isSecretValue } from "./secrets";
import { LINKERD_CRDS, crdValidator, itUpstream, unknownValuePaths } from "./upstream";
import { credentialsSecrets, linkManifest } from "../components/multiclusterLink";
import { MESH_IDENTITY_ANNOTATION } from "../components/trustPhases";

const linkValidator = () => crdValidator(path.join(LINKERD_CRDS, "links.multicluster.linkerd.io.yaml"), "v1alpha3");

describe("cloud side: the gateway and one credential per edge site", () => {
    let run: StackRun;
    beforeAll(async () => {
        run = await runStack("cloud", {
            config: { edgeSites: ["edge", "edge-berlin"], gatewaySourceCidrs: ["203.0.113.0/24", "198.51.100.7/32"] },
        });
    });

    it("installs linkerd-multicluster with the gateway behind an internet-facing NLB, open to gatewaySourceCidrs", () => {
        const chart = helmChart(run, "linkerd-multicluster");
        const podAnnotations = { [MESH_IDENTITY_ANNOTATION]: run.outputs.trust.value.issuers.cloud.meshIdentityChecksum };
        expect(chart.inputs.values.podAnnotations).toEqual(podAnnotations);
        expect(chart.inputs.values.gateway).toEqual({
            enabled: true,
            serviceType: "LoadBalancer",
            serviceAnnotations: {
                "service.beta.kubernetes.io/aws-load-balancer-type": "nlb",
                "service.beta.kubernetes.io/aws-load-balancer-scheme": "internet-facing",
            },
            loadBalancerSourceRanges: ["203.0.113.0/24", "198.51.100.7/32"],
            deploymentAnnotations: podAnnotations,
        });
        expect(chart.inputs.values.createNamespaceMetadataJob).toBe(false);
        expect(chart.inputs.namespace).toBe("linkerd-multicluster");
        expect(chart.inputs.version).toBe("2026.8.3");
        const controlPlane = helmChart(run, "linkerd-control-plane");
        expect(chart.dependencies).toContain(controlPlane.urn);
        const namespace = ofType(run, "kubernetes:core/v1:Namespace").find((ns) => ns.inputs.metadata.name === "linkerd-multicluster")!;
        expect(namespace.inputs.metadata.labels).toEqual({
            "linkerd.io/extension": "multicluster",
            "pod-security.kubernetes.io/enforce": "privileged",
        });
    });

    itUpstream("sets only values the pinned linkerd-multicluster chart reads", () => {
        expect(unknownValuePaths("linkerd-multicluster", helmChart(run, "linkerd-multicluster").inputs.values)).toEqual([]);
    });

    it("gives each edge site its own remote-access service account, cluster role and binding, and not through the chart", () => {
        const values = helmChart(run, "linkerd-multicluster").inputs.values;
        // The chart would render a second, unused token Secret per account.
        expect(values.remoteMirrorServiceAccount).toBe(false);
        expect(values).not.toHaveProperty("remoteMirrorServiceAccountName");
        const accounts = ["linkerd-service-mirror-remote-access-edge", "linkerd-service-mirror-remote-access-edge-berlin"];
        expect(
            ofType(run, "kubernetes:core/v1:ServiceAccount")
                .map((sa) => sa.inputs.metadata.name)
                .sort(),
        ).toEqual(accounts);
        for (const account of accounts) {
            const serviceAccount = ofType(run, "kubernetes:core/v1:ServiceAccount").find((sa) => sa.inputs.metadata.name === account)!;
            expect(serviceAccount.inputs.metadata.namespace).toBe("linkerd-multicluster");
            const role = ofType(run, "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole").find(
                (r) => r.inputs.metadata.name === account,
            )!;
            expect(role.inputs.rules).toEqual(REMOTE_ACCESS_RULES);
            const binding = ofType(run, "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding").find(
                (b) => b.inputs.metadata.name === account,
            )!;
            expect(binding.inputs.roleRef).toEqual({ apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: account });
            expect(binding.inputs.subjects).toEqual([{ kind: "ServiceAccount", name: account, namespace: "linkerd-multicluster" }]);
            expect(binding.dependencies).toEqual(expect.arrayContaining([serviceAccount.urn, role.urn]));
            // Stacks where the chart rendered them adopt them in place: the alias names the chart's child,
            // `<chart>:<namespace>/<name>` (or `<chart>:<name>` when cluster-scoped) under the chart.
            const chart = helmChart(run, "linkerd-multicluster");
            for (const [resource, childName] of [
                [serviceAccount, `cloud-multicluster:linkerd-multicluster/${account}`],
                [role, `cloud-multicluster:${account}`],
                [binding, `cloud-multicluster:${account}`],
            ] as const) {
                expect(resource.aliases, resource.type).toContainEqual(
                    expect.objectContaining({ name: childName, type: "", parenturn: chart.urn }),
                );
            }
            for (const [resource, apiVersion, kind] of [
                [serviceAccount, "v1", "ServiceAccount"],
                [role, "rbac.authorization.k8s.io/v1", "ClusterRole"],
                [binding, "rbac.authorization.k8s.io/v1", "ClusterRoleBinding"],
            ] as const) {
                const Model = { ServiceAccount, ClusterRole, ClusterRoleBinding }[kind];
                expect(() => new Model(kubernetesObject(resource, apiVersion, kind) as any).validate(), kind).not.toThrow();
            }
        }
    });

    it("has one token per site: a token Secret Pulumi waits on, created after its service account", () => {
        const tokens = ofType(run, SECRET).filter((secret) => secret.inputs.type === "kubernetes.io/service-account-token");
        expect(tokens.map((secret) => secret.inputs.metadata.annotations["kubernetes.io/service-account.name"]).sort()).toEqual([
            "linkerd-service-mirror-remote-access-edge",
            "linkerd-service-mirror-remote-access-edge-berlin",
        ]);
        for (const token of tokens) {
            const account = token.inputs.metadata.annotations["kubernetes.io/service-account.name"];
            expect(token.inputs.metadata.name).toBe(`${account}-link-token`);
            expect(token.inputs.metadata.annotations["pulumi.com/waitFor"]).toBe("jsonpath={.data.token}");
            expect(token.inputs.metadata.namespace).toBe("linkerd-multicluster");
            const serviceAccount = ofType(run, "kubernetes:core/v1:ServiceAccount").find((sa) => sa.inputs.metadata.name === account)!;
            expect(token.dependencies).toContain(serviceAccount.urn);
            expect(() => new Secret(kubernetesObject(token, "v1", "Secret") as any).validate()).not.toThrow();
        }
    });

    it("finds the gateway Service among the chart's objects by its URN", () => {
        const prefix = "urn:pulumi:cloud::edge-cloud-mesh::edge-cloud-mesh:multicluster:MulticlusterGateway$kubernetes:helm.sh/v4:Chart$";
        expect(isGatewayServiceUrn(`${prefix}kubernetes:core/v1:Service::cloud-multicluster:linkerd-multicluster/linkerd-gateway`)).toBe(
            true,
        );
        expect(isGatewayServiceUrn(`${prefix}kubernetes:apps/v1:Deployment::cloud-multicluster:linkerd-multicluster/linkerd-gateway`)).toBe(
            false,
        );
        expect(isGatewayServiceUrn(`${prefix}kubernetes:core/v1:Service::cloud-multicluster:linkerd-multicluster/probe-gateway`)).toBe(
            false,
        );
        expect(isGatewayServiceUrn("not a urn")).toBe(false);
        expect(isGatewayServiceUrn(undefined)).toBe(false);
    });

    it("reads the NLB address from the chart's gateway Service and exports the gateway endpoint", () => {
        expect(run.outputs.gateway).toEqual({
            value: {
                address: DEFAULT_GATEWAY_INGRESS[0].hostname,
                port: "4143",
                identity: "linkerd-gateway.linkerd-multicluster.serviceaccount.identity.linkerd.cluster.local",
                probePath: "/ready",
                probePort: "4191",
                probePeriod: "3s",
            },
            secret: false,
        });
        expect(GATEWAY_IDENTITY).toBe(run.outputs.gateway.value.identity);
    });

    it("exports per site a kubeconfig with the EKS endpoint, its CA inline and only that site's token", () => {
        for (const site of ["edge", "edge-berlin"]) {
            const kubeconfig = parse(run.outputs.edgeSites.value[site].linkKubeconfig);
            expect(kubeconfig.clusters).toEqual([
                {
                    name: "cloud",
                    cluster: { server: mockEksEndpoint("edge-cloud-mesh-cloud"), "certificate-authority-data": MOCK_EKS_CA_DATA },
                },
            ]);
            expect(kubeconfig.users).toHaveLength(1);
            expect(kubeconfig.users[0].user).toEqual({ token: mockServiceAccountToken(remoteAccessServiceAccount(site)) });
            expect(kubeconfig.users[0].name).toBe(remoteAccessServiceAccount(site));
            expect(kubeconfig.contexts).toEqual([{ name: "cloud", context: { cluster: "cloud", user: remoteAccessServiceAccount(site) } }]);
            expect(kubeconfig["current-context"]).toBe("cloud");
            expect(JSON.stringify(kubeconfig)).not.toMatch(/"exec"|"command"|client-key|client-certificate/);
        }
        expect(run.outputs.edgeSites.secret).toBe(true);
    });

    it("deletes the gateway's load balancer before the cluster and the VPC on destroy", () => {
        const provider = single(run, "pulumi:providers:kubernetes");
        const cluster = single(run, "eks:index:Cluster");
        const vpc = single(run, "aws:ec2/vpc:Vpc");
        const chart = helmChart(run, "linkerd-multicluster");
        // The chart (and the LoadBalancer Service it renders) is managed through the cluster's provider,
        // whose kubeconfig comes from the cluster, which sits in the VPC: destroy runs that chain backwards.
        expect(chart.providers.kubernetes).toBe(providerRef(provider));
        expect(provider.propertyDependencies.kubeconfig).toContain(cluster.urn);
        expect(cluster.propertyDependencies.vpcId).toContain(vpc.urn);
        const subnets = ofType(run, "aws:ec2/subnet:Subnet").map((subnet) => subnet.urn);
        expect(cluster.propertyDependencies.publicSubnetIds.sort()).toEqual(subnets.filter((urn) => urn.includes("public")).sort());
    });
});

describe("the gateway lookup among the chart's objects", () => {
    it("skips the objects that come back as plain ids (Linkerd's policy resources), whatever their order", async () => {
        // The mock chart lists Server, AuthorizationPolicy, MeshTLSAuthentication and NetworkAuthentication before the Service.
        const run = await runStack("cloud");
        expect(run.outputs.gateway.value.address).toBe(DEFAULT_GATEWAY_INGRESS[0].hostname);
    });

    it("yields an unknown address, not an error, in a preview that creates or replaces only the gateway Service", async () => {
        const run = await runStack("cloud", { previewGatewayServiceChange: true });
        // The SDK resolves an unknown output to undefined; a known endpoint always has an address.
        expect(run.outputs.gateway.value).toBeUndefined();
    });
});

describe("gateway address, as link-gen computes it", () => {
    it("takes an IP", () => expect(gatewayAddress([{ ip: "203.0.113.10" }])).toBe("203.0.113.10"));
    it("takes a hostname", () => expect(gatewayAddress([{ hostname: "nlb.example.com" }])).toBe("nlb.example.com"));
    it("prefers each entry's IP and joins several", () =>
        expect(gatewayAddress([{ ip: "203.0.113.10", hostname: "a.example.com" }, { hostname: "b.example.com" }, {}])).toBe(
            "203.0.113.10,b.example.com",
        ));
    it("fails when there is none, saying what to check", () => {
        expect(() => gatewayAddress([])).toThrow(/linkerd-multicluster\/linkerd-gateway has no load balancer address/);
        expect(() => gatewayAddress(undefined)).toThrow(/describe service linkerd-gateway/);
    });
    it("flows from the Service's status into the Link", async () => {
        const cloud = await runStack("cloud", { gatewayIngress: [{ ip: "203.0.113.10" }, { ip: "203.0.113.11" }] });
        const edge = await runEdge(cloud.outputs);
        expect(single(edge, "kubernetes:multicluster.linkerd.io/v1alpha3:Link").inputs.spec.gatewayAddress).toBe(
            "203.0.113.10,203.0.113.11",
        );
    });
});

describe("edge side: the link controller, its credentials and the Link", () => {
    let cloud: StackRun;
    let edge: StackRun;
    beforeAll(async () => {
        ({ cloud, edge } = await runMesh());
    });

    it("installs linkerd-multicluster with one controller for the cloud cluster and no gateway", () => {
        const chart = helmChart(edge, "linkerd-multicluster");
        expect(chart.inputs.values).toEqual({
            createNamespaceMetadataJob: false,
            gateway: { enabled: false },
            remoteMirrorServiceAccount: false,
            controllers: [{ link: { ref: { name: "cloud" } } }],
            podAnnotations: { [MESH_IDENTITY_ANNOTATION]: cloud.outputs.trust.value.issuers.edge.meshIdentityChecksum },
        });
        const controlPlane = helmChart(edge, "linkerd-control-plane");
        expect(chart.dependencies).toContain(controlPlane.urn);
    });

    it("declares the credentials Secret and its labelled copy in linkerd, as link-gen does", () => {
        const secrets = ofType(edge, SECRET);
        expect(secrets).toHaveLength(2);
        const byNamespace = Object.fromEntries(secrets.map((secret) => [secret.inputs.metadata.namespace, secret]));
        expect(byNamespace["linkerd-multicluster"].inputs.metadata).toEqual({
            name: "cluster-credentials-cloud",
            namespace: "linkerd-multicluster",
        });
        expect(byNamespace.linkerd.inputs.metadata).toEqual({
            name: "cluster-credentials-cloud",
            namespace: "linkerd",
            labels: { "multicluster.linkerd.io/cluster-name": "cloud" },
            annotations: {
                "multicluster.linkerd.io/trust-domain": "cluster.local",
                "multicluster.linkerd.io/cluster-domain": "cluster.local",
            },
        });
        for (const secret of secrets) {
            expect(secret.inputs.type).toBe("mirror.linkerd.io/remote-kubeconfig");
            expect(Object.keys(secret.inputs.data)).toEqual(["kubeconfig"]);
            expect(Buffer.from(secret.inputs.data.kubeconfig, "base64").toString()).toBe(cloud.outputs.edgeSites.value.edge.linkKubeconfig);
            expect(isSecretValue(secret.rawInputs.data)).toBe(true);
            expect(() => new Secret(kubernetesObject(secret, "v1", "Secret") as any).validate()).not.toThrow();
        }
    });

    itUpstream("sets only values the pinned linkerd-multicluster chart reads", () => {
        expect(unknownValuePaths("linkerd-multicluster", helmChart(edge, "linkerd-multicluster").inputs.values)).toEqual([]);
    });

    it("declares the Link with every field link-gen sets", () => {
        const link = single(edge, "kubernetes:multicluster.linkerd.io/v1alpha3:Link");
        const manifest = kubernetesObject(link, "multicluster.linkerd.io/v1alpha3", "Link");
        // What link-gen of edge-26.8.3 writes (pkg/k8s/labels.go CreatedByAnnotationValue: "linkerd/cli " + version),
        // and what `linkerd multicluster check` (check.go checkLinkVersions) compares with its own version.
        expect(manifest.metadata).toEqual({
            name: "cloud",
            namespace: "linkerd-multicluster",
            annotations: { "linkerd.io/created-by": "linkerd/cli edge-26.8.3" },
        });
        expect(manifest.spec).toEqual({
            targetClusterName: "cloud",
            targetClusterDomain: "cluster.local",
            targetClusterLinkerdNamespace: "linkerd",
            clusterCredentialsSecret: "cluster-credentials-cloud",
            gatewayAddress: DEFAULT_GATEWAY_INGRESS[0].hostname,
            gatewayPort: "4143",
            gatewayIdentity: "linkerd-gateway.linkerd-multicluster.serviceaccount.identity.linkerd.cluster.local",
            probeSpec: { path: "/ready", port: "4191", period: "3s", timeout: "30s", failureThreshold: "3" },
            selector: { matchLabels: { "mirror.linkerd.io/exported": "true" } },
            remoteDiscoverySelector: { matchLabels: { "mirror.linkerd.io/exported": "remote-discovery" } },
            federatedServiceSelector: { matchLabels: { "mirror.linkerd.io/federated": "member" } },
        });
    });

    itUpstream("declares a Link valid against the pinned CRD schema", () => {
        const validate = linkValidator();
        const manifest = kubernetesObject(
            single(edge, "kubernetes:multicluster.linkerd.io/v1alpha3:Link"),
            "multicluster.linkerd.io/v1alpha3",
            "Link",
        );
        expect(validate(manifest), JSON.stringify(validate.errors)).toBe(true);
    });

    it("creates the Link after the chart that installs its CRD, and after its credentials", () => {
        const link = single(edge, "kubernetes:multicluster.linkerd.io/v1alpha3:Link");
        expect(link.dependencies).toContain(helmChart(edge, "linkerd-multicluster").urn);
        for (const secret of ofType(edge, SECRET)) expect(link.dependencies).toContain(secret.urn);
        expect(link.provider).toBe(providerRef(single(edge, "pulumi:providers:kubernetes")));
    });

    it("outputs the cluster it links to", () => {
        expect(edge.outputs.linkedCluster).toEqual({ value: "cloud", secret: false });
    });

    itUpstream("rejects a Link that breaks the CRD schema (the check can fail)", () => {
        const link = single(edge, "kubernetes:multicluster.linkerd.io/v1alpha3:Link");
        const broken = { ...kubernetesObject(link, "multicluster.linkerd.io/v1alpha3", "Link") };
        broken.spec = { ...broken.spec, gatewayPort: 4143 };
        expect(linkValidator()(broken)).toBe(false);
    });
});

describe("two edge sites", () => {
    it("each get their own service account, token, issuer and link", async () => {
        const cloud = await runStack("cloud", { config: { edgeSites: ["edge", "edge-berlin"] } });
        const runs = { edge: await runEdge(cloud.outputs), "edge-berlin": await runEdge(cloud.outputs, {}, "edge-berlin") };
        const seen = new Set<string>();
        for (const [site, run] of Object.entries(runs)) {
            const secret = ofType(run, SECRET).find((s) => s.inputs.metadata.namespace === "linkerd-multicluster")!;
            const kubeconfig = parse(Buffer.from(secret.inputs.data.kubeconfig, "base64").toString());
            expect(kubeconfig.users[0].user.token).toBe(mockServiceAccountToken(remoteAccessServiceAccount(site)));
            const issuer = helmChart(run, "linkerd-control-plane").inputs.values.identity.issuer.tls.crtPEM;
            expect(issuer).toBe(cloud.outputs.edgeSites.value[site].issuerCertPem);
            seen.add(issuer);
            expect(single(run, "kubernetes:multicluster.linkerd.io/v1alpha3:Link").inputs.spec.targetClusterName).toBe("cloud");
        }
        expect(seen.size).toBe(2);
    });
});

/** The k3s admin client key as the kubeconfig carries it. */
const K3S_CLIENT_KEY_DATA = Buffer.from(FAKE_EDGE_PKI.clientKeyPem).toString("base64");

describe("secrets stay secret", () => {
    /** Strings that must never appear outside a Pulumi secret, in the clear or base64-encoded. */
    function sensitive(cloud: StackRun): string[] {
        const sites = Object.values<any>(cloud.outputs.edgeSites.value);
        const keyBodies = (pem: string) => pem.split("\n").filter((line) => line && !line.startsWith("-----"));
        return [
            ...sites.flatMap((site) => [...keyBodies(site.issuerKeyPem), site.linkKubeconfig]),
            ...sites.map((_, index) =>
                mockServiceAccountToken(remoteAccessServiceAccount(Object.keys(cloud.outputs.edgeSites.value)[index])),
            ),
            ...ofType(cloud, "tls:index/locallySignedCert:LocallySignedCert").flatMap((cert) => keyBodies(cert.inputs.caPrivateKeyPem)),
            cloud.outputs.kubeconfig.value,
            K3S_CLIENT_KEY_DATA, // the k3s client key
        ];
    }

    function leaks(value: unknown, secrets: string[], insideSecret = false): string[] {
        if (isSecretValue(value)) return [];
        if (typeof value === "string") {
            if (insideSecret) return [];
            const decoded = /^[A-Za-z0-9+/=\s]{16,}$/.test(value) ? Buffer.from(value, "base64").toString() : "";
            const found = secrets.filter((secret) => value.includes(secret) || decoded.includes(secret));
            return found.length > 0 || /PRIVATE KEY/.test(value) ? [value.slice(0, 60)] : [];
        }
        if (value !== null && typeof value === "object") return Object.values(value).flatMap((item) => leaks(item, secrets, insideSecret));
        return [];
    }

    it("never passes a key, token or kubeconfig unwrapped to a resource or a stack output", async () => {
        const { cloud, edge } = await runMesh();
        const secrets = sensitive(cloud);
        expect(secrets.length).toBeGreaterThan(5);
        for (const run of [cloud, edge]) {
            for (const resource of run.resources) {
                // A tls resource's own key inputs are wrapped by the tls SDK, like the engine does.
                expect(leaks(resource.rawInputs, secrets), `${resource.type} ${resource.name}`).toEqual([]);
            }
            for (const [name, output] of Object.entries(run.outputs)) {
                if (!output.secret) expect(leaks(output.value, secrets), `output ${name}`).toEqual([]);
            }
        }
    });

    it("would notice a leak (the scan can fail)", () => {
        expect(leaks({ data: { kubeconfig: Buffer.from(K3S_KUBECONFIG).toString("base64") } }, [K3S_CLIENT_KEY_DATA])).not.toEqual([]);
        expect(leaks({ keyPEM: "-----BEGIN PRIVATE KEY-----\nabc\n" }, [])).not.toEqual([]);
    });
});

describe("link values", () => {
    it("leave the remote-access accounts (and their extra token Secrets) out of the chart: the program declares one token per site", () => {
        expect(
            gatewayValues({ sourceCidrs: ["0.0.0.0/0"], loadBalancer: { kind: "aws-nlb", subnetIds: [] }, podAnnotations: {} })
                .remoteMirrorServiceAccount,
        ).toBe(false);
        expect(
            gatewayValues({ sourceCidrs: ["0.0.0.0/0"], loadBalancer: { kind: "aws-nlb", subnetIds: [] }, podAnnotations: {} }),
        ).not.toHaveProperty("remoteMirrorServiceAccountName");
    });

    it("put the same kubeconfig into both credentials Secrets, base64-encoded", () => {
        const secrets = credentialsSecrets("cloud", "apiVersion: v1\n");
        expect(secrets.controller.data).toEqual({ kubeconfig: Buffer.from("apiVersion: v1\n").toString("base64") });
        expect(secrets.destination.data).toEqual(secrets.controller.data);
        expect(secrets.controller.metadata).toEqual({ name: "cluster-credentials-cloud" }); // its namespace: the component states it (multicluster.test.ts)
    });

    it("name the Link and its secret after the target", () => {
        const link = linkManifest(
            "east",
            { address: "a", port: "4143", identity: "i", probePath: "/ready", probePort: "4191", probePeriod: "3s" },
            "2027.10.12",
        );
        expect(link.metadata.name).toBe("east");
        expect(link.metadata.annotations).toEqual({ "linkerd.io/created-by": "linkerd/cli edge-27.10.12" });
        expect(link.spec.clusterCredentialsSecret).toBe("cluster-credentials-east");
        expect(link.spec.targetClusterName).toBe("east");
    });
});
