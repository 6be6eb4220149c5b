import { createHash } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";
import * as tls from "@pulumi/tls";
import { TrustSlot, inSlotOrder } from "./trustPhases";

export interface MeshIdentityArgs {
    /** Every cluster in the mesh, by clusterName: each gets its own identity issuer. */
    clusterNames: string[];
    /** The anchors every cluster trusts, one or two distinct slots; the bundle lists them in slot order. */
    trustAnchors: TrustSlot[];
    /** The anchor that signs every cluster's issuer: one of trustAnchors. */
    issuerTrustAnchor: TrustSlot;
    /** Refuse to delete the signing anchor (its loss breaks every cluster's identity). */
    protectTrustAnchor: boolean;
}

export interface TrustAnchor {
    certPem: pulumi.Output<string>;
    /** RFC 3339 times, as the tls provider gives them. */
    notBefore: pulumi.Output<string>;
    notAfter: pulumi.Output<string>;
}

export interface IdentityIssuer {
    /** The slot whose anchor signed it. */
    slot: TrustSlot;
    certPem: pulumi.Output<string>;
    /** A secret. */
    keyPem: pulumi.Output<string>;
    notAfter: pulumi.Output<string>;
    /** meshIdentityChecksum of the bundle and this issuer: the value its cluster's pod templates carry. */
    meshIdentityChecksum: pulumi.Output<string>;
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
/** `linkerd check` warns this many days before the anchor expires; a preview warns from the same day. */
export const ANCHOR_EXPIRY_WARNING_DAYS = 60;

/** ECDSA P-256: what Linkerd requires of an issuer (the tls provider's ECDSA default is P-224). */
export const ECDSA_P256 = { algorithm: "ECDSA", ecdsaCurve: "P256" } as const;

/** A digest of the public half of a cluster's identity: the bundle it trusts and its issuer. */
export function meshIdentityChecksum(trustBundlePem: string, issuerCertPem: string): string {
    return createHash("sha256").update(JSON.stringify({ trustBundlePem, issuerCertPem })).digest("hex");
}

/**
 * The prefix of a slot's resource names. Slot a keeps the names the single anchor had; slot b's
 * (`<name>-b-…`) cannot meet them, whatever the clusters are called.
 */
export function slotResourcePrefix(name: string, slot: TrustSlot): string {
    return slot === "a" ? name : `${name}-${slot}`;
}

/** What a preview says when the signing anchor expires within ANCHOR_EXPIRY_WARNING_DAYS of `now`; undefined otherwise. */
export function anchorExpiryWarning(slot: TrustSlot, notAfter: string, now: Date): string | undefined {
    const daysLeft = Math.floor((Date.parse(notAfter) - now.getTime()) / (24 * 3600_000));
    if (daysLeft >= ANCHOR_EXPIRY_WARNING_DAYS) return undefined;
    const when = daysLeft < 0 ? `expired on ${notAfter}` : `expires on ${notAfter}, in ${daysLeft} days`;
    return (
        `The mesh's active trust anchor (slot ${slot}, the issuerTrustAnchor) ${when}: every cluster's identity stops with it. ` +
        "Rotate it with `npm run rotate`: three runs, each a phase on the cloud and then every edge site (docs/rotation.md)."
    );
}

/**
 * The mesh's identity: the trust anchors every cluster trusts (one, or two during a rotation), and one
 * issuer per cluster, signed by the issuerTrustAnchor. Anchor keys stay in this stack's state; only
 * certificates and issuers leave it. An anchor exists while its slot is listed: dropping a slot deletes
 * its key, and adding it again makes a new one. Moving the issuers to the other slot makes new issuers,
 * keys included.
 */
export class MeshIdentity extends pulumi.ComponentResource {
    /** Every anchor's certificate, in slot order: what every cluster trusts. */
    public readonly trustBundlePem: pulumi.Output<string>;
    public readonly anchors: Partial<Record<TrustSlot, TrustAnchor>>;
    public readonly issuers: Record<string, IdentityIssuer>;

