import * as pulumi from "@pulumi/pulumi";
import * as tls from "@pulumi/tls";

/** ECDSA P-256 keys, as the issuers have; the webhook servers take them in PKCS#8. */
export const WEBHOOK_KEY = { algorithm: "ECDSA", ecdsaCurve: "P256" } as const;
/** A year. Changing it replaces the webhook certificates alone, not the identity issuers. */
export const WEBHOOK_VALIDITY_HOURS = 365 * 24;
/**
 * `linkerd check` warns 60 days before a webhook certificate expires (linkerd-webhooks-and-apisvc-tls).
 * Any `pulumi up` in the 30 days before that replaces it, so the warning never shows.
 */
export const WEBHOOK_EARLY_RENEWAL_HOURS = 90 * 24;

/** The three chart values of one webhook server's certificate (`<chart key>.crtPEM` and so on). */
export interface WebhookCertValues {
    crtPEM: string;
    keyPEM: string;
    caBundle: string;
}

export interface WebhookCertificatesArgs {
    /** Chart values key → the host name the API server dials, `<service>.<namespace>.svc`. */
    hosts: Record<string, string>;
}

/**
 * Pinned serving certificates for Linkerd's admission webhooks and APIServices. Without them each
 * chart render generates new ones, and `pulumi preview` would never be empty. Like the charts'
 * own, each is self-signed for its one host and is its own CA bundle. Keys are PKCS#8: the Rust
 * policy validator rejects SEC1 ("EC PRIVATE KEY") keys.
 */
export class WebhookCertificates extends pulumi.ComponentResource {
    /** Chart values key → its crtPEM, keyPEM (secret) and caBundle. */
    public readonly values: Record<string, pulumi.Output<WebhookCertValues>>;

    constructor(name: string, args: WebhookCertificatesArgs, opts?: pulumi.ComponentResourceOptions) {
        super("edge-cloud-mesh:identity:WebhookCertificates", name, {}, opts);
        this.values = Object.fromEntries(
            Object.entries(args.hosts).map(([valuesKey, host]) => {
                const key = new tls.PrivateKey(`${name}-${valuesKey}`, WEBHOOK_KEY, { parent: this });
                const cert = new tls.SelfSignedCert(
                    `${name}-${valuesKey}`,
                    {
                        privateKeyPem: key.privateKeyPem,
                        subject: { commonName: host },
                        dnsNames: [host],
                        validityPeriodHours: WEBHOOK_VALIDITY_HOURS,
                        earlyRenewalHours: WEBHOOK_EARLY_RENEWAL_HOURS,
                        allowedUses: ["digital_signature", "key_encipherment", "server_auth"],
                    },
                    { parent: this },
                );
                const values = pulumi
                    .all([cert.certPem, key.privateKeyPemPkcs8])
                    .apply(([crtPEM, keyPEM]) => ({ crtPEM, keyPEM, caBundle: crtPEM }));
                return [valuesKey, pulumi.secret(values)];
            }),
        );
        this.registerOutputs({});
    }
}
