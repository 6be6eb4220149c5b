// EKS Kubernetes versions this program can deploy: when EKS supports each one, and the managed
// add-on builds it runs with. One table, pinned, so that a second `pulumi up` changes nothing and
// bumping kubernetesVersion moves the add-ons deliberately.

/** `STANDARD`: EKS upgrades the control plane at the end of standard support. `EXTENDED`: it stays, at extended-support prices. */
export type SupportType = "STANDARD" | "EXTENDED";

export interface EksVersion {
    /**
     * The day standard support ends (YYYY-MM-DD, UTC), taken as the first day out of it: the calendar's
     * "until" may include that day, so the check errs by at most one day on the early side.
     */
    endOfStandardSupport: string;
    /** The first day the version is no longer in extended support: EKS then upgrades the cluster itself. */
    endOfExtendedSupport: string;
    /** Managed add-on versions (`aws eks describe-addon-versions --kubernetes-version 1.N`). */
    addons: { vpcCni: string; kubeProxy: string; coredns: string };
}

/**
 * The table, as of 2026-12-06. `npm run check:eks-versions` compares it with what EKS offers now
 * (DescribeClusterVersions, DescribeAddonVersions); run it, with AWS credentials, before relying on a row.
 *
 * Support dates, 1.31 to 1.35: the EKS version calendar (awsdocs/amazon-eks-user-guide
 * kubernetes-versions.adoc, and the aws-samples "eks-operation-review" skill's copy of it, "Last
 * verified: 2026-04-24"). 1.36: EKS release 2026-06-02 and end of standard support 2027-08-02 from a
 * third-party post (devopsdreams, 2026-08-16), end of extended support derived from AWS's rule (14 months
 * of standard support, then 12 of extended); not yet confirmed by an AWS page.
 *
 * Add-on builds, kube-proxy and CoreDNS: the "latest version for each Kubernetes version" tables of the
 * EKS user guide (managing-kube-proxy.md, managing-coredns.md): 1.31 to 1.35 from the zh_cn copies
 * stored in November 2026, 1.36 and CoreDNS for 1.33 from the later ja_jp copies read 2026-12-06. These
 * give v1.12.4 as the newest CoreDNS for 1.33 where the earlier ones gave v1.13.2: a v1.13 build is
 * probably not offered for 1.33 (the check command says for sure).
 * vpc-cni: no AWS table for 1.34 to 1.36 could be read. 1.31 to 1.35 pin v1.21.1-eksbuild.7, the build
 * public configurations pin with 1.33 to 1.35. 1.36 pins v1.22.3-eksbuild.1, what a 1.36 cluster on EKS
 * was recorded running (a third-party field log); a cluster moving from 1.35 to 1.36 thus moves vpc-cni
 * by one minor version, the most EKS takes in one step (terraform-aws-eks#2749).
 * Versions without dates and all three builds are not offered.
 */
export const EKS_VERSIONS: Readonly<Record<string, EksVersion>> = {
    "1.36": {
        endOfStandardSupport: "2027-08-02",
        endOfExtendedSupport: "2028-08-02",
        addons: { vpcCni: "v1.22.3-eksbuild.1", kubeProxy: "v1.36.0-eksbuild.14", coredns: "v1.14.3-eksbuild.3" },
    },
    "1.35": {
        endOfStandardSupport: "2027-03-27",
        endOfExtendedSupport: "2028-03-27",
        addons: { vpcCni: "v1.21.1-eksbuild.7", kubeProxy: "v1.35.3-eksbuild.2", coredns: "v1.13.2-eksbuild.4" },
    },
    "1.34": {
        endOfStandardSupport: "2026-12-02",
        endOfExtendedSupport: "2027-12-02",
        addons: { vpcCni: "v1.21.1-eksbuild.7", kubeProxy: "v1.34.6-eksbuild.2", coredns: "v1.13.2-eksbuild.4" },
    },
    "1.33": {
        endOfStandardSupport: "2026-07-29",
        endOfExtendedSupport: "2027-07-29",
        addons: { vpcCni: "v1.21.1-eksbuild.7", kubeProxy: "v1.33.10-eksbuild.2", coredns: "v1.12.4-eksbuild.18" },
    },
    "1.32": {
        endOfStandardSupport: "2026-03-23",
        endOfExtendedSupport: "2027-03-23",
        addons: { vpcCni: "v1.21.1-eksbuild.7", kubeProxy: "v1.32.13-eksbuild.5", coredns: "v1.11.4-eksbuild.33" },
    },
    "1.31": {
        endOfStandardSupport: "2025-11-26",
        endOfExtendedSupport: "2026-11-26",
        addons: { vpcCni: "v1.21.1-eksbuild.7", kubeProxy: "v1.31.14-eksbuild.9", coredns: "v1.11.4-eksbuild.33" },
    },
};

/** EKS control-plane prices per cluster-hour (https://aws.amazon.com/eks/pricing/). */
export const CONTROL_PLANE_PRICE = { STANDARD: "$0.10", EXTENDED: "$0.60" } as const;

/** A date as YYYY-MM-DD in UTC, the form the calendar uses. */
export function isoDay(date: Date): string {
    return date.toISOString().slice(0, 10);
}

/**
 * Why `version` cannot be deployed with `supportType` on `today`, or undefined when it can: with
 * STANDARD it must be in standard support, with EXTENDED in standard or extended support.
 */
export function supportProblem(version: string, supportType: SupportType, today: Date): string | undefined {
    const entry = EKS_VERSIONS[version];
    const known = Object.keys(EKS_VERSIONS).join(", ");
    if (entry === undefined)
        return `not a version this program has a support calendar and add-on builds for; accepted: ${known} (components/eksVersions.ts)`;
    const day = isoDay(today);
    const dates = `${version} leaves standard support on ${entry.endOfStandardSupport} and extended support on ${entry.endOfExtendedSupport}`;
    const newer = Object.entries(EKS_VERSIONS)
        .filter(([, other]) => day < other.endOfStandardSupport)
        .map(([name]) => name);
    const upgrade =
        newer.length > 0
            ? `set kubernetesVersion to ${newer.join(" or ")} (in standard support)`
            : "set kubernetesVersion to a newer version (add it to components/eksVersions.ts)";
    if (day >= entry.endOfExtendedSupport) {
        return `out of EKS support on ${day}: ${dates}; EKS no longer runs it. Fix: ${upgrade}`;
    }
    if (supportType === "STANDARD" && day >= entry.endOfStandardSupport) {
        return (
            `out of EKS standard support on ${day}: ${dates}. Fix: ${upgrade}, or set supportType to EXTENDED ` +
            `(the control plane then costs ${CONTROL_PLANE_PRICE.EXTENDED} instead of ${CONTROL_PLANE_PRICE.STANDARD} per hour)`
        );
    }
    return undefined;
}
