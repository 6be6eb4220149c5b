// A trust-anchor rotation, phase by phase: the cloud stack and two edge sites (each fed the cloud's
// outputs) under mocks, with real certificates (test/tlsMock.ts). A proxy "trusts" a peer when the
// peer's leaf verifies against the peer's issuer and that issuer verifies against a certificate of the
// proxy's bundle, as linkerd2-proxy checks a peer's [leaf, issuer] chain against its roots.
import * as crypto from "node:crypto";
import * as pulumi from "@pulumi/pulumi";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { anchorExpiryWarning, meshIdentityChecksum } from "../components/meshIdentity";
import { MESH_IDENTITY_ANNOTATION, TrustSlot } from "../components/trustPhases";
import { TRUST_ROOTS_CONFIG_MAP } from "../components/linkerdInstall";
import { parseConfig } from "../config";
import { K3S_KUBECONFIG, configContext, runEdge } from "./fixtures";
import { CHART, StackRun, configError, helmChart, named, ofType, rawStackConfig, runStack } from "./harness";
import { mockCertRequest, mockLocallySignedCert, mockPrivateKey } from "./tlsMock";

const DEPLOYMENT = "kubernetes:apps/v1:Deployment";
const CONFIGMAP = "kubernetes:core/v1:ConfigMap";
const DAY = 24 * 3600_000;

interface Phase {
    trustAnchors: TrustSlot[];
    issuerTrustAnchor: TrustSlot;
}
const PHASES: Record<string, Phase> = {
    "[a]/a": { trustAnchors: ["a"], issuerTrustAnchor: "a" },
    "[a,b]/a": { trustAnchors: ["a", "b"], issuerTrustAnchor: "a" },
    "[a,b]/b": { trustAnchors: ["a", "b"], issuerTrustAnchor: "b" },
    "[b]/b": { trustAnchors: ["b"], issuerTrustAnchor: "b" },
};
const SITES = ["edge", "edge-berlin"];

/** The whole mesh in one phase: the cloud stack, then every edge site from the cloud's outputs. */
interface Mesh {
    cloud: StackRun;
    clusters: Record<string, StackRun>;
}

async function upMesh(phase: Phase, config: Record<string, unknown> = {}): Promise<Mesh> {
    const cloud = await runStack("cloud", { config: { edgeSites: SITES, ...phase, ...config } });
    const clusters: Record<string, StackRun> = { cloud };
    for (const site of SITES) clusters[site] = await runEdge(cloud.outputs, {}, site);
    return { cloud, clusters };
}

/** What one cluster was given: its bundle, its issuer, its trust-roots ConfigMap and the checksum on each pod template. */
function identityOf(run: StackRun) {
    const values = helmChart(run, "linkerd-control-plane").inputs.values;
    const multicluster = helmChart(run, "linkerd-multicluster").inputs.values;
    const annotation = (annotations: Record<string, string> | undefined) => annotations?.[MESH_IDENTITY_ANNOTATION];
    return {
        bundle: values.identityTrustAnchorsPEM as string,
        issuerCertPem: values.identity.issuer.tls.crtPEM as string,
        issuerKeyPem: values.identity.issuer.tls.keyPEM as string,
        trustRoots: named(run, CONFIGMAP, TRUST_ROOTS_CONFIG_MAP),
        checksums: {
            "control plane": annotation(values.podAnnotations),
            viz: annotation(helmChart(run, "linkerd-viz").inputs.values.podAnnotations),
            multicluster: annotation(multicluster.podAnnotations),
            ...(multicluster.gateway.enabled ? { gateway: annotation(multicluster.gateway.deploymentAnnotations) } : {}),
            podinfo: annotation(named(run, DEPLOYMENT, "podinfo").inputs.spec.template.metadata.annotations),
            frontend: annotation(named(run, DEPLOYMENT, "frontend").inputs.spec.template.metadata.annotations),
            // The split's relay, on the edge (meshed too).
            ...(ofType(run, DEPLOYMENT).some((deployment) => deployment.name === "edge-relay-nginx")
                ? { relay: annotation(named(run, DEPLOYMENT, "podinfo-cloud-relay").inputs.spec.template.metadata.annotations) }
                : {}),
        },
    };
}

