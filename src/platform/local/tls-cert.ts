/**
 * A self-signed server certificate for a local project's computes, built in pure JavaScript: the
 * key pair and the signature come from node:crypto, the X.509 structure from @peculiar/asn1-x509
 * (ASN.1 schemas only, no global polyfills). No `openssl` binary is needed, so the engine keeps
 * working on machines and CI images without one (e.g. node:*-slim).
 */
import { createPublicKey, generateKeyPairSync, randomBytes, sign, X509Certificate } from 'node:crypto';
import { AsnConvert, OctetString } from '@peculiar/asn1-schema';
import {
  AlgorithmIdentifier,
  AttributeTypeAndValue,
  AttributeValue,
  BasicConstraints,
  Certificate,
  ExtendedKeyUsage,
  Extension,
  Extensions,
  GeneralName,
  id_ce_basicConstraints,
  id_ce_extKeyUsage,
  id_ce_keyUsage,
  id_ce_subjectAltName,
  id_kp_serverAuth,
  KeyUsage,
  KeyUsageFlags,
  Name,
  RelativeDistinguishedName,
  SubjectAlternativeName,
  SubjectPublicKeyInfo,
  TBSCertificate,
  Validity,
  Version,
} from '@peculiar/asn1-x509';

/** ecdsa-with-SHA256 (RFC 5758): SCRAM channel binding (tls-server-end-point) hashes the cert with SHA-256. */
const ECDSA_WITH_SHA256 = '1.2.840.10045.4.3.2';
/** id-at-commonName. */
const COMMON_NAME = '2.5.4.3';
/** How long the certificate is valid: long enough that a local project never sees it expire. */
const VALID_YEARS = 20;

/** A PEM certificate and its PEM (PKCS#8) private key. */
export interface ServerCert {
  certPem: string;
  keyPem: string;
}

function extension(id: string, value: unknown, critical = false): Extension {
  return new Extension({ extnID: id, critical, extnValue: new OctetString(AsnConvert.serialize(value)) });
}

function pem(label: string, der: ArrayBuffer | Buffer): string {
  const b64 = Buffer.from(der instanceof Buffer ? der : new Uint8Array(der)).toString('base64');
  return `-----BEGIN ${label}-----\n${b64.match(/.{1,64}/g)?.join('\n')}\n-----END ${label}-----\n`;
}

/**
 * Whether a PEM certificate is one OpenSSL loads: it parses, and its serial is a minimal INTEGER
 * (certificates made before serialNumber existed could start with a zero byte).
 */
export function loadableCert(certPem: string): boolean {
  try {
    const hex = new X509Certificate(certPem).serialNumber;
    return !(hex.startsWith('00') && hex.length > 2 && Number.parseInt(hex.slice(2, 4), 16) < 0x80);
  } catch {
    return false;
  }
}

/**
 * A certificate serial from random bytes, as DER wants an INTEGER: positive (top bit clear) and
 * minimal (no leading zero byte). A leading 0x00 makes OpenSSL refuse the certificate with
 * "illegal padding", one time in 512 with plain random bytes: the first byte is kept in 0x40-0x7f.
 */
export function serialNumber(random: Buffer): Buffer {
  const serial = Buffer.from(random);
  serial[0] = (serial[0]! & 0x3f) | 0x40;
  return serial;
}

/**
 * Make a self-signed ECDSA P-256 server certificate for `commonName`, valid for the loopback
 * addresses the computes listen on (127.0.0.1, ::1, localhost), so `sslmode=verify-full` with the
 * certificate as `sslrootcert` works as well as `sslmode=require`.
 */
export function makeServerCert(
  commonName: string,
  now = new Date(),
  serial = serialNumber(randomBytes(16)),
): ServerCert {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const spki = createPublicKey(privateKey).export({ type: 'spki', format: 'der' });
  const name = new Name([
    new RelativeDistinguishedName([
      new AttributeTypeAndValue({ type: COMMON_NAME, value: new AttributeValue({ utf8String: commonName }) }),
    ]),
  ]);
  const notAfter = new Date(now);
  notAfter.setUTCFullYear(notAfter.getUTCFullYear() + VALID_YEARS);
  const usage = new KeyUsage(KeyUsageFlags.digitalSignature);
  const tbs = new TBSCertificate({
    version: Version.v3,
    serialNumber: new Uint8Array(serial).buffer,
    signature: new AlgorithmIdentifier({ algorithm: ECDSA_WITH_SHA256 }),
    issuer: name,
    // an hour back: a clock a little behind still accepts a certificate made just now
    validity: new Validity({ notBefore: new Date(now.getTime() - 3600_000), notAfter }),
    subject: name,
    subjectPublicKeyInfo: AsnConvert.parse(spki, SubjectPublicKeyInfo),
    extensions: new Extensions([
      extension(id_ce_basicConstraints, new BasicConstraints({ cA: false }), true),
      extension(id_ce_keyUsage, usage, true),
      extension(id_ce_extKeyUsage, new ExtendedKeyUsage([id_kp_serverAuth])),
      extension(
        id_ce_subjectAltName,
        new SubjectAlternativeName([
          new GeneralName({ dNSName: 'localhost' }),
          new GeneralName({ iPAddress: '127.0.0.1' }),
          new GeneralName({ iPAddress: '::1' }),
        ]),
      ),
    ]),
  });
  const tbsDer = Buffer.from(AsnConvert.serialize(tbs));
  const cert = new Certificate({
    tbsCertificate: tbs,
    signatureAlgorithm: new AlgorithmIdentifier({ algorithm: ECDSA_WITH_SHA256 }),
    signatureValue: new Uint8Array(sign('sha256', tbsDer, privateKey)).buffer,
  });
  return {
    certPem: pem('CERTIFICATE', AsnConvert.serialize(cert)),
    keyPem: String(privateKey.export({ type: 'pkcs8', format: 'pem' })),
  };
}
