// edge-cloud-mesh: one Linkerd mesh across EKS on Graviton ("cloud") and a k3s cluster ("edge").
// Each stack builds one side, in the order of the tutorial this replaces:
// config → cluster → mesh identity → Linkerd → link → demo.
import * as pulumi from "@pulumi/pulumi";
import { CloudConfig, loadConfig } from "./config";
import { ClusterVpc } from "./components/clusterVpc";
import { EksCluster } from "./components/eksCluster";

function cloudStack(config: CloudConfig) {
    const network =
        config.network.kind === "existing"
            ? config.network
            : new ClusterVpc("cloud", { cidr: config.network.cidr, availabilityZoneCount: config.network.availabilityZoneCount });

    const cluster = new EksCluster("cloud", {
        clusterName: `${pulumi.getProject()}-${pulumi.getStack()}`,
        vpcId: network.vpcId,
        publicSubnetIds: network.publicSubnetIds,
        privateSubnetIds: network.privateSubnetIds,
        kubernetesVersion: config.kubernetesVersion,
        apiAccessCidrs: config.apiAccessCidrs,
        instanceTypes: config.instanceTypes,
        capacityType: config.capacityType,
        nodes: config.nodes,
    });

    return {
        clusterName: cluster.clusterName,
        kubeconfig: cluster.kubeconfig,
        apiEndpoint: cluster.endpoint,
        certificateAuthorityData: cluster.certificateAuthorityData,
    };
}

/** The program: builds the stack that `role` names and returns its outputs. */
function main() {
    const config = loadConfig();
    switch (config.role) {
        case "cloud":
            return cloudStack(config);
        case "edge":
            return {};
    }
}

export = main;
