// The AWS provider's identity, as stack config sets it (aws:profile, aws:assumeRoles): the cluster's
// kubeconfig runs `aws eks get-token` as the same principal, so a setting it cannot mirror is an error.
import type { AwsIdentity } from "../components/eksCluster";
import { ConfigReader, parseJson } from "./reader";
import { ConfigContext } from "./types";

/**
 * AWS provider settings that give it credentials `aws eks get-token` (the Kubernetes provider's
 * credential plugin) cannot be handed: with them the cluster would be created as one principal and
 * used as another.
 */
export const AWS_IDENTITY_KEYS_NOT_MIRRORED = [
    "aws:accessKey",
    "aws:secretKey",
    "aws:token",
    "aws:assumeRoleWithWebIdentity",
    "aws:sharedConfigFiles",
    "aws:sharedCredentialsFiles",
];

/** Fields of a role in `aws:assumeRoles` that a trust policy may require and get-token cannot send. */
const ASSUME_ROLE_FIELDS_NOT_MIRRORED = ["externalId", "sourceIdentity", "tags", "transitiveTagKeys"];

/**
 * The AWS provider's identity where stack config sets it. `aws eks get-token` can assume one role
 * from the base credentials (`--role-arn`), without an external id: a longer chain cannot be mirrored.
 */
export function parseAwsIdentity(reader: ConfigReader, context: ConfigContext): AwsIdentity {
    const identity: AwsIdentity = {};
    if (context.awsProfile) identity.profile = context.awsProfile;
    for (const key of context.awsUnmirroredKeys ?? []) {
        reader.otherKeyProblem(
            key,
            "is set, but aws eks get-token, which the Kubernetes provider runs, cannot use it, so the cluster would be created by one " +
                "principal and used by another; accepted: credentials from the environment (AWS_PROFILE, AWS_ACCESS_KEY_ID, CI's role), " +
                "aws:profile, or one role in aws:assumeRoles",
        );
    }
    if (context.awsAssumeRoles === undefined) return identity;
    const roles = parseJson(context.awsAssumeRoles);
    const accepted =
        "accepted: at most one role, given by roleArn (aws eks get-token, which the Kubernetes provider runs, assumes one role " +
        "and sends no external id, source identity or session tags)";
    if (!Array.isArray(roles) || roles.some((role) => role === null || typeof role !== "object")) {
        reader.otherKeyProblem("aws:assumeRoles", `${context.awsAssumeRoles} is not a list of roles; ${accepted}`);
        return identity;
    }
    if (roles.length > 1) reader.otherKeyProblem("aws:assumeRoles", `chains ${roles.length} roles; ${accepted}`);
    const [role] = roles as Record<string, unknown>[];
    for (const field of ASSUME_ROLE_FIELDS_NOT_MIRRORED.filter((name) => role?.[name] !== undefined)) {
        reader.otherKeyProblem("aws:assumeRoles", `sets ${field}; ${accepted}`);
    }
    if (typeof role?.roleArn === "string" && role.roleArn !== "") identity.roleArn = role.roleArn;
    return identity;
}