function certificates(bundle: string): crypto.X509Certificate[] {
    return (bundle.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? []).map(
        (pem) => new crypto.X509Certificate(pem),
    );
}

/** A workload's leaf certificate as the identity controller issues it, signed by a cluster's issuer. */
async function leafChain(issuerCertPem: string, issuerKeyPem: string): Promise<{ leaf: string; issuer: string }> {
    const key = mockPrivateKey({ algorithm: "ECDSA", ecdsaCurve: "P256" });
    const request = await mockCertRequest({
        privateKeyPem: key.privateKeyPem,
        subject: { commonName: "frontend.test.serviceaccount.identity.linkerd.cluster.local" },
        dnsNames: ["frontend.test.serviceaccount.identity.linkerd.cluster.local"],
    });
    const leaf = await mockLocallySignedCert({
        certRequestPem: request.certRequestPem,
        caCertPem: issuerCertPem,
        caPrivateKeyPem: issuerKeyPem,
        validityPeriodHours: 24,
        allowedUses: ["digital_signature", "key_encipherment", "server_auth", "client_auth"],
    });
    return { leaf: leaf.certPem, issuer: issuerCertPem };
}

/** Whether a proxy holding `bundle` accepts a peer presenting `chain`. */
function trusts(bundle: string, chain: { leaf: string; issuer: string }): boolean {
    const leaf = new crypto.X509Certificate(chain.leaf);
    const issuer = new crypto.X509Certificate(chain.issuer);
    if (!leaf.verify(issuer.publicKey)) return false;
    return certificates(bundle).some((root) => issuer.checkIssued(root) && issuer.verify(root.publicKey));
}

/** Every issuer's chain in a mesh: one leaf per cluster. */
async function chainsOf(mesh: Mesh) {
    return Promise.all(
        Object.entries(mesh.clusters).map(async ([cluster, run]) => {
            const { issuerCertPem, issuerKeyPem } = identityOf(run);
            return { cluster, chain: await leafChain(issuerCertPem, issuerKeyPem) };
        }),
    );
}

/** Each (holder, peer) pair where a proxy holding a bundle of `holders` would reject a peer of `peers`. */
async function rejections(holders: Mesh, peers: Mesh): Promise<string[]> {
    const problems: string[] = [];
    for (const { cluster: peer, chain } of await chainsOf(peers)) {
        for (const [holder, run] of Object.entries(holders.clusters)) {
            if (!trusts(identityOf(run).bundle, chain)) problems.push(`${holder} rejects ${peer}`);
        }
    }
    return problems;
}

const meshes: Record<string, Mesh> = {};
beforeAll(async () => {
    for (const [name, phase] of Object.entries(PHASES)) meshes[name] = await upMesh(phase);
});

