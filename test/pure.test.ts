// The pure functions that decide what the components declare, without mocks.
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { frontendConfig, mirroredServiceName, podinfoColour } from "../components/demoWorkloads";
import { clusterEndpoint, parseKubeconfig, selectContext, tokenKubeconfig } from "../components/kubeconfig";
import { controlPlaneNamespaceMetadata, heartbeatSchedule } from "../components/linkerdInstall";
import { credentialsSecrets, linkManifest } from "../components/multiclusterLink";
import { gatewayValues } from "../components/multiclusterGateway";

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
        expect(() => selectContext(parseKubeconfig(KUBECONFIG), "third")).toThrow(/no complete context "third" \(contexts: "first", "second", "broken"\)/);
        expect(() => clusterEndpoint(parseKubeconfig(KUBECONFIG), "broken")).toThrow(/cluster "missing" has no server/);
        expect(() => selectContext(parseKubeconfig("clusters: []"))).toThrow(/no current-context/);
    });

    it("write a token-only kubeconfig that reads back to the same cluster and user", () => {
        const text = tokenKubeconfig({ clusterName: "cloud", server: "https://x.eks", certificateAuthorityData: "Q0E=", serviceAccount: "sa", token: "tok" });
        const kubeconfig = parseKubeconfig(text);
        expect(clusterEndpoint(kubeconfig)).toEqual({ server: "https://x.eks", certificateAuthorityData: "Q0E=" });
        expect(selectContext(kubeconfig)).toEqual({ cluster: "cloud", user: "sa" });
        expect(parse(text).users).toEqual([{ name: "sa", user: { token: "tok" } }]);
    });
});

describe("Linkerd and link values", () => {
    it("pin the heartbeat to a valid daily schedule that differs between clusters", () => {
        for (const name of ["cloud", "edge", "edge-berlin"]) {
            const [minute, hour, ...rest] = heartbeatSchedule(name).split(" ");
            expect(Number(minute)).toBeLessThan(60);
            expect(Number(hour)).toBeLessThan(24);
            expect(rest).toEqual(["*", "*", "*"]);
            expect(heartbeatSchedule(name)).toBe(heartbeatSchedule(name));
        }
        expect(new Set(["cloud", "edge", "edge-berlin"].map(heartbeatSchedule)).size).toBe(3);
    });

    it("label the control-plane namespace so the injector leaves it alone", () => {
        expect(controlPlaneNamespaceMetadata().annotations).toEqual({ "linkerd.io/inject": "disabled" });
        expect(controlPlaneNamespaceMetadata().labels).toMatchObject({ "config.linkerd.io/admission-webhooks": "disabled" });
    });

    it("leave the remote-access accounts (and their extra token Secrets) out of the chart: the program declares one token per site", () => {
        expect(gatewayValues({ sourceCidrs: ["0.0.0.0/0"] }).remoteMirrorServiceAccount).toBe(false);
        expect(gatewayValues({ sourceCidrs: ["0.0.0.0/0"] })).not.toHaveProperty("remoteMirrorServiceAccountName");
    });

    it("put the same kubeconfig into both credentials Secrets, base64-encoded", () => {
        const secrets = credentialsSecrets("cloud", "apiVersion: v1\n");
        expect(secrets.controller.data).toEqual({ kubeconfig: Buffer.from("apiVersion: v1\n").toString("base64") });
        expect(secrets.destination.data).toEqual(secrets.controller.data);
        expect(secrets.controller.metadata).toEqual({ name: "cluster-credentials-cloud" }); // its namespace: the component states it (multicluster.test.ts)
    });

    it("name the Link and its secret after the target", () => {
        const link = linkManifest("east", { address: "a", port: "4143", identity: "i", probePath: "/ready", probePort: "4191", probePeriod: "3s" }, "2027.10.12");
        expect(link.metadata.name).toBe("east");
        expect(link.metadata.annotations).toEqual({ "linkerd.io/created-by": "linkerd/cli edge-27.10.12" });
        expect(link.spec.clusterCredentialsSecret).toBe("cluster-credentials-east");
        expect(link.spec.targetClusterName).toBe("east");
    });
});

describe("demo", () => {
    it("routes a path per linked cluster to its mirror, with nginx-safe variable names", () => {
        const config = frontendConfig(["cloud", "eu-west"]);
        expect(config).toContain('set $podinfo_eu_west "podinfo-eu-west.test.svc.cluster.local";');
        expect(config).toMatch(/location \/eu-west\/ \{\n\s+set \$podinfo_eu_west "[^"]+";\n\s+rewrite \^\/eu-west\(\/\.\*\)\$ \$1 break;/);
        expect(config).toContain("location = /eu-west {\n      return 301 /eu-west/$is_args$args;");
        // `/`, and per linked cluster its redirect and its prefix (test/frontendNginx.test.ts runs them under nginx).
        expect(config.match(/location /g)).toHaveLength(5);
        expect(mirroredServiceName("podinfo", "eu-west")).toBe("podinfo-eu-west");
    });

    it("gives two clusters two colours", () => {
        expect(podinfoColour("cloud")).not.toBe(podinfoColour("edge"));
        expect(podinfoColour("cloud")).toMatch(/^#[0-9a-f]{6}$/);
    });
});
