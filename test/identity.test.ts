import * as crypto from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { ISSUER_COMMON_NAME, ISSUER_EARLY_RENEWAL_HOURS, TRUST_ANCHOR_COMMON_NAME } from "../components/meshIdentity";
import { StackRun, ofType, runStack, single } from "./harness";
import { runMesh } from "./fixtures";

const HOUR = 3600_000;
const DAY = 24 * HOUR;

function certificate(pem: string): crypto.X509Certificate {
    return new crypto.X509Certificate(pem);
}

function commonName(cert: crypto.X509Certificate): string | undefined {
    return /CN=([^\n,]+)/.exec(cert.subject)?.[1];
}

/** What Linkerd's identity controller and `linkerd check` require of an issuer. */
function expectValidIssuer(certPem: string, keyPem: string, anchorPem: string) {
    const issuer = certificate(certPem);
    const anchor = certificate(anchorPem);
    expect(issuer.verify(anchor.publicKey)).toBe(true);
    expect(issuer.checkIssued(anchor)).toBe(true);
    expect(issuer.ca).toBe(true);
    expect(issuer.publicKey.asymmetricKeyType).toBe("ec");
    expect(issuer.publicKey.asymmetricKeyDetails?.namedCurve).toBe("prime256v1");
    expect(commonName(issuer)).toBe(ISSUER_COMMON_NAME);
    const lifetime = Date.parse(issuer.validTo) - Date.parse(issuer.validFrom);
    expect(Math.abs(lifetime - 365 * DAY)).toBeLessThanOrEqual(HOUR);
    expect(issuer.checkPrivateKey(crypto.createPrivateKey(keyPem))).toBe(true);
    expect(issuer.keyUsage).toBeUndefined(); // no extended key usage list, which would have to include serverAuth
}

describe("mesh identity (cloud stack)", () => {
    let run: StackRun;
    let anchorPem: string;
    beforeAll(async () => {
        run = await runStack("cloud", { config: { edgeSites: ["edge", "edge-berlin"] } });
        anchorPem = run.outputs.trustBundlePem.value;
    });

    it("has a self-signed ECDSA P-256 trust anchor: a CA for 10 years that signs certificates and CRLs", () => {
        const anchor = certificate(anchorPem);
        expect(anchor.verify(anchor.publicKey)).toBe(true);
        expect(anchor.ca).toBe(true);
        expect(commonName(anchor)).toBe(TRUST_ANCHOR_COMMON_NAME);
        expect(anchor.publicKey.asymmetricKeyDetails?.namedCurve).toBe("prime256v1");
        const lifetime = Date.parse(anchor.validTo) - Date.parse(anchor.validFrom);
        expect(Math.abs(lifetime - 3650 * DAY)).toBeLessThanOrEqual(HOUR);
        const anchorCert = single(run, "tls:index/selfSignedCert:SelfSignedCert", "mesh-trust-anchor");
        expect(anchorCert.inputs.allowedUses.sort()).toEqual(["cert_signing", "crl_signing"]);
        expect(run.outputs.trustBundlePem.secret).toBe(false);
    });

    it("issues one issuer per cluster, each its own P-256 key, a CA chained to the anchor with CN identity.linkerd.cluster.local", () => {
        const issuers = ofType(run, "tls:index/locallySignedCert:LocallySignedCert");
        expect(issuers.map((issuer) => issuer.name).sort()).toEqual(["mesh-issuer-cloud", "mesh-issuer-edge", "mesh-issuer-edge-berlin"]);
        const sites = run.outputs.edgeSites.value;
        expect(Object.keys(sites).sort()).toEqual(["edge", "edge-berlin"]);
        for (const site of Object.values<any>(sites)) expectValidIssuer(site.issuerCertPem, site.issuerKeyPem, anchorPem);
        expect(sites.edge.issuerKeyPem).not.toBe(sites["edge-berlin"].issuerKeyPem);
        for (const key of ofType(run, "tls:index/privateKey:PrivateKey")) {
            expect(key.inputs, key.name).toEqual({ algorithm: "ECDSA", ecdsaCurve: "P256" });
        }
    });

    it("renews each issuer before `linkerd check` warns (60 days before expiry)", () => {
        for (const issuer of ofType(run, "tls:index/locallySignedCert:LocallySignedCert")) {
            expect(issuer.inputs.earlyRenewalHours).toBe(ISSUER_EARLY_RENEWAL_HOURS);
            expect(issuer.inputs.earlyRenewalHours).toBeGreaterThan(60 * 24);
            expect(issuer.inputs.validityPeriodHours).toBe(8760);
            expect(issuer.inputs.isCaCertificate).toBe(true);
        }
    });

    it("exports the anchor and each site's issuer, key as a secret, and never the anchor's key", () => {
        expect(run.outputs.edgeSites.secret).toBe(true);
        expect(run.outputs.edgeSiteNames).toEqual({ value: ["edge", "edge-berlin"], secret: false });
        const anchorKey = single(run, "tls:index/locallySignedCert:LocallySignedCert", "mesh-issuer-edge").inputs.caPrivateKeyPem;
        expect(anchorKey).toMatch(/PRIVATE KEY/);
        expect(JSON.stringify(run.outputs)).not.toContain(anchorKey.trim().split("\n")[1]);
    });

    it("does not make certificates wait for the cluster", () => {
        const clusterUrns = run.resources.filter((r) => /^(eks|aws|pulumi:providers|kubernetes)/.test(r.type)).map((r) => r.urn);
        for (const resource of run.resources.filter((r) => r.type.startsWith("tls:"))) {
            const waitsFor = [...resource.dependencies, ...Object.values(resource.propertyDependencies).flat()];
            expect(
                waitsFor.filter((urn) => clusterUrns.includes(urn)),
                resource.name,
            ).toEqual([]);
        }
    });
});

describe("mesh identity seen from the edge stack", () => {
    it("gives the edge control plane the shared anchor and the edge site's own issuer", async () => {
        const { cloud, edge } = await runMesh();
        const values = single(edge, "kubernetes:helm.sh/v4:Chart", "edge-control-plane").inputs.values;
        expect(values.identityTrustAnchorsPEM).toBe(cloud.outputs.trustBundlePem.value);
        expect(values.identity.issuer.tls).toEqual({
            crtPEM: cloud.outputs.edgeSites.value.edge.issuerCertPem,
            keyPEM: cloud.outputs.edgeSites.value.edge.issuerKeyPem,
        });
        expectValidIssuer(values.identity.issuer.tls.crtPEM, values.identity.issuer.tls.keyPEM, values.identityTrustAnchorsPEM);
        const cloudValues = single(cloud, "kubernetes:helm.sh/v4:Chart", "cloud-control-plane").inputs.values;
        expect(cloudValues.identityTrustAnchorsPEM).toBe(values.identityTrustAnchorsPEM);
        expectValidIssuer(
            cloudValues.identity.issuer.tls.crtPEM,
            cloudValues.identity.issuer.tls.keyPEM,
            cloudValues.identityTrustAnchorsPEM,
        );
        expect(cloudValues.identity.issuer.tls.crtPEM).not.toBe(values.identity.issuer.tls.crtPEM);
        // No signing happens at the edge: it never holds the anchor's key.
        expect(ofType(edge, "tls:index/locallySignedCert:LocallySignedCert")).toHaveLength(0);
    });
});
