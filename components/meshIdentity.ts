import * as pulumi from "@pulumi/pulumi";
import * as tls from "@pulumi/tls";

export interface MeshIdentityArgs {
    /** Every cluster in the mesh, by clusterName: each gets its own identity issuer. */
    clusterNames: string[];
    /** Refuse to delete the trust anchor (its loss breaks every cluster's identity). */
    protectTrustAnchor: boolean;
}

export interface IdentityIssuer {
    certPem: pulumi.Output<string>;
    /** A secret. */
    keyPem: pulumi.Output<string>;
}

/** The names Linkerd's docs give the anchor and the issuers (`linkerd check` looks for nothing else). */
export const TRUST_ANCHOR_COMMON_NAME = "root.linkerd.cluster.local";
export const ISSUER_COMMON_NAME = "identity.linkerd.cluster.local";
export const TRUST_ANCHOR_VALIDITY_HOURS = 10 * 365 * 24;
export const ISSUER_VALIDITY_HOURS = 365 * 24;
/**
 * `linkerd check` warns 60 days before an issuer expires. Any `pulumi up` in the 30 days before that
 * replaces the issuer (and the control plane picks up the new one), so the warning never shows.
 */
export const ISSUER_EARLY_RENEWAL_HOURS = 90 * 24;
export const CA_USES = ["cert_signing", "crl_signing"];

/** ECDSA P-256: what Linkerd requires of an issuer (the tls provider's ECDSA default is P-224). */
export const ECDSA_P256 = { algorithm: "ECDSA", ecdsaCurve: "P256" } as const;

/**
 * The mesh's identity: one trust anchor that every cluster trusts, and one issuer per cluster, signed
 * by the anchor. The anchor's key stays in this stack's state; only certificates and issuers leave it.
 */
export class MeshIdentity extends pulumi.ComponentResource {
    public readonly trustAnchorPem: pulumi.Output<string>;
    public readonly issuers: Record<string, IdentityIssuer>;

    constructor(name: string, args: MeshIdentityArgs, opts?: pulumi.ComponentResourceOptions) {
        super("edge-cloud-mesh:identity:MeshIdentity", name, {}, opts);

        const anchorOptions = { parent: this, protect: args.protectTrustAnchor };
        const anchorKey = new tls.PrivateKey(`${name}-trust-anchor`, ECDSA_P256, anchorOptions);
        const anchor = new tls.SelfSignedCert(
            `${name}-trust-anchor`,
            {
                privateKeyPem: anchorKey.privateKeyPem,
                subject: { commonName: TRUST_ANCHOR_COMMON_NAME },
                isCaCertificate: true,
                validityPeriodHours: TRUST_ANCHOR_VALIDITY_HOURS,
                allowedUses: CA_USES,
            },
            anchorOptions,
        );

        this.trustAnchorPem = anchor.certPem;
        this.issuers = Object.fromEntries(
            args.clusterNames.map((clusterName) => {
                const key = new tls.PrivateKey(`${name}-issuer-${clusterName}`, ECDSA_P256, { parent: this });
                const request = new tls.CertRequest(
                    `${name}-issuer-${clusterName}`,
                    { privateKeyPem: key.privateKeyPem, subject: { commonName: ISSUER_COMMON_NAME } },
                    { parent: this },
                );
                const cert = new tls.LocallySignedCert(
                    `${name}-issuer-${clusterName}`,
                    {
                        certRequestPem: request.certRequestPem,
                        caPrivateKeyPem: anchorKey.privateKeyPem,
                        caCertPem: anchor.certPem,
                        isCaCertificate: true,
                        validityPeriodHours: ISSUER_VALIDITY_HOURS,
                        earlyRenewalHours: ISSUER_EARLY_RENEWAL_HOURS,
                        allowedUses: CA_USES,
                    },
                    { parent: this },
                );
                return [clusterName, { certPem: cert.certPem, keyPem: pulumi.secret(key.privateKeyPem) }];
            }),
        );
        this.registerOutputs({ trustAnchorPem: this.trustAnchorPem });
    }
}