describe.each(Object.keys(PHASES))("the rotation phase %s", (name) => {
    const phase = PHASES[name];

    it("gives every cluster the same bundle, its anchors in slot order, in the chart values and in the trust-roots ConfigMap", () => {
        const { cloud, clusters } = meshes[name];
        const trust = cloud.outputs.trust.value;
        expect(trust.trustAnchors).toEqual(phase.trustAnchors);
        expect(trust.issuerTrustAnchor).toBe(phase.issuerTrustAnchor);
        expect(Object.keys(trust.anchors)).toEqual(phase.trustAnchors);
        const bundle = cloud.outputs.trustBundlePem.value;
        expect(bundle).toBe(phase.trustAnchors.map((slot) => trust.anchors[slot].certPem).join(""));
        for (const [cluster, run] of Object.entries(clusters)) {
            const identity = identityOf(run);
            expect(identity.bundle, cluster).toBe(bundle);
            expect(identity.trustRoots.inputs.data, cluster).toEqual({ "ca-bundle.crt": bundle.trim() });
        }
        const anchors = certificates(bundle);
        expect(anchors).toHaveLength(phase.trustAnchors.length);
        for (const [index, anchor] of anchors.entries()) {
            expect(anchor.ca).toBe(true);
            expect(anchor.verify(anchor.publicKey)).toBe(true);
            expect(anchor.fingerprint256).toBe(new crypto.X509Certificate(trust.anchors[phase.trustAnchors[index]].certPem).fingerprint256);
        }
        expect(new Set(anchors.map((anchor) => anchor.fingerprint256)).size).toBe(anchors.length);
    });

    it("gives every cluster its own issuer, signed by the issuerTrustAnchor's anchor and no other", () => {
        const { cloud, clusters } = meshes[name];
        const trust = cloud.outputs.trust.value;
        const signer = new crypto.X509Certificate(trust.anchors[phase.issuerTrustAnchor].certPem);
        const others = phase.trustAnchors.filter((slot) => slot !== phase.issuerTrustAnchor);
        const issuers = Object.entries(clusters).map(([cluster, run]) => {
            const { issuerCertPem, issuerKeyPem } = identityOf(run);
            const issuer = new crypto.X509Certificate(issuerCertPem);
            expect(issuer.verify(signer.publicKey), cluster).toBe(true);
            for (const slot of others) expect(issuer.verify(new crypto.X509Certificate(trust.anchors[slot].certPem).publicKey)).toBe(false);
            expect(issuer.ca).toBe(true);
            expect(issuer.publicKey.asymmetricKeyDetails?.namedCurve).toBe("prime256v1");
            expect(issuer.checkPrivateKey(crypto.createPrivateKey(issuerKeyPem))).toBe(true);
            expect(trust.issuers[cluster]).toMatchObject({ slot: phase.issuerTrustAnchor, certPem: issuerCertPem });
            return issuer.fingerprint256;
        });
        expect(new Set(issuers).size).toBe(Object.keys(clusters).length);
        expect(Object.keys(trust.issuers).sort()).toEqual(Object.keys(clusters).sort());
    });

    it("lets a proxy on any cluster trust a peer on any other", async () => {
        expect(await rejections(meshes[name], meshes[name])).toEqual([]);
    });

    it("outputs every anchor's and issuer's validity, as the certificates state it, and no key", () => {
        const { cloud, clusters } = meshes[name];
        const trust = cloud.outputs.trust.value;
        // A certificate states its times to the second; the provider's RFC 3339 times may carry a fraction.
        const expectSameSecond = (rfc3339: string, certificateTime: string) =>
            expect(Math.floor(Date.parse(rfc3339) / 1000) * 1000).toBe(Date.parse(certificateTime));
        for (const slot of phase.trustAnchors) {
            const anchor = new crypto.X509Certificate(trust.anchors[slot].certPem);
            expectSameSecond(trust.anchors[slot].notBefore, anchor.validFrom);
            expectSameSecond(trust.anchors[slot].notAfter, anchor.validTo);
        }
        for (const cluster of Object.keys(clusters)) {
            expectSameSecond(trust.issuers[cluster].notAfter, new crypto.X509Certificate(trust.issuers[cluster].certPem).validTo);
        }
        expect(cloud.outputs.trust.secret).toBe(false);
        expect(cloud.outputs.trustBundlePem.secret).toBe(false);
        expect(JSON.stringify(cloud.outputs.trust.value)).not.toMatch(/PRIVATE KEY/);
        expect(cloud.outputs.edgeSites.secret).toBe(true);
    });

    it("puts the checksum of the bundle and the cluster's issuer on every pod template the program declares there", () => {
        const { cloud, clusters } = meshes[name];
        for (const [cluster, run] of Object.entries(clusters)) {
            const identity = identityOf(run);
            const expected = meshIdentityChecksum(identity.bundle, identity.issuerCertPem);
            for (const [where, checksum] of Object.entries(identity.checksums)) expect(checksum, `${cluster} ${where}`).toBe(expected);
            expect(cloud.outputs.trust.value.issuers[cluster].meshIdentityChecksum, cluster).toBe(expected);
            if (cluster !== "cloud") expect(run.outputs.meshIdentityChecksum, cluster).toEqual({ value: expected, secret: false });
            // Not a secret: a secret value would hide the whole Deployment in previews.
            expect(named(run, DEPLOYMENT, "podinfo").rawInputs.spec.template.metadata.annotations[MESH_IDENTITY_ANNOTATION]).toBe(expected);
        }
        expect(Object.keys(identityOf(cloud).checksums)).toContain("gateway");
        for (const site of SITES) expect(Object.keys(identityOf(clusters[site]).checksums)).toContain("relay");
    });

    it("protects, with protectTrustAnchor, only the anchor that signs", async () => {
        const run = await runStack("cloud", { config: { ...phase, protectTrustAnchor: true } });
        const protectedNames = run.resources
            .filter((resource) => resource.protect)
            .map((resource) => `${resource.type.split(":")[1]} ${resource.name}`);
        const prefix = phase.issuerTrustAnchor === "a" ? "mesh" : "mesh-b";
        expect(protectedNames.sort()).toEqual([`index/privateKey ${prefix}-trust-anchor`, `index/selfSignedCert ${prefix}-trust-anchor`]);
    });
});

