// The kubeconfig helpers: reading the cluster of a context, and writing the link's token kubeconfig.
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { clusterEndpoint, parseKubeconfig, selectContext, tokenKubeconfig } from "../components/kubeconfig";

const KUBECONFIG = `
apiVersion: v1
clusters:
- name: a
  cluster: {server: "https://a.example:6443", certificate-authority-data: QUE=}
- name: b
  cluster: {server: "https://b.example:6443"}
contexts:
- name: first
  context: {cluster: a, user: u}
- name: second
  context: {cluster: b, user: u}
- name: broken
  context: {cluster: missing, user: u}
current-context: first
users:
- name: u
  user: {token: t}
`;

describe("kubeconfig helpers", () => {
    it("read the cluster of the current or a named context", () => {
        const kubeconfig = parseKubeconfig(KUBECONFIG);
        expect(clusterEndpoint(kubeconfig)).toEqual({ server: "https://a.example:6443", certificateAuthorityData: "QUE=" });
        expect(clusterEndpoint(kubeconfig, "second")).toEqual({ server: "https://b.example:6443", certificateAuthorityData: "" });
        expect(selectContext(kubeconfig, "second")).toEqual({ cluster: "b", user: "u" });
    });

    it("say what is wrong with a kubeconfig", () => {
        expect(() => parseKubeconfig("a: [")).toThrow(/does not parse as YAML/);
        expect(() => parseKubeconfig("kind: Pod")).toThrow(/not a kubeconfig/);
        expect(() => selectContext(parseKubeconfig(KUBECONFIG), "third")).toThrow(
            /no complete context "third" \(contexts: "first", "second", "broken"\)/,
        );
        expect(() => clusterEndpoint(parseKubeconfig(KUBECONFIG), "broken")).toThrow(/cluster "missing" has no server/);
        expect(() => selectContext(parseKubeconfig("clusters: []"))).toThrow(
            "it sets no current-context and no context was named (contexts: none)",
        );
        expect(() => selectContext(parseKubeconfig("clusters: []\ncontexts: [{name: lab, context: {cluster: c, user: u}}]"))).toThrow(
            'it sets no current-context and no context was named (contexts: "lab")',
        );
    });

    it("write a token-only kubeconfig that reads back to the same cluster and user", () => {
        const text = tokenKubeconfig({
            clusterName: "cloud",
            server: "https://x.eks",
            certificateAuthorityData: "Q0E=",
            serviceAccount: "sa",
            token: "tok",
        });
        const kubeconfig = parseKubeconfig(text);
        expect(clusterEndpoint(kubeconfig)).toEqual({ server: "https://x.eks", certificateAuthorityData: "Q0E=" });
        expect(selectContext(kubeconfig)).toEqual({ cluster: "cloud", user: "sa" });
        expect(parse(text).users).toEqual([{ name: "sa", user: { token: "tok" } }]);
    });
});
