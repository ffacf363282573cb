/**
 * TLS like Neon on the local engine: the project's certificate is made with the project, every
 * branch serves it, URIs with `sslmode=require&channel_binding=require` connect (our client, node-
 * postgres with libpq semantics, psql when installed) and plain connections still work.
 */
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from '../../src/db/connect.js';
import { openPool } from '../../src/db/pool.js';
import { pgClientConfig } from '../../src/db/pg-config.js';
import { localStateDir } from '../../src/platform/local/index.js';
import { ensureServerCert, tlsFiles } from '../../src/platform/local/tls.js';
import { openTestEngine, type TestEngine } from '../support/engine.js';
import { hasPsql, psqlQuery } from '../support/psql.js';

const NEON_PARAMS = 'sslmode=require&channel_binding=require';
const SSL_IN_USE = 'SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()';

/** `SELECT ssl ...` over a fresh session of our own client. */
async function sslOf(uri: string): Promise<boolean> {
  const db = await connect(uri);
  try {
    return (await db.query<{ ssl: boolean }>(SSL_IN_USE)).rows[0]!.ssl;
  } finally {
    await db.close();
  }
}

let engine: TestEngine;
let plainUri: string;
let files: { cert: string; key: string };

beforeAll(async () => {
  engine = await openTestEngine();
  plainUri = await engine.platform.connectionUri('main');
  const state = JSON.parse(readFileSync(path.join(localStateDir(engine.dir), 'state.json'), 'utf8')) as {
    project: { clusterRoot: string };
  };
  files = tlsFiles(state.project.clusterRoot);
});
afterAll(async () => {
  await engine?.close();
});

describe('local engine TLS', () => {
  it('makes the certificate with the project: key 0600 of the cluster user, valid for the loopback addresses', () => {
    const key = statSync(files.key);
    expect(key.mode & 0o777).toBe(0o600);
    // the postgres processes' owner (nmpg as root, else this user) owns it, as postgres requires
    expect(key.uid).toBe(statSync(path.join(engine.platform.branchDir('main'), 'data')).uid);
    const cert = new X509Certificate(readFileSync(files.cert));
    expect(cert.checkPrivateKey(createPrivateKey(readFileSync(files.key)))).toBe(true);
    expect(cert.subjectAltName).toContain('IP Address:127.0.0.1');
    expect(cert.subjectAltName).toContain('DNS:localhost');
    expect(new Date(cert.validTo).getTime()).toBeGreaterThan(Date.now() + 10 * 365 * 86_400_000);
  });

  it('connects with sslmode=require&channel_binding=require (TLS), and plain as before', async () => {
    expect(await sslOf(`${plainUri}?${NEON_PARAMS}`)).toBe(true);
    expect(await sslOf(plainUri)).toBe(false);
    const pool = await openPool(`${plainUri}?${NEON_PARAMS}`, { max: 2 });
    try {
      expect((await pool.query<{ ssl: boolean }>(SSL_IN_USE)).rows[0]!.ssl).toBe(true);
    } finally {
      await pool.close();
    }
  });

  it('authenticates with SCRAM-SHA-256-PLUS (channel binding) when the URI requires it', async () => {
    const client = new pg.Client(pgClientConfig(`${plainUri}?${NEON_PARAMS}`));
    // the mechanism the client chose from the server's offer; the server checks the binding data
    const chosen: string[] = [];
    const conn = (client as unknown as { connection: { sendSASLInitialResponseMessage(m: string, r: string): void } })
      .connection;
    const send = conn.sendSASLInitialResponseMessage.bind(conn);
    conn.sendSASLInitialResponseMessage = (mechanism, response) => {
      chosen.push(mechanism);
      send(mechanism, response);
    };
    await client.connect();
    try {
      expect(chosen).toEqual(['SCRAM-SHA-256-PLUS']);
      expect((await client.query(SSL_IN_USE)).rows[0].ssl).toBe(true);
    } finally {
      await client.end();
    }
  });

  it('verifies the server with sslmode=verify-full and the project certificate as root', async () => {
    expect(await sslOf(`${plainUri}?sslmode=verify-full&sslrootcert=${encodeURIComponent(files.cert)}`)).toBe(true);
  });

  it.skipIf(!hasPsql())('psql connects to the URI as printed for Neon, channel binding enforced by libpq', () => {
    const run = (uri: string) => psqlQuery(uri, SSL_IN_USE);
    expect(run(`${plainUri}?${NEON_PARAMS}`)).toBe('t');
    expect(run(`${plainUri}?sslmode=verify-full&sslrootcert=${encodeURIComponent(files.cert)}`)).toBe('t');
    expect(run(`${plainUri}?sslmode=disable`)).toBe('f');
  });

  it('a project made before TLS gets its certificate on the next compute start', async () => {
    await engine.platform.stopComputes();
    // what an old project looks like: no tls/ folder (its branch config is rewritten at start)
    rmSync(path.dirname(files.cert), { recursive: true, force: true });
    const uri = await engine.platform.connectionUri('main');
    expect(existsSync(files.cert) && existsSync(files.key)).toBe(true);
    expect(statSync(files.key).mode & 0o777).toBe(0o600);
    expect(await sslOf(`${uri}?${NEON_PARAMS}`)).toBe(true);
  });

  it('a certificate that cannot be written is a typed error (TLS_CERT_FAILED)', () => {
    const root = mkdtempSync(path.join(tmpdir(), 'nm-tls-'));
    writeFileSync(path.join(root, 'tls'), 'a file where the folder should be');
    expect(() => ensureServerCert(undefined, tlsFiles(root))).toThrow(
      expect.objectContaining({ code: 'TLS_CERT_FAILED' }),
    );
    rmSync(root, { recursive: true, force: true });
  });

  it('branches serve the same certificate', async () => {
    const uri = await engine.branch('tls-child');
    expect(await sslOf(`${uri}?${NEON_PARAMS}`)).toBe(true);
    expect(await sslOf(`${uri}?sslmode=verify-full&sslrootcert=${encodeURIComponent(files.cert)}`)).toBe(true);
  });
});

describe('local engine TLS on PostgreSQL 18', () => {
  it('serves TLS with channel binding too', async () => {
    const pg18 = await openTestEngine({ postgresVersion: 18 });
    try {
      const uri = await pg18.platform.connectionUri('main');
      const db = await connect(`${uri}?${NEON_PARAMS}`);
      try {
        const { rows } = await db.query<{ ssl: boolean; v: string }>(
          `SELECT (${SSL_IN_USE}) AS ssl, current_setting('server_version_num') AS v`,
        );
        expect(rows[0]).toMatchObject({ ssl: true, v: expect.stringMatching(/^18/) });
      } finally {
        await db.close();
      }
    } finally {
      await pg18.close();
    }
  });
});