describe.each([
    ["[a]/a", "[a,b]/a", "the bundle"],
    ["[a,b]/a", "[a,b]/b", "the issuers"],
    ["[a,b]/b", "[b]/b", "the bundle"],
])("from %s to %s", (before, after, changes) => {
    // The way back (a second rotation, b to a) is the same steps in mirror: every check here is symmetric.
    it("keeps mTLS between a proxy of either phase and a peer of the other, both ways", async () => {
        expect(await rejections(meshes[before], meshes[after])).toEqual([]);
        expect(await rejections(meshes[after], meshes[before])).toEqual([]);
    });

    it(`changes ${changes} alone, and with it every cluster's checksum`, () => {
        for (const cluster of ["cloud", ...SITES]) {
            const [from, to] = [identityOf(meshes[before].clusters[cluster]), identityOf(meshes[after].clusters[cluster])];
            expect(from.bundle === to.bundle, cluster).toBe(changes !== "the bundle");
            expect(from.issuerCertPem === to.issuerCertPem, cluster).toBe(changes !== "the issuers");
            for (const where of Object.keys(from.checksums)) {
                expect(to.checksums[where as keyof typeof to.checksums], `${cluster} ${where}`).not.toBe(
                    from.checksums[where as keyof typeof from.checksums],
                );
            }
        }
    });
});

describe("phases that skip a step", () => {
    it.each([
        ["[a]/a", "[a,b]/b"],
        ["[a,b]/a", "[b]/b"],
    ])("%s straight to %s breaks mTLS between them", async (before, after) => {
        const problems = [...(await rejections(meshes[before], meshes[after])), ...(await rejections(meshes[after], meshes[before]))];
        // One way, every one of the 3 clusters rejects every one of the other phase's 3.
        expect(problems).toHaveLength(3 * 3);
    });
});

describe("the same phase twice", () => {
    it("declares the same inputs everywhere, so nothing restarts", async () => {
        const again = await upMesh(PHASES["[a,b]/b"]);
        for (const [cluster, run] of Object.entries(again.clusters)) {
            const inputs = (each: StackRun) => Object.fromEntries(each.resources.map((resource) => [resource.urn, resource.rawInputs]));
            expect(inputs(run), cluster).toEqual(inputs(meshes["[a,b]/b"].clusters[cluster]));
            expect(identityOf(run).checksums).toEqual(identityOf(meshes["[a,b]/b"].clusters[cluster]).checksums);
        }
    });
});

