// Pulumi mocks that answer like the real providers where the program reads an answer back.
import * as pulumi from "@pulumi/pulumi";
import { unwrapSecrets } from "./secrets";

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
        clusters: [{ name: "kubernetes", cluster: { server: mockEksEndpoint(clusterName), "certificate-authority-data": MOCK_EKS_CA_DATA } }],
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

function resourceState(type: string, name: string, inputs: Record<string, any>): Record<string, any> {
    switch (type) {
        case "eks:index:Cluster": {
            const kubeconfig = mockEksKubeconfig(inputs.name ?? name);
            return { ...inputs, kubeconfig, kubeconfigJson: pulumi.secret(JSON.stringify(kubeconfig)) };
        }
        default:
            // AWS resources are auto-named by the provider; give them their logical name and an ARN.
            if (type.startsWith("aws:")) return { name, arn: `arn:aws:mock::000000000000:${name}`, ...inputs };
            return inputs;
    }
}

export const mocks: pulumi.runtime.Mocks = {
    newResource(args) {
        const inputs = unwrapSecrets(args.inputs);
        return { id: `${args.name}_id`, state: resourceState(args.type, args.name, inputs) };
    },
    call(args) {
        switch (args.token) {
            case "aws:index/getAvailabilityZones:getAvailabilityZones":
                return { names: MOCK_AVAILABILITY_ZONES, zoneIds: MOCK_AVAILABILITY_ZONES.map((_, index) => `euw1-az${index + 1}`) };
            default:
                throw new Error(`no mock for the call ${args.token}`);
        }
    },
};
