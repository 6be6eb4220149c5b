// edge-cloud-mesh: one Linkerd mesh across EKS on Graviton, or any cluster (`cluster: kubeconfig`),
// as "cloud" and a k3s cluster ("edge").
// Each stack builds one side, in the order of the tutorial this replaces:
// config → cluster → mesh identity → Linkerd → link → demo.
import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import {
    destroyOrder,
    KubeAccess,
    eksKubeAccess,
    frontendCommand,
    kubeconfigAccess,
    kubeconfigCommand,
    kubectlCommand,
    vizDashboardCommand,
    watchSplitCommand,
} from "./commands";
import { CloudConfig, EdgeConfig, EksCloudConfig, KubeconfigAccess, KubeconfigCloudConfig, PROJECT, loadConfig } from "./config";
import { CloudStackOutputs, EdgeStackOutputs, EksCloudStackOutputs, StackOutputs, readCloudStack } from "./contract";
import { ClusterVpc, chooseZones, surveyZones } from "./components/clusterVpc";
import {
    DEMO_NAMESPACE,
    DemoWorkloads,
    EXPORTED_PODINFO,
    FRONTEND,
    PODINFO,
    PODINFO_PORT,
    PODINFO_SELECTOR,
    mirroredServiceName,
} from "./components/demoWorkloads";
import { CallerIdentity, EksCluster, creatingIdentity, creatorAdminProblem } from "./components/eksCluster";
import { checkGatewayApiCrds, checkedOnceCreated } from "./components/gatewayApiCrds";
import { KubeconfigCluster, assertReachable } from "./components/kubeconfigCluster";
import { GatewayApiCrds, LinkerdInstall } from "./components/linkerdInstall";
import { MeshIdentity, meshIdentityChecksum } from "./components/meshIdentity";
import { GatewayLoadBalancer, MulticlusterGateway } from "./components/multiclusterGateway";
import { MulticlusterLink } from "./components/multiclusterLink";
import { MIRRORED_SERVICE_ANNOTATIONS, TrafficSplit, splitServiceAnnotations, splitWeights } from "./components/trafficSplit";
import { MESH_IDENTITY_ANNOTATION } from "./components/trustPhases";

/** The cloud cluster as the rest of the cloud stack uses it, whatever kind it is. */
interface CloudCluster {
    provider: k8s.Provider;
    /** Where edge sites reach its API server, and the CA that signs the server's certificate. */
    apiEndpoint: pulumi.Input<string>;
    certificateAuthorityData: pulumi.Input<string>;
    /** What linkerd-crds does about the Gateway API CRDs, once the cluster has been checked for them. */
    gatewayApiCrds: pulumi.Input<GatewayApiCrds>;
    loadBalancer: GatewayLoadBalancer;
    /** How kubectl on the operator's machine reaches it. */
    access: KubeAccess;
    /** The outputs only this kind of cluster has. */
    outputs: Partial<StackOutputs<EksCloudStackOutputs>>;
}

/**
 * What only AWS can tell, checked before anything is declared: that the identity about to create the
 * cluster is not in clusterAdmins, and which zones the new VPC uses.
 */
async function checkWithAws(config: EksCloudConfig): Promise<{ zones: string[] }> {
    if (config.clusterAdmins.length > 0) {
        let creator: CallerIdentity | undefined;
        try {
            creator = await creatingIdentity(config.eksClusterName);
        } catch (error) {
            throw new pulumi.RunError(
                `${PROJECT}:clusterAdmins: the program checks that the identity creating the cluster is not listed (EKS would refuse ` +
                    `its entry), and could not read that identity; it needs eks:ListClusters, sts:GetCallerIdentity and, for a role, ` +
                    `iam:GetRole on it: ${(error as Error).message}`,
            );
        }
        const problem = creator && creatorAdminProblem(creator, config.clusterAdmins);
        // A preview only foretells what `up` by this identity would meet: CI's preview role, listed in
        // clusterAdmins, never creates the cluster, but may preview before the first `up`.
        if (problem !== undefined && pulumi.runtime.isDryRun())
            pulumi.log.warn(`${PROJECT}:clusterAdmins: \`pulumi up\` would stop: ${problem}`);
        else if (problem !== undefined) throw new pulumi.RunError(`${PROJECT}:clusterAdmins: ${problem}`);
    }
    if (config.network.kind === "existing") return { zones: [] };
    const chosen = chooseZones(await surveyZones(config.instanceTypes), config.instanceTypes, config.network.availabilityZoneCount);
    if ("problem" in chosen) throw new pulumi.RunError(`${PROJECT}:availabilityZoneCount: ${chosen.problem}`);
    return chosen;
}