describe("an edge site added or removed", () => {
    it("restarts nothing on the clusters that stay: the checksum is of their own issuer, not every cluster's", async () => {
        const phase = PHASES["[a,b]/a"];
        const cloud = await runStack("cloud", { config: { edgeSites: ["edge"], ...phase } });
        const edge = await runEdge(cloud.outputs, {}, "edge");
        expect(Object.keys(cloud.outputs.trust.value.issuers).sort()).toEqual(["cloud", "edge"]);
        const before = meshes["[a,b]/a"].clusters;
        expect(identityOf(cloud).checksums).toEqual(identityOf(before.cloud).checksums);
        expect(identityOf(edge).checksums).toEqual(identityOf(before.edge).checksums);
    });
});

describe("the trust-roots ConfigMap", () => {
    it.each(["cloud", "edge"])(
        "on %s is the program's, before the control plane, in place of the chart's (adopted by alias)",
        (cluster) => {
            const run = meshes["[a]/a"].clusters[cluster];
            const controlPlane = helmChart(run, "linkerd-control-plane");
            const trustRoots = named(run, CONFIGMAP, TRUST_ROOTS_CONFIG_MAP);
            // The chart skips its own (identity.yaml: `if not .Values.identity.externalCA`); every reader finds this one by name.
            expect(controlPlane.inputs.values.identity.externalCA).toBe(true);
            expect(controlPlane.dependencies).toContain(trustRoots.urn);
            expect(trustRoots.inputs.metadata).toEqual({
                name: TRUST_ROOTS_CONFIG_MAP,
                namespace: "linkerd",
                labels: { "linkerd.io/control-plane-component": "identity", "linkerd.io/control-plane-ns": "linkerd" },
                annotations: { "linkerd.io/created-by": "linkerd/helm edge-26.8.3" },
            });
            expect(trustRoots.aliases).toContainEqual(
                expect.objectContaining({
                    name: `${cluster}-control-plane:linkerd/${TRUST_ROOTS_CONFIG_MAP}`,
                    type: "",
                    parenturn: controlPlane.urn,
                }),
            );
            expect(ofType(run, CHART).filter((chart) => chart.dependencies.includes(trustRoots.urn))).toEqual([controlPlane]);
        },
    );
});

