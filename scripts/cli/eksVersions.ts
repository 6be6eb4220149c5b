// npm run check:eks-versions: for a maintainer with AWS credentials (any that may call
// eks:DescribeClusterVersions and eks:DescribeAddonVersions; the region from AWS_REGION or the profile),
// components/eksVersions.ts against what EKS offers now: one row per support date and add-on pin, and a
// failure when a pin is no longer offered.
import { EKS_VERSIONS } from "../../components/eksVersions";
import { readEksOffer } from "../aws/eksOffer";
import { compareEksVersions, formatReport, unofferedPins } from "../checks/eksVersions";
import { OperatorError } from "../errors";
import type { Command } from "./command";

export const EKS_VERSIONS_COMMANDS: Command[] = [
    {
        name: "check:eks-versions",
        options: {},
        // It reads EKS through the AWS SDK: no CLI.
        tools: [],
        about: "check:eks-versions compares components/eksVersions.ts with what EKS offers, with your AWS credentials.",
        async run(_values, context) {
            const offer = await readEksOffer(Object.keys(EKS_VERSIONS)).catch((error: unknown) => {
                throw new OperatorError(
                    `could not read what EKS offers: ${(error as Error).message}`,
                    "It needs AWS credentials (AWS_PROFILE, environment variables, SSO) allowed eks:DescribeClusterVersions and " +
                        "eks:DescribeAddonVersions, and a region (AWS_REGION, or the profile's).",
                );
            });
            const rows = compareEksVersions(EKS_VERSIONS, offer, new Date());
            context.reporter.report({ kind: "message", text: formatReport(rows) });
            const unoffered = unofferedPins(rows);
            if (unoffered > 0) {
                throw new OperatorError(
                    `${unoffered} pin(s) of components/eksVersions.ts EKS no longer offers (above)`,
                    "Update those pins to a build EKS offers (the EKS column), then run npm run check:eks-versions again.",
                );
            }
        },
    },
];
