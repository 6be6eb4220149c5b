// Real keys and certificates for the @pulumi/tls resources under mocks, following each resource's
// inputs the way the tls provider does, so that tests can check what Linkerd checks.
import "reflect-metadata";
import * as crypto from "node:crypto";
import * as x509 from "@peculiar/x509";

x509.cryptoProvider.set(crypto.webcrypto as unknown as Crypto);

/** The provider's curve names; it defaults to P224 when `ecdsaCurve` is not set. */
const NODE_CURVES: Record<string, string> = { P224: "secp224r1", P256: "prime256v1", P384: "secp384r1", P521: "secp521r1" };
const WEBCRYPTO_CURVES: Record<string, string> = { prime256v1: "P-256", secp384r1: "P-384", secp521r1: "P-521" };

const KEY_USAGES: Record<string, number> = {
    digital_signature: x509.KeyUsageFlags.digitalSignature,
    content_commitment: x509.KeyUsageFlags.nonRepudiation,
    key_encipherment: x509.KeyUsageFlags.keyEncipherment,
    data_encipherment: x509.KeyUsageFlags.dataEncipherment,
    key_agreement: x509.KeyUsageFlags.keyAgreement,
    cert_signing: x509.KeyUsageFlags.keyCertSign,
    crl_signing: x509.KeyUsageFlags.cRLSign,
    encipher_only: x509.KeyUsageFlags.encipherOnly,
    decipher_only: x509.KeyUsageFlags.decipherOnly,
};
const EXTENDED_KEY_USAGES: Record<string, string> = {
    any_extended: "2.5.29.37.0",
    server_auth: "1.3.6.1.5.5.7.3.1",
    client_auth: "1.3.6.1.5.5.7.3.2",
    code_signing: "1.3.6.1.5.5.7.3.3",
    email_protection: "1.3.6.1.5.5.7.3.4",
    timestamping: "1.3.6.1.5.5.7.3.8",
    ocsp_signing: "1.3.6.1.5.5.7.3.9",
};

export function mockPrivateKey(inputs: Record<string, any>): Record<string, any> {
    let pair: crypto.KeyPairKeyObjectResult;
    const state: Record<string, any> = { ...inputs };
    switch (inputs.algorithm) {
        case "ECDSA":
            state.ecdsaCurve = inputs.ecdsaCurve ?? "P224";
            pair = crypto.generateKeyPairSync("ec", { namedCurve: NODE_CURVES[state.ecdsaCurve] });
            break;
        case "RSA":
            state.rsaBits = inputs.rsaBits ?? 2048;
            pair = crypto.generateKeyPairSync("rsa", { modulusLength: state.rsaBits });
            break;
        case "ED25519":
            pair = crypto.generateKeyPairSync("ed25519");
            break;
        default:
            throw new Error(`tls.PrivateKey: unknown algorithm ${inputs.algorithm}`);
    }
    const nativeType = inputs.algorithm === "ECDSA" ? "sec1" : inputs.algorithm === "RSA" ? "pkcs1" : "pkcs8";
    return {
        ...state,
        privateKeyPem: pair.privateKey.export({ type: nativeType, format: "pem" } as crypto.KeyExportOptions<"pem">),
        privateKeyPemPkcs8: pair.privateKey.export({ type: "pkcs8", format: "pem" }),
        publicKeyPem: pair.publicKey.export({ type: "spki", format: "pem" }),
    };
}

interface SigningKeys {
    keys: CryptoKeyPair;
    signingAlgorithm: Algorithm | EcdsaParams;
}

