/** The local computes' certificate: a DER-valid serial always, and a certificate node (OpenSSL) loads. */
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { loadableCert, makeServerCert, serialNumber } from '../../src/platform/local/tls-cert.js';

describe('tls-cert', () => {
  it('a serial is a positive, minimal INTEGER whatever the random bytes (a leading 0x00 is "illegal padding")', () => {
    for (const first of [0x00, 0x01, 0x3f, 0x40, 0x7f, 0x80, 0xff]) {
      const serial = serialNumber(Buffer.from([first, 0x00, 0x12, 0x34]));
      expect(serial[0]).toBeGreaterThanOrEqual(0x40);
      expect(serial[0]).toBeLessThanOrEqual(0x7f);
      expect(serial.subarray(1)).toEqual(Buffer.from([0x00, 0x12, 0x34]));
    }
  });

  it('makes a certificate OpenSSL parses, for the loopback names, with its key', () => {
    const { certPem, keyPem } = makeServerCert('neon-migrate local');
    const cert = new X509Certificate(certPem);
    expect(cert.subject).toContain('CN=neon-migrate local');
    expect(cert.subjectAltName).toContain('DNS:localhost');
    expect(cert.subjectAltName).toContain('IP Address:127.0.0.1');
    expect(cert.checkPrivateKey(createPrivateKey(keyPem))).toBe(true);
    expect(Number.parseInt(cert.serialNumber.slice(0, 2), 16)).toBeGreaterThanOrEqual(0x40);
  });

  it('a certificate with a zero-padded serial (made before the fix) is found unloadable, so it is remade', () => {
    const padded = makeServerCert('old', new Date(), Buffer.from([0x00, 0x12, 0x34, 0x56]));
    expect(loadableCert(padded.certPem)).toBe(false);
    expect(loadableCert(makeServerCert('new').certPem)).toBe(true);
    expect(loadableCert('not a certificate')).toBe(false);
  });
});
