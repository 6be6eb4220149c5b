// npm run check:eks-versions: compares components/eksVersions.ts with what EKS offers now, for a
// maintainer with AWS credentials (any that may call eks:DescribeClusterVersions and
// eks:DescribeAddonVersions; the region from AWS_REGION or the profile). Prints one row per support
// date and add-on pin, and exits 1 when a pin is no longer offered, 2 when EKS cannot be read.
import { EKSClient } from "@aws-sdk/client-eks";
import { EKS_VERSIONS } from "../components/eksVersions";
import { readEksOffer } from "./eksVersionsApi";
import { compareEksVersions, exitCode, formatReport } from "./eksVersionsReport";

export async function checkEksVersions(client: EKSClient, out: (text: string) => void): Promise<number> {
    let offer;
    try {
        offer = await readEksOffer(client, Object.keys(EKS_VERSIONS));
    } catch (error) {
        out(
            `check:eks-versions: could not read what EKS offers: ${(error as Error).message}\n` +
                "It needs AWS credentials (AWS_PROFILE, environment variables, SSO) allowed eks:DescribeClusterVersions and " +
                "eks:DescribeAddonVersions, and a region (AWS_REGION, or the profile's).\n",
        );
        return 2;
    }
    const rows = compareEksVersions(EKS_VERSIONS, offer);
    out(formatReport(rows));
    return exitCode(rows);
}

if (require.main === module) {
    checkEksVersions(new EKSClient({}), (text) => process.stdout.write(text)).then((code) => {
        process.exitCode = code;
    });
}
