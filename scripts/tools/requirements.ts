// Every program the operator commands need: how to read its version (the command and its output at
// the pinned version, from the tool's source), the versions the commands accept, and how to install it.
// checks/tools.ts turns this list into checks; the e2e workflow installs the same versions.

export type ToolId = "docker" | "k3d" | "pulumi" | "kubectl" | "linkerd" | "bash";

/**
 * The versions a tool is accepted at: exactly one (another version works but is not the one tested: a
 * warning), or at least one and below another (outside that range it does not work: a failure).
 */
export type Wanted = { pinned: string } | { atLeast: string; below?: string };

export interface Requirement {
    id: ToolId;
    /** The tool as a sentence names it. */
    name: string;
    /** Prints the version; it succeeds only when the tool works (Docker's only when its engine answers). */
    versionArgs: string[];
    /** The version in that command's stdout, as the tool writes it (v5.9.0, edge-26.8.3), or undefined. */
    parseVersion(stdout: string): string | undefined;
    wants: Wanted;
    install: string;
}

export const K3D_VERSION = "v5.9.0";
const LINKERD_CLI_VERSION = "edge-26.8.3";
/** The kubectl the e2e workflow installs: the Kubernetes release of the local clusters' k3s (flows/localEnv.ts). */
export const KUBECTL_VERSION = "v1.35.6";

/** The first line that is only a version, e.g. `pulumi version` (v3.248.0) or `linkerd version --client --short` (edge-26.8.3). */
function versionLine(stdout: string): string | undefined {
    return stdout
        .split("\n")
        .map((line) => line.trim())
        .find((line) => /^\S*\d+\.\d+\.\d+\S*$/.test(line));
}

export const REQUIREMENTS: Record<ToolId, Requirement> = {
    docker: {
        id: "docker",
        name: "Docker",
        versionArgs: ["docker", "info", "--format", "{{.ServerVersion}}"],
        parseVersion: versionLine,
        // k3d v5 needs Docker v20.10.5 or later (k3d README@v5.9.0).
        wants: { atLeast: "20.10.5" },
        // A Linux user outside the docker group gets "permission denied while trying to connect to the docker API" (moby client request.go).
        install:
            "install Docker Engine (https://docs.docker.com/engine/install/) or Docker Desktop, and start it " +
            "(Docker Desktop, or sudo systemctl start docker); on Linux, let your user use it: sudo usermod -aG docker $USER, then log in again",
    },
    k3d: {
        id: "k3d",
        name: "k3d",
        versionArgs: ["k3d", "version"],
        // "k3d version v5.9.0" then "k3s version v1.32.5-k3s1 (default)" (cmd/root.go printVersion@v5.9.0).
        parseVersion: (stdout) => /^k3d version (\S+)$/m.exec(stdout)?.[1],
        wants: { pinned: K3D_VERSION },
        install: `install k3d ${K3D_VERSION}: curl -s https://raw.githubusercontent.com/k3d-io/k3d/main/install.sh | TAG=${K3D_VERSION} bash (https://k3d.io)`,
    },
    pulumi: {
        id: "pulumi",
        name: "the Pulumi CLI",
        versionArgs: ["pulumi", "version"],
        parseVersion: versionLine,
        // The CLI of the SDK in package.json or a later 3.x (docs/aws.md's requirement).
        wants: { atLeast: "3.248.0", below: "4.0.0" },
        install:
            "install the Pulumi CLI 3.248 or a later 3.x: curl -fsSL https://get.pulumi.com | sh (https://www.pulumi.com/docs/install/)",
    },
    kubectl: {
        id: "kubectl",
        name: "kubectl",
        versionArgs: ["kubectl", "version", "--client", "-o", "json"],
        // {"clientVersion": {"gitVersion": "v1.35.0", ...}, "kustomizeVersion": ...} (kubectl pkg/cmd/version).
        parseVersion: (stdout) => {
            try {
                return (JSON.parse(stdout) as { clientVersion?: { gitVersion?: string } }).clientVersion?.gitVersion;
            } catch {
                return undefined;
            }
        },
        // Within kubectl's one-minor skew of the oldest Kubernetes the program accepts (1.31).
        wants: { atLeast: "1.30.0" },
        install: "install kubectl 1.30 or later, within one minor version of your clusters (https://kubernetes.io/docs/tasks/tools/)",
    },
    linkerd: {
        id: "linkerd",
        name: "the linkerd CLI",
        versionArgs: ["linkerd", "version", "--client", "--short"],
        parseVersion: versionLine,
        // The release of the program's linkerdVersion default, 2026.8.3.
        wants: { pinned: LINKERD_CLI_VERSION },
        // The installer's variable is LINKERD2_VERSION; it installs into ~/.linkerd2/bin (run.linkerd.io/public/install-edge, linkerd/website).
        install:
            `install the linkerd CLI ${LINKERD_CLI_VERSION}: curl --proto '=https' --tlsv1.2 -sSfL https://run.linkerd.io/install-edge | ` +
            `LINKERD2_VERSION=${LINKERD_CLI_VERSION} sh, then export PATH=$HOME/.linkerd2/bin:$PATH`,
    },
    bash: {
        id: "bash",
        name: "bash",
        versionArgs: ["bash", "--version"],
        // "GNU bash, version 5.2.15(1)-release (x86_64-pc-linux-gnu)"; macOS ships 3.2.57.
        parseVersion: (stdout) => /^GNU bash, version (\d+\.\d+\.\d+)/.exec(stdout)?.[1],
        // e2e/failover.sh is written for macOS's bash 3.2 (test/portability.test.ts).
        wants: { atLeast: "3.2.0" },
        install: "install bash 3.2 or later (Linux distributions and macOS have it)",
    },
};

/** Major, minor and patch of a version such as v1.35.0-eks-1a2b, 28.3.2 or 9.1 (patch 0). */
function numbers(version: string): number[] | undefined {
    const match = /(\d+)\.(\d+)(?:\.(\d+))?/.exec(version);
    return match?.slice(1).map((part) => Number(part ?? 0));
}

function compare(a: number[], b: number[]): number {
    return a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
}

export function accepts(wanted: Wanted, version: string): boolean {
    if ("pinned" in wanted) return version === wanted.pinned;
    const found = numbers(version);
    if (found === undefined) return false;
    return compare(found, numbers(wanted.atLeast)!) >= 0 && (wanted.below === undefined || compare(found, numbers(wanted.below)!) < 0);
}

/** The versions accepted, in words: "v5.9.0", "3.248.0 or later, before 4.0.0". */
export function wantedText(wanted: Wanted): string {
    if ("pinned" in wanted) return wanted.pinned;
    return `${wanted.atLeast} or later${wanted.below === undefined ? "" : `, before ${wanted.below}`}`;
}
