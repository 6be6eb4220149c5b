// npm run check:eks-versions, the reading: what EKS offers, through the AWS SDK v3 (eks:DescribeClusterVersions
// and eks:DescribeAddonVersions), in the form eksVersionsReport.ts judges.
import { EKSClient, paginateDescribeAddonVersions, paginateDescribeClusterVersions } from "@aws-sdk/client-eks";
import { EKS_ADDON_NAMES, EksOffer } from "./eksVersionsReport";

/** A date as the table writes it: YYYY-MM-DD in UTC (the SDK gives Dates; the CLI prints them in local time). */
function day(date: Date | undefined): string | undefined {
    return date?.toISOString().slice(0, 10);
}

/** Every Kubernetes version EKS lists, and the builds of the table's add-ons for each of `kubernetesVersions`. */
export async function readEksOffer(client: EKSClient, kubernetesVersions: string[]): Promise<EksOffer> {
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