    constructor(name: string, args: MeshIdentityArgs, opts?: pulumi.ComponentResourceOptions) {
        super("edge-cloud-mesh:identity:MeshIdentity", name, {}, opts);

        const slots = inSlotOrder(args.trustAnchors);
        const anchorResources = Object.fromEntries(
            slots.map((slot) => {
                const prefix = slotResourcePrefix(name, slot);
                // Only the signing anchor is protected: the other one must go when the rotation drops it.
                const anchorOptions = { parent: this, protect: args.protectTrustAnchor && slot === args.issuerTrustAnchor };
                const key = new tls.PrivateKey(`${prefix}-trust-anchor`, ECDSA_P256, anchorOptions);
                const cert = new tls.SelfSignedCert(
                    `${prefix}-trust-anchor`,
                    {
                        privateKeyPem: key.privateKeyPem,
                        subject: { commonName: TRUST_ANCHOR_COMMON_NAME },
                        isCaCertificate: true,
                        validityPeriodHours: TRUST_ANCHOR_VALIDITY_HOURS,
                        allowedUses: CA_USES,
                    },
                    anchorOptions,
                );
                return [slot, { key, cert }];
            }),
        ) as Partial<Record<TrustSlot, { key: tls.PrivateKey; cert: tls.SelfSignedCert }>>;
        this.anchors = Object.fromEntries(
            slots.map((slot) => {
                const { cert } = anchorResources[slot]!;
                return [slot, { certPem: cert.certPem, notBefore: cert.validityStartTime, notAfter: cert.validityEndTime }];
            }),
        );
        // Each certPem ends with a newline (PEM encoding), so the bundle of one anchor is that anchor's certPem.
        this.trustBundlePem = pulumi.all(slots.map((slot) => anchorResources[slot]!.cert.certPem)).apply((pems) => pems.join(""));

        const signer = anchorResources[args.issuerTrustAnchor];
        if (signer === undefined) {
            throw new Error(`issuerTrustAnchor ${args.issuerTrustAnchor} is not among trustAnchors ${slots.join(",")}`);
        }
        const prefix = slotResourcePrefix(name, args.issuerTrustAnchor);
        this.issuers = Object.fromEntries(
            args.clusterNames.map((clusterName) => {
                const key = new tls.PrivateKey(`${prefix}-issuer-${clusterName}`, ECDSA_P256, { parent: this });
                const request = new tls.CertRequest(
                    `${prefix}-issuer-${clusterName}`,
                    { privateKeyPem: key.privateKeyPem, subject: { commonName: ISSUER_COMMON_NAME } },
                    { parent: this },
                );
                const cert = new tls.LocallySignedCert(
                    `${prefix}-issuer-${clusterName}`,
                    {
                        certRequestPem: request.certRequestPem,
                        caPrivateKeyPem: signer.key.privateKeyPem,
                        caCertPem: signer.cert.certPem,
                        isCaCertificate: true,
                        validityPeriodHours: ISSUER_VALIDITY_HOURS,
                        earlyRenewalHours: ISSUER_EARLY_RENEWAL_HOURS,
                        allowedUses: CA_USES,
                    },
                    { parent: this },
                );
                const issuer: IdentityIssuer = {
                    slot: args.issuerTrustAnchor,
                    certPem: cert.certPem,
                    keyPem: pulumi.secret(key.privateKeyPem),
                    notAfter: cert.validityEndTime,
                    meshIdentityChecksum: pulumi
                        .all([this.trustBundlePem, cert.certPem])
                        .apply(([bundle, issuerCert]) => meshIdentityChecksum(bundle, issuerCert)),
                };
                return [clusterName, issuer];
            }),
        );

        // Unknown in a preview that creates or replaces the anchor: a new anchor has ten years ahead of it.
        signer.cert.validityEndTime.apply((notAfter) => {
            const warning = anchorExpiryWarning(args.issuerTrustAnchor, notAfter, new Date());
            if (warning !== undefined) void pulumi.log.warn(warning, this);
        });
        this.registerOutputs({ trustBundlePem: this.trustBundlePem });
    }
}