/** An EKS cluster on Graviton, in a VPC of its own or an existing one. */
async function eksCloudCluster(config: EksCloudConfig): Promise<CloudCluster> {
    const { zones } = await checkWithAws(config);
    const network =
        config.network.kind === "existing"
            ? { ...config.network, nodeSubnetIds: config.network.privateSubnetIds }
            : new ClusterVpc("cloud", { cidr: config.network.cidr, zones, nodeSubnets: config.network.nodeSubnets });
    const cluster = new EksCluster("cloud", {
        eksClusterName: config.eksClusterName,
        vpcId: network.vpcId,
        publicSubnetIds: network.publicSubnetIds,
        privateSubnetIds: network.privateSubnetIds,
        nodeSubnetIds: network.nodeSubnetIds,
        kubernetesVersion: config.kubernetesVersion,
        supportType: config.supportType,
        clusterAdmins: config.clusterAdmins,
        awsIdentity: config.awsIdentity,
        networkReady: network instanceof ClusterVpc ? network.egress : [],
        apiAccessCidrs: config.apiAccessCidrs,
        instanceTypes: config.instanceTypes,
        capacityType: config.capacityType,
        nodes: config.nodes,
    });
    return {
        provider: cluster.provider,
        apiEndpoint: cluster.endpoint,
        certificateAuthorityData: cluster.certificateAuthorityData,
        // Checked once the cluster exists (EKS ships none): see checkedOnceCreated.
        gatewayApiCrds:
            config.gatewayApiCrds === "existing"
                ? checkedOnceCreated({ role: "cloud", clusterName: config.clusterName }, cluster.kubeconfig)
                : config.gatewayApiCrds,
        // An existing VPC may have other public subnets; the program's own VPC has only these.
        loadBalancer: { kind: "aws-nlb", subnetIds: config.network.kind === "existing" ? config.network.publicSubnetIds : [] },
        access: eksKubeAccess(config.clusterName),
        outputs: {
            eksClusterName: cluster.eksClusterName,
            kubeconfig: cluster.kubeconfig,
            // The region the AWS provider deploys to, however it was given (aws:region, AWS_REGION, a profile).
            kubeconfigCommand: aws.getRegionOutput().region.apply((region) =>
                kubeconfigCommand({
                    region,
                    eksClusterName: config.eksClusterName,
                    clusterName: config.clusterName,
                    awsIdentity: config.awsIdentity,
                }),
            ),
        },
    };
}

/**
 * A cluster reached through a kubeconfig (the edge, or the cloud with `cluster: kubeconfig`): reachable,
 * with the Gateway API CRDs its `gatewayApiCrds` needs (a kubeconfig cloud's left empty follows the cluster), checked
 * before anything is declared; then its provider.
 */
async function reachKubeconfigCluster(
    role: "cloud" | "edge",
    config: KubeconfigAccess & { clusterName: string; gatewayApiCrds: GatewayApiCrds | undefined },
): Promise<{ cluster: KubeconfigCluster; gatewayApiCrds: GatewayApiCrds }> {
    await assertReachable({ role, clusterName: config.clusterName }, config.apiServer);
    const gatewayApiCrds = await checkGatewayApiCrds({
        role,
        clusterName: config.clusterName,
        mode: config.gatewayApiCrds,
        kubeconfig: config.kubeconfig,
        kubeContext: config.kubeContext,
    });
    const cluster = new KubeconfigCluster(role, {
        role,
        clusterName: config.clusterName,
        kubeconfig: config.kubeconfig,
        kubeContext: config.kubeContext,
    });
    return { cluster, gatewayApiCrds };
}

/**
 * An existing cluster reached through a kubeconfig (k3d, k3s, another provider's): no AWS resource and
 * no AWS call. Checked like an edge cluster before anything is declared; its own load balancer gives
 * the gateway an address.
 */
async function kubeconfigCloudCluster(config: KubeconfigCloudConfig): Promise<CloudCluster> {
    const { cluster, gatewayApiCrds } = await reachKubeconfigCluster("cloud", config);
    return {
        provider: cluster.provider,
        apiEndpoint: config.apiServerAddress,
        certificateAuthorityData: config.certificateAuthorityData,
        gatewayApiCrds,
        loadBalancer: { kind: "cluster" },
        access: kubeconfigAccess(config),
        outputs: {},
    };
}

