// The kubeconfig and kubeContext keys: an existing cluster reached through a kubeconfig (the edge, and
// the cloud with cluster: kubeconfig). A path is read through the context (kubeconfigFile.ts).
import { clusterEndpoint, parseKubeconfig } from "../components/kubeconfig";
import { ConfigReader } from "./reader";
import { ConfigContext, KubeconfigAccess } from "./types";

/** A kubeconfig the config cannot use, as a placeholder: parseConfig throws before anyone reads it. */
export const UNUSABLE_KUBECONFIG: KubeconfigAccess = { kubeconfig: "", apiServer: "", certificateAuthorityData: "", kubeContext: "" };

/** The kubeconfig's contents, given inline or read from the path given, and the context to use, which must exist. */
export function parseKubeconfigAccess(reader: ConfigReader, readFile: ConfigContext["readKubeconfigFile"]): KubeconfigAccess {
    const kubeContext = reader.string("kubeContext", { optional: true });
    const unusable = { ...UNUSABLE_KUBECONFIG, kubeContext };
    const value = reader.string("kubeconfig");
    if (value === "") return unusable;
    const accepted = "accepted: the kubeconfig's contents (pulumi config set --secret kubeconfig < k3s.yaml) or a path to the file";
    let text = value;
    let file: string | undefined;
    const looksInline = value.includes("\n") || value.trimStart().startsWith("{");
    if (!looksInline) {
        const read = readFile(value);
        if ("problem" in read) {
            reader.problem("kubeconfig", `${read.problem}; ${accepted}`);
            return unusable;
        }
        ({ path: file, text } = read);
    }
    try {
        const { server, certificateAuthorityData } = clusterEndpoint(parseKubeconfig(text), kubeContext || undefined);
        return { kubeconfig: text, kubeconfigPath: file, apiServer: server, certificateAuthorityData, kubeContext };
    } catch (error) {
        const where = looksInline ? "the kubeconfig given" : `the kubeconfig in ${JSON.stringify(value)}`;
        const key = kubeContext && /context/.test((error as Error).message) ? "kubeContext" : "kubeconfig";
        reader.problem(
            key,
            `${where} is unusable: ${(error as Error).message}; ${key === "kubeContext" ? "accepted: a context the kubeconfig defines, or empty for its current-context" : accepted}`,
        );
        return unusable;
    }
}
