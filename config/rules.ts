// Value rules that more than one concern uses (and contract.ts's wording of a stack name). A rule
// judges one value and names what is accepted; the rules of one key live beside its parser.
import { parseIpv4Cidr } from "../policy/rules";

/** Room for `<service>-` in front of a cluster name inside a 63-character Service name. */
const MAX_CLUSTER_NAME_LENGTH = 40;

/** A DNS label short enough to be part of Service names. */
export function clusterNameProblem(value: string): string | undefined {
    if (value.length > MAX_CLUSTER_NAME_LENGTH || !/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/.test(value)) {
        return `not a DNS label of at most ${MAX_CLUSTER_NAME_LENGTH} characters; accepted: lowercase letters, digits and '-', starting and ending with a letter or digit, e.g. "edge-berlin"`;
    }
    // `pulumi config set-all --path` stores such a list entry as a number or a boolean, not a name.
    if (/^\d+$/.test(value) || value === "true" || value === "false") {
        return `a name the Pulumi CLI stores as a number or a boolean when it writes a list (config set-all --path); accepted: a name with a letter in it, e.g. "edge-42"`;
    }
    return undefined;
}

/**
 * The stack names Pulumi's backends take (pkg/backend/httpstate/backend.go parseStackName,
 * pkg/backend/diy/store.go ParseReference): `<stack>`, `<org>/<stack>` or `<org>/<project>/<stack>`,
 * each part at most 100 letters, digits, '-', '_' or '.'. A self-managed backend's only org is `organization`.
 */
export const STACK_NAME_FORMS =
    '"<stack>", "<org>/<stack>" or "<org>/<project>/<stack>" (with a self-managed backend, "organization/<project>/<stack>")';

export function stackNameProblem(value: string): string | undefined {
    const parts = value.split("/");
    return parts.length <= 3 && parts.every((part) => /^[\w.-]{1,100}$/.test(part))
        ? undefined
        : `not a stack name; accepted: ${STACK_NAME_FORMS}`;
}

export function cidrProblem(value: string): string | undefined {
    return parseIpv4Cidr(value) === undefined ? "not an IPv4 CIDR block; accepted: a.b.c.d/n, e.g. 203.0.113.0/24 or 0.0.0.0/0" : undefined;
}