async function cloudStack(config: CloudConfig): Promise<StackOutputs<CloudStackOutputs>> {
    // Cluster
    const cluster = config.cluster === "eks" ? await eksCloudCluster(config) : await kubeconfigCloudCluster(config);
    const kubectl = kubectlCommand(cluster.access);

    // Mesh identity: the anchors of this phase of a rotation, an issuer for this cluster and for every edge site.
    const identity = new MeshIdentity("mesh", {
        clusterNames: [config.clusterName, ...config.edgeSites],
        trustAnchors: config.trustAnchors,
        issuerTrustAnchor: config.issuerTrustAnchor,
        protectTrustAnchor: config.protectTrustAnchor,
    });
    const ownIssuer = identity.issuers[config.clusterName];
    // Restarts the control plane, then the extensions, then the demo, when the bundle or this cluster's issuer changes.
    const podAnnotations = { [MESH_IDENTITY_ANNOTATION]: ownIssuer.meshIdentityChecksum };

    // Linkerd
    const linkerd = new LinkerdInstall("cloud", {
        provider: cluster.provider,
        clusterName: config.clusterName,
        linkerdVersion: config.linkerdVersion,
        trustBundlePem: identity.trustBundlePem,
        issuerCertPem: ownIssuer.certPem,
        issuerKeyPem: ownIssuer.keyPem,
        gatewayApiCrds: cluster.gatewayApiCrds,
        viz: config.viz,
        podAnnotations,
    });

    // Link: the gateway edge sites connect to, and a credential per site
    const gateway = new MulticlusterGateway("cloud", {
        provider: cluster.provider,
        controlPlane: linkerd.controlPlane,
        linkerdVersion: config.linkerdVersion,
        clusterName: config.clusterName,
        apiEndpoint: cluster.apiEndpoint,
        certificateAuthorityData: cluster.certificateAuthorityData,
        sites: config.edgeSites,
        sourceCidrs: config.gatewaySourceCidrs,
        loadBalancer: cluster.loadBalancer,
        podAnnotations,
    });

    // Demo: podinfo, exported to the edge sites, and the frontend
    if (config.demo) {
        new DemoWorkloads("cloud", {
            provider: cluster.provider,
            mesh: [linkerd.controlPlane, ...linkerd.extensions, gateway.chart],
            clusterName: config.clusterName,
            remoteClusters: [],
            exportPodinfo: true,
            podAnnotations,
            podinfoServiceAnnotations: MIRRORED_SERVICE_ANNOTATIONS,
        });
    }

    const edgeSites = Object.fromEntries(
        config.edgeSites.map((site) => [
            site,
            {
                issuerCertPem: identity.issuers[site].certPem,
                issuerKeyPem: identity.issuers[site].keyPem,
                linkKubeconfig: gateway.linkKubeconfigs[site],
            },
        ]),
    );
    return {
        clusterName: pulumi.output(config.clusterName),
        ...cluster.outputs,
        apiEndpoint: pulumi.output(cluster.apiEndpoint),
        certificateAuthorityData: pulumi.output(cluster.certificateAuthorityData),
        trustBundlePem: identity.trustBundlePem,
        trust: pulumi.output({
            trustAnchors: config.trustAnchors,
            issuerTrustAnchor: config.issuerTrustAnchor,
            anchors: identity.anchors,
            issuers: Object.fromEntries(
                Object.entries(identity.issuers).map(([clusterName, issuer]) => [
                    clusterName,
                    {
                        slot: issuer.slot,
                        certPem: issuer.certPem,
                        notAfter: issuer.notAfter,
                        meshIdentityChecksum: issuer.meshIdentityChecksum,
                    },
                ]),
            ),
        }),
        edgeSiteNames: pulumi.output(config.edgeSites),
        edgeSites: pulumi.secret(edgeSites),
        gateway: gateway.endpoint,
        exportedServices: pulumi.output(config.demo ? [EXPORTED_PODINFO] : []),
        // Edge stacks read this one: destroy them first (each site's stack is named after it by default).
        destroyOrder: pulumi.output(destroyOrder(config.edgeSites, pulumi.getStack())),
        kubeAccess: pulumi.output(cluster.access),
        vizDashboardCommand: pulumi.output(config.viz ? vizDashboardCommand(kubectl) : undefined),
        frontendCommand: pulumi.output(config.demo ? frontendCommand(kubectl, []) : undefined),
    };
}