describe("phases that cannot exist are rejected before anything is declared, naming both keys", () => {
    const cases: [string, Record<string, unknown>, RegExp][] = [
        [
            "an issuer slot not in the list",
            { trustAnchors: ["a"], issuerTrustAnchor: "b" },
            /issuerTrustAnchor: "b" is not in edge-cloud-mesh:trustAnchors \["a"\]/,
        ],
        ["an empty list", { trustAnchors: [] }, /trustAnchors: \[\] is an empty list/],
        ["an unknown slot", { trustAnchors: ["a", "c"] }, /trustAnchors: \["a","c"\] has "c", not a slot: the slots are "a" and "b"/],
        ["an unknown issuer slot", { issuerTrustAnchor: "c" }, /issuerTrustAnchor: "c" is not a slot of edge-cloud-mesh:trustAnchors/],
        ["more than two", { trustAnchors: ["a", "b", "a"] }, /trustAnchors: \["a","b","a"\] lists 3 anchors: a rotation trusts at most 2/],
        ["a duplicate", { trustAnchors: ["b", "b"], issuerTrustAnchor: "b" }, /trustAnchors: \["b","b"\] lists "b" more than once/],
    ];
    it.each(cases)("%s", async (_label, config, pattern) => {
        const message = await configError("cloud", { config });
        expect(message).toMatch(pattern);
        const problems = message.split("\n").filter((line) => line.startsWith("  - "));
        expect(problems.length).toBeGreaterThan(0);
        for (const problem of problems) {
            expect(problem).toMatch(/edge-cloud-mesh:trustAnchors/);
            expect(problem).toMatch(/edge-cloud-mesh:issuerTrustAnchor/);
            expect(problem).toMatch(
                /accepted: a phase of a rotation, edge-cloud-mesh:trustAnchors \["a"\] with edge-cloud-mesh:issuerTrustAnchor "a", \["a","b"\] with "a"/,
            );
        }
    });

    it("takes the anchors in any order, listing them in slot order", () => {
        const config = parseConfig(
            rawStackConfig("cloud", { trustAnchors: ["b", "a"], issuerTrustAnchor: "b" }),
            "cloud",
            configContext(new Date()),
        );
        expect(config).toMatchObject({ trustAnchors: ["a", "b"], issuerTrustAnchor: "b" });
    });

    it("stops an edge stack that sets them: the cloud stack decides the phase for every cluster", async () => {
        const message = await configError("edge", { config: { role: "edge", kubeconfig: K3S_KUBECONFIG, trustAnchors: ["a", "b"] } });
        expect(message).toMatch(/edge-cloud-mesh:trustAnchors is read only by cloud stacks/);
    });

    it("stops an edge stack whose cloud stack has no trust bundle yet, naming what to run", async () => {
        const older = Object.fromEntries(Object.entries(meshes["[a]/a"].cloud.outputs).filter(([key]) => key !== "trustBundlePem"));
        const message = await configError("edge", {
            config: { role: "edge", kubeconfig: K3S_KUBECONFIG },
            stackReferences: { cloud: older },
        });
        expect(message).toMatch(
            /edge-cloud-mesh:cloudStack: the stack "cloud" has no output trustBundlePem .*Run `pulumi up` on the cloud stack first/,
        );
    });
});

describe("the signing anchor's expiry", () => {
    const now = new Date("2030-01-01T00:00:00Z");
    const inDays = (days: number) => new Date(now.getTime() + days * DAY).toISOString();

    it("is warned of within 60 days, naming the slot and the command", () => {
        expect(anchorExpiryWarning("a", inDays(60), now)).toBeUndefined();
        expect(anchorExpiryWarning("b", inDays(59.5), now)).toMatch(
            /active trust anchor \(slot b, the issuerTrustAnchor\) expires on 2030-03-01T12:00:00.000Z, in 59 days.*`npm run rotate`/,
        );
        expect(anchorExpiryWarning("a", inDays(-1), now)).toMatch(/expired on 2029-12-31T00:00:00.000Z.*`npm run rotate`/);
    });

    describe("in a run", () => {
        afterEach(() => {
            vi.useRealTimers();
            vi.restoreAllMocks();
        });

        it("warns when the active anchor, as the state holds it, expires within 60 days, and not before", async () => {
            const warn = vi.spyOn(pulumi.log, "warn");
            const anchorWarnings = () => warn.mock.calls.filter(([message]) => /active trust anchor/.test(message));
            // A cloud on an existing cluster: EKS's support calendar would refuse the date below.
            const run = () =>
                runStack("cloud", {
                    config: {
                        ...PHASES["[a,b]/b"],
                        cluster: "kubeconfig",
                        kubeconfig: K3S_KUBECONFIG,
                        apiServerAddress: "https://k3d-cloud-server-0:6443",
                    },
                    secretKeys: ["kubeconfig"],
                });
            await run();
            expect(anchorWarnings()).toEqual([]);
            // The same state (the mocks keep it, as the engine would) years on, 30 days before anchor b expires.
            const notAfter = Date.parse(meshes["[a,b]/b"].cloud.outputs.trust.value.anchors.b.notAfter);
            vi.useFakeTimers({ toFake: ["Date"] });
            vi.setSystemTime(notAfter - 30 * DAY + 3600_000);
            await run();
            expect(anchorWarnings()).toHaveLength(1);
            expect(anchorWarnings()[0][0]).toMatch(/slot b, the issuerTrustAnchor\) expires on .*, in 29 days.*`npm run rotate`/);
        });
    });
});
