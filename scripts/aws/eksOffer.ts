// npm run check:eks-versions, the reading: what EKS offers, through the AWS SDK v3 (eks:DescribeClusterVersions
// and eks:DescribeAddonVersions), in the form checks/eksVersions.ts judges. The only importer of the AWS SDK.
import { EKSClient, paginateDescribeAddonVersions, paginateDescribeClusterVersions } from "@aws-sdk/client-eks";

/** The add-ons the table pins, by their field in the table and their name in EKS. */
export const EKS_ADDON_NAMES = { vpcCni: "vpc-cni", kubeProxy: "kube-proxy", coredns: "coredns" } as const;

/** What EKS offers: its Kubernetes versions with their support dates, and the add-on builds offered for each. */
export interface EksOffer {
    /** DescribeClusterVersions: dates as YYYY-MM-DD in UTC, the table's form. */
    clusterVersions: { version: string; endOfStandardSupport?: string; endOfExtendedSupport?: string }[];
    /** DescribeAddonVersions: the builds of each add-on compatible with each Kubernetes version. */
    addonBuilds: { addon: string; kubernetesVersion: string; builds: string[] }[];
}

/** A date as the table writes it: YYYY-MM-DD in UTC (the SDK gives Dates; the CLI prints them in local time). */
function day(date: Date | undefined): string | undefined {
    return date?.toISOString().slice(0, 10);
}

/**
 * Every Kubernetes version EKS lists, and the builds of the table's add-ons for each of `kubernetesVersions`.
 * The client takes its credentials, region and endpoint from the environment unless one is given.
 */
export async function readEksOffer(kubernetesVersions: string[], client: EKSClient = new EKSClient({})): Promise<EksOffer> {
    const clusterVersions: EksOffer["clusterVersions"] = [];
    // includeAll: not only the versions EKS would pick by default.
    for await (const page of paginateDescribeClusterVersions({ client }, { includeAll: true })) {
        for (const listed of page.clusterVersions ?? []) {
            if (listed.clusterVersion === undefined) continue;
            clusterVersions.push({
                version: listed.clusterVersion,
                endOfStandardSupport: day(listed.endOfStandardSupportDate),
                endOfExtendedSupport: day(listed.endOfExtendedSupportDate),
            });
        }
    }
    const addonBuilds: EksOffer["addonBuilds"] = [];
    for (const addon of Object.values(EKS_ADDON_NAMES)) {
        for (const kubernetesVersion of kubernetesVersions) {
            const builds: string[] = [];
            for await (const page of paginateDescribeAddonVersions({ client }, { addonName: addon, kubernetesVersion })) {
                for (const info of page.addons ?? []) {
                    if (info.addonName !== addon) continue;
                    for (const build of info.addonVersions ?? []) {
                        const compatible = (build.compatibilities ?? []).some((item) => item.clusterVersion === kubernetesVersion);
                        if (compatible && build.addonVersion !== undefined) builds.push(build.addonVersion);
                    }
                }
            }
            addonBuilds.push({ addon, kubernetesVersion, builds });
        }
    }
    return { clusterVersions, addonBuilds };
}