async function edgeStack(config: EdgeConfig): Promise<StackOutputs<EdgeStackOutputs>> {
    // Config: the cloud stack must know this site before anything is declared.
    const cloud = await readCloudStack(config.cloudStack, config.clusterName);
    if (config.demo && !cloud.exportedServices.includes(EXPORTED_PODINFO)) {
        throw new pulumi.RunError(
            `edge-cloud-mesh:demo: the edge demo splits traffic with the cloud's ${EXPORTED_PODINFO}, but the cloud stack ` +
                `${JSON.stringify(config.cloudStack)} exports ${JSON.stringify(cloud.exportedServices)}. Set demo to true on the cloud ` +
                `stack and run \`pulumi up\` there, or set demo to false here.`,
        );
    }

    // Cluster: reachable, with the Gateway API CRDs gatewayApiCrds promises, or a clear error before anything waits on it
    const { cluster, gatewayApiCrds } = await reachKubeconfigCluster("edge", config);
    const access = kubeconfigAccess(config);
    const kubectl = kubectlCommand(access);

    // Linkerd, with the bundle and this site's issuer from the cloud stack. A certificate is public: the
    // checksum of the two stays out of secrets, which would hide the whole Deployments carrying it.
    const meshIdentity = pulumi
        .all([cloud.trustBundlePem, pulumi.unsecret(cloud.site.issuerCertPem)])
        .apply(([bundle, issuerCertPem]) => meshIdentityChecksum(bundle, issuerCertPem));
    const podAnnotations = { [MESH_IDENTITY_ANNOTATION]: meshIdentity };
    const linkerd = new LinkerdInstall("edge", {
        provider: cluster.provider,
        clusterName: config.clusterName,
        linkerdVersion: config.linkerdVersion,
        trustBundlePem: cloud.trustBundlePem,
        issuerCertPem: cloud.site.issuerCertPem,
        issuerKeyPem: cloud.site.issuerKeyPem,
        gatewayApiCrds,
        viz: config.viz,
        podAnnotations,
    });

    // Link to the cloud cluster through its gateway
    const link = new MulticlusterLink("edge", {
        provider: cluster.provider,
        controlPlane: linkerd.controlPlane,
        linkerdVersion: config.linkerdVersion,
        target: cloud.clusterName,
        kubeconfig: cloud.site.linkKubeconfig,
        gateway: cloud.gateway,
        podAnnotations,
    });

    // Demo: podinfo and the frontend, and podinfo's traffic split between here and the cloud
    const mirroredServices = cloud.clusterName.apply((cloudName) =>
        cloud.exportedServices.map((service) => mirroredServiceName(service, cloudName)),
    );
    let demoOutputs: Pick<StackOutputs<EdgeStackOutputs>, "frontendCommand" | "watchSplitCommand"> = {};
    if (config.demo) {
        const demo = new DemoWorkloads("edge", {
            provider: cluster.provider,
            mesh: [linkerd.controlPlane, ...linkerd.extensions, link.chart],
            clusterName: config.clusterName,
            remoteClusters: cloud.clusterName.apply((name) => [name]),
            exportPodinfo: false,
            podinfoServiceAnnotations: splitServiceAnnotations(config.trafficSplitApi),
            podAnnotations,
        });
        new TrafficSplit("edge", {
            provider: cluster.provider,
            controlPlane: linkerd.controlPlane,
            api: config.trafficSplitApi,
            namespace: demo.namespace,
            service: PODINFO,
            selector: PODINFO_SELECTOR,
            port: PODINFO_PORT,
            remoteService: cloud.clusterName.apply((cloudName) => mirroredServiceName(PODINFO, cloudName)),
            weights: splitWeights(config.splitMode, { local: config.trafficSplit.local, remote: config.trafficSplit.cloud }),
            podAnnotations,
        });
        demoOutputs = {
            frontendCommand: cloud.clusterName.apply((cloudName) => frontendCommand(kubectl, [cloudName])),
            watchSplitCommand: pulumi.output(
                watchSplitCommand({ access, api: config.trafficSplitApi, namespace: DEMO_NAMESPACE, client: FRONTEND }),
            ),
        };
    }

    return {
        linkedCluster: cloud.clusterName,
        // What this cluster's pod templates carry: equal to the cloud's trust.issuers[<site>] once this stack is up to date.
        meshIdentityChecksum: meshIdentity,
        mirroredServices,
        kubeAccess: pulumi.output(access),
        vizDashboardCommand: pulumi.output(config.viz ? vizDashboardCommand(kubectl) : undefined),
        ...demoOutputs,
    };
}

/** The program: builds the stack that `role` names and returns its outputs. */
async function main() {
    const config = loadConfig();
    return config.role === "cloud" ? cloudStack(config) : edgeStack(config);
}

export = main;
