/**
 * TLS for a local project's computes, like Neon's: one certificate per project, made when the
 * project is created (or, for a project made before TLS existed, on its next compute start), in
 * `<cluster root>/tls/`. Every branch's postgres serves it (see writeBranchConf), so URIs with
 * `sslmode=require&channel_binding=require` connect as printed, while plain connections still work.
 */
import { chmodSync, chownSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PlatformError } from '../../errors.js';
import type { RunAs } from './osuser.js';
import { loadableCert, makeServerCert } from './tls-cert.js';

/** Where a project's server certificate and key live. */
export interface TlsFiles {
  /** The certificate (public; usable as `sslrootcert` with `sslmode=verify-full`). */
  cert: string;
  /** The private key: mode 0600, owned by the cluster user (postgres refuses anything looser). */
  key: string;
}

/** The certificate files of the project whose clusters live under `clusterRoot`. */
export function tlsFiles(clusterRoot: string): TlsFiles {
  const dir = path.join(clusterRoot, 'tls');
  return { cert: path.join(dir, 'server.crt'), key: path.join(dir, 'server.key') };
}

/** Write `text` to `file` atomically (temp file, then rename), owned by the cluster user. */
function writeAtomically(runAs: RunAs | undefined, file: string, text: string, mode: number): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, text, { mode });
  chmodSync(tmp, mode); // a leftover temp file keeps its old mode through writeFileSync
  if (runAs) chownSync(tmp, runAs.uid, runAs.gid);
  renameSync(tmp, file);
}

/**
 * Make the project's certificate and key unless both exist and OpenSSL can load the certificate
 * (idempotent; call under the engine lock). Returns true when it made them.
 */
export function ensureServerCert(runAs: RunAs | undefined, files: TlsFiles): boolean {
  if (existsSync(files.cert) && existsSync(files.key) && loadableCert(readFileSync(files.cert, 'utf8'))) return false;
  try {
    const dir = path.dirname(files.cert);
    // 0755: the certificate is public; the key file itself is 0600
    mkdirSync(dir, { recursive: true, mode: 0o755 });
    if (runAs) chownSync(dir, runAs.uid, runAs.gid);
    const { certPem, keyPem } = makeServerCert('neon-migrate local engine');
    // the key first: a certificate on disk always has its key
    writeAtomically(runAs, files.key, keyPem, 0o600);
    writeAtomically(runAs, files.cert, certPem, 0o644);
  } catch (err) {
    // a key without its certificate is remade next time; the cleanup must not hide the cause
    try {
      rmSync(files.cert, { force: true });
    } catch {}
    throw new PlatformError(
      `cannot create the TLS certificate of the local project in ${path.dirname(files.cert)}: ${(err as Error).message}`,
      { hint: 'check that this folder is writable, then retry', code: 'TLS_CERT_FAILED', cause: err },
    );
  }
  return true;
}
