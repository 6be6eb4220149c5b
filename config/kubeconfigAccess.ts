// The kubeconfig and kubeContext keys: an existing cluster reached through a kubeconfig (the edge, and
// the cloud with cluster: kubeconfig). A path is read through the context (kubeconfigFile.ts).
import { clusterEndpoint, parseKubeconfig } from "../components/kubeconfig";
import { ConfigReader } from "./reader";
import { ConfigContext, KubeconfigAccess } from "./types";

/** A kubeconfig the config cannot use, as a placeholder: parseConfig throws before anyone reads it. */
export const UNUSABLE_KUBECONFIG: KubeconfigAccess = { kubeconfig: "", apiServer: "", certificateAuthorityData: "", kubeContext: "" };

/**
 * The kubeconfig's contents, given inline or read from the path given, and the context to use, which
 * must exist. `reaches` says which stack reaches which cluster through it, for the message when it is missing.
 */
export function parseKubeconfigAccess(
    reader: ConfigReader,
    readFile: ConfigContext["readKubeconfigFile"],
    reaches: string,
): KubeconfigAccess {
    const kubeContext = reader.string("kubeContext", { optional: true });
    const unusable = { ...UNUSABLE_KUBECONFIG, kubeContext };
    const value = reader.string("kubeconfig", { optional: true });
    if (value === "") {
        reader.problem(
            "kubeconfig",
            `is missing: ${reaches} through it. Set it to the path of the cluster's kubeconfig file (pulumi config set kubeconfig ` +
                `'~/.kube/<cluster>.yaml', quoted so that the program, not the shell, expands the ~) or to the file's contents ` +
                `(pulumi config set --secret kubeconfig < k3s.yaml); ${WHERE_KUBECONFIGS_ARE}; ${whichContext(kubeContext)}`,
        );
        return unusable;
    }
    const accepted = "accepted: the kubeconfig's contents (pulumi config set --secret kubeconfig < k3s.yaml) or a path to the file";
    let text = value;
    let file: string | undefined;
    const looksInline = value.includes("\n") || value.trimStart().startsWith("{");
    if (!looksInline) {
        const read = readFile(value);
        if ("problem" in read) {
            reader.problem("kubeconfig", `${read.problem}; ${WHERE_KUBECONFIGS_ARE}; ${whichContext(kubeContext)}; ${accepted}`);
            return unusable;
        }
        ({ path: file, text } = read);
    }
    try {
        const { server, certificateAuthorityData } = clusterEndpoint(parseKubeconfig(text), kubeContext || undefined);
        return { kubeconfig: text, kubeconfigPath: file, apiServer: server, certificateAuthorityData, kubeContext };
    } catch (error) {
        const where = looksInline ? "the kubeconfig given" : `the kubeconfig in ${JSON.stringify(value)}`;
        const aboutContext = /context/.test((error as Error).message);
        const key = kubeContext && aboutContext ? "kubeContext" : "kubeconfig";
        const acceptedHere =
            key === "kubeContext"
                ? "accepted: a context the kubeconfig defines, or empty for its current-context"
                : aboutContext
                  ? "accepted: a kubeconfig whose current-context is one of its contexts, or kubeContext naming one (pulumi config set kubeContext <context>)"
                  : accepted;
        reader.problem(key, `${where} is unusable: ${(error as Error).message}; ${acceptedHere}`);
        return unusable;
    }
}

/** Where the kubeconfig files of the clusters this program is used with come from. */
const WHERE_KUBECONFIGS_ARE =
    "k3d writes a cluster's file with k3d kubeconfig get <cluster> > ~/.kube/<cluster>.yaml; k3s keeps its own in " +
    "/etc/rancher/k3s/k3s.yaml on its server (readable by root), with server: https://127.0.0.1:6443, which works only there: " +
    "replace that address with one this machine reaches";

/** Which context of the file the stack uses: the one kubeContext names, else the file's current-context. */
function whichContext(kubeContext: string): string {
    return kubeContext === ""
        ? "the stack uses the file's current-context, or the context kubeContext names (pulumi config set kubeContext <context>; " +
              "k3d's is k3d-<cluster>)"
        : `the stack uses the context kubeContext names, ${JSON.stringify(kubeContext)}, which the file must define`;
}
