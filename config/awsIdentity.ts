// The AWS provider's identity, as stack config sets it (aws:profile, aws:assumeRoles): the cluster's
// kubeconfig runs `aws eks get-token` as the same principal, so a setting it cannot mirror is an error.
import type { AwsIdentity } from "../components/eksCluster";
import { ConfigReader, parseJson } from "./reader";
import { AwsProfiles, ConfigContext } from "./types";

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
    if (context.awsProfile) {
        identity.profile = context.awsProfile;
        const problem = context.readAwsProfiles && awsProfileProblem(context.awsProfile, context.readAwsProfiles());
        if (problem) reader.otherKeyProblem("aws:profile", problem);
    }
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

/**
 * A profile the machine does not have stops the AWS provider with "failed to get shared config profile"
 * (aws-sdk-go-base pre-validates it), CI runners above all: they have no profiles.
 */
function awsProfileProblem(profile: string, machine: AwsProfiles): string | undefined {
    if (machine.profiles.includes(profile)) return undefined;
    const [configFile, credentialsFile] = machine.files;
    const have = machine.profiles.length > 0 ? machine.profiles.map((name) => JSON.stringify(name)).join(", ") : "none";
    return (
        `${JSON.stringify(profile)} is not a profile this machine has (no [profile ${profile}] in ${configFile}, no [${profile}] in ` +
        `${credentialsFile}; it has ${have}), so the AWS provider would stop with "failed to get shared config profile". ` +
        `CI takes its identity from the environment (the workflows' OIDC role) and has no profiles: a stack that CI previews or ` +
        `destroys must not set aws:profile (pulumi config rm aws:profile; on your machine, export AWS_PROFILE instead); ` +
        `accepted: a profile this machine has, or aws:profile unset`
    );
}