async function importKeys(privateKeyPem: string): Promise<SigningKeys> {
    const key = crypto.createPrivateKey(privateKeyPem);
    let algorithm: RsaHashedImportParams | EcKeyImportParams;
    let signingAlgorithm: Algorithm | EcdsaParams;
    if (key.asymmetricKeyType === "ec") {
        const curve = key.asymmetricKeyDetails?.namedCurve ?? "";
        if (WEBCRYPTO_CURVES[curve] === undefined) throw new Error(`tls mock: cannot sign with curve ${curve} (Linkerd requires P-256)`);
        algorithm = { name: "ECDSA", namedCurve: WEBCRYPTO_CURVES[curve] };
        signingAlgorithm = { name: "ECDSA", hash: "SHA-256" } as EcdsaParams;
    } else if (key.asymmetricKeyType === "rsa") {
        algorithm = { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" };
        signingAlgorithm = algorithm;
    } else {
        throw new Error(`tls mock: cannot sign with a ${key.asymmetricKeyType} key`);
    }
    const subtle = crypto.webcrypto.subtle;
    const privateKey = await subtle.importKey("pkcs8", key.export({ type: "pkcs8", format: "der" }), algorithm, true, ["sign"]);
    const publicKey = await subtle.importKey("spki", crypto.createPublicKey(key).export({ type: "spki", format: "der" }), algorithm, true, [
        "verify",
    ]);
    return { keys: { privateKey, publicKey } as CryptoKeyPair, signingAlgorithm };
}

function subjectName(subject: Record<string, any> | undefined): string {
    const parts: [string, string | undefined][] = [
        ["CN", subject?.commonName],
        ["O", subject?.organization],
        ["OU", subject?.organizationalUnit],
        ["C", subject?.country],
        ["ST", subject?.province],
        ["L", subject?.locality],
    ];
    return parts
        .filter(([, value]) => value)
        .map(([attribute, value]) => `${attribute}=${value}`)
        .join(", ");
}

function usageExtensions(inputs: Record<string, any>): x509.Extension[] {
    const uses: string[] = inputs.allowedUses ?? [];
    for (const use of uses) {
        if (KEY_USAGES[use] === undefined && EXTENDED_KEY_USAGES[use] === undefined) {
            throw new Error(`tls: allowedUses has ${JSON.stringify(use)}, which the provider does not accept (it takes snake_case names)`);
        }
    }
    const extensions: x509.Extension[] = [new x509.BasicConstraintsExtension(inputs.isCaCertificate === true, undefined, true)];
    const keyUsage = uses.reduce((flags, use) => flags | (KEY_USAGES[use] ?? 0), 0);
    if (keyUsage !== 0) extensions.push(new x509.KeyUsagesExtension(keyUsage, true));
    const extended = uses.filter((use) => EXTENDED_KEY_USAGES[use] !== undefined).map((use) => EXTENDED_KEY_USAGES[use]);
    if (extended.length > 0) extensions.push(new x509.ExtendedKeyUsageExtension(extended));
    return extensions;
}

function alternativeNames(inputs: Record<string, any>): x509.Extension[] {
    const names = [
        ...(inputs.dnsNames ?? []).map((value: string) => ({ type: "dns" as const, value })),
        ...(inputs.ipAddresses ?? []).map((value: string) => ({ type: "ip" as const, value })),
        ...(inputs.uris ?? []).map((value: string) => ({ type: "url" as const, value })),
    ];
    return names.length > 0 ? [new x509.SubjectAlternativeNameExtension(names)] : [];
}

function validity(inputs: Record<string, any>) {
    const notBefore = new Date();
    const notAfter = new Date(notBefore.getTime() + inputs.validityPeriodHours * 3600_000);
    return { notBefore, notAfter, validityStartTime: notBefore.toISOString(), validityEndTime: notAfter.toISOString() };
}

const serialNumber = () =>
    crypto
        .randomBytes(16)
        .toString("hex")
        .replace(/^[89a-f]/, "1");

export async function mockSelfSignedCert(inputs: Record<string, any>): Promise<Record<string, any>> {
    const { keys, signingAlgorithm } = await importKeys(inputs.privateKeyPem);
    const { notBefore, notAfter, ...times } = validity(inputs);
    const cert = await x509.X509CertificateGenerator.createSelfSigned({
        serialNumber: serialNumber(),
        name: subjectName(inputs.subject),
        notBefore,
        notAfter,
        signingAlgorithm,
        keys,
        extensions: [
            ...usageExtensions(inputs),
            ...alternativeNames(inputs),
            await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
        ],
    });
    return { ...inputs, ...times, certPem: `${cert.toString("pem")}\n`, readyForRenewal: false };
}

export async function mockCertRequest(inputs: Record<string, any>): Promise<Record<string, any>> {
    const { keys, signingAlgorithm } = await importKeys(inputs.privateKeyPem);
    const request = await x509.Pkcs10CertificateRequestGenerator.create({
        name: subjectName(inputs.subject),
        keys,
        signingAlgorithm,
        extensions: alternativeNames(inputs),
    });
    return { ...inputs, certRequestPem: `${request.toString("pem")}\n` };
}

export async function mockLocallySignedCert(inputs: Record<string, any>): Promise<Record<string, any>> {
    const request = new x509.Pkcs10CertificateRequest(inputs.certRequestPem);
    if (!(await request.verify())) throw new Error("tls.LocallySignedCert: the certificate request's signature does not verify");
    const caCert = new x509.X509Certificate(inputs.caCertPem);
    const { keys: caKeys, signingAlgorithm } = await importKeys(inputs.caPrivateKeyPem);
    const caPublicKey = Buffer.from(await crypto.webcrypto.subtle.exportKey("spki", caKeys.publicKey)).toString("hex");
    if (caPublicKey !== Buffer.from(caCert.publicKey.rawData).toString("hex")) {
        throw new Error("tls.LocallySignedCert: caPrivateKeyPem is not the key of caCertPem");
    }
    const { notBefore, notAfter, ...times } = validity(inputs);
    const requestedNames = request.extensions.filter((extension) => extension instanceof x509.SubjectAlternativeNameExtension);
    const cert = await x509.X509CertificateGenerator.create({
        serialNumber: serialNumber(),
        subject: request.subjectName,
        issuer: caCert.subjectName,
        notBefore,
        notAfter,
        publicKey: request.publicKey,
        signingKey: caKeys.privateKey,
        signingAlgorithm,
        extensions: [...usageExtensions(inputs), ...requestedNames, await x509.AuthorityKeyIdentifierExtension.create(caKeys.publicKey)],
    });
    return { ...inputs, ...times, certPem: `${cert.toString("pem")}\n`, readyForRenewal: false };
}
