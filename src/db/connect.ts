/**
 * Database connections for everything neon-migrate runs: the `@neondatabase/serverless` Client over
 * WebSockets. Neon URIs keep the driver's Neon defaults; a loopback URI (the local engine) goes
 * through an in-process WebSocket→TCP relay with TLS and the pipelined connect turned off (the
 * pipelined connect fails with SCRAM), set per Client so the two never mix.
 */
import type { EventEmitter } from 'node:events';
import { Client } from '@neondatabase/serverless';
import ws from 'ws';
import { PlatformError, redactSecrets } from '../errors.js';
import { isLoopbackHost, type Relay, startRelay } from './relay.js';

/** A query result: rows as objects. */
export interface QueryResult<R> {
  rows: R[];
  rowCount: number;
}

/** The small client interface the rest of the code uses. */
export interface DbClient {
  /**
   * Run SQL. Without params, a multi-statement script runs as one simple query (`$$` bodies
   * included); with params, one statement via the extended protocol.
   */
  query<R = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<QueryResult<R>>;
  /**
   * Run a parameterless multi-statement script as one simple query. On failure the thrown error
   * carries `completedStatements`: how many statements of the script completed before it.
   */
  script(sql: string): Promise<void>;
  close(): Promise<void>;
}

let relay: Promise<Relay> | undefined;
let relayUsers = 0;

/** Share one relay between the open local connections and pools; it closes when the last one does. */
export async function acquireRelay(): Promise<Relay> {
  relayUsers++;
  relay ??= startRelay();
  try {
    return await relay;
  } catch (err) {
    relayUsers--;
    relay = undefined;
    throw err;
  }
}

/** Release a relay use taken with acquireRelay. */
export async function releaseRelay(): Promise<void> {
  relayUsers--;
  if (relayUsers === 0 && relay) {
    const r = relay;
    relay = undefined;
    await (await r).close();
  }
}

/** True when the URI points at this machine (the local engine). */
export function isLocalUri(uri: string): boolean {
  try {
    return isLoopbackHost(new URL(uri).hostname);
  } catch {
    return false;
  }
}

/** Per-client driver settings: WebSockets from `ws`; for a local target, the relay without TLS or pipelining. */
export function configureClient(client: Client, relay?: Relay): void {
  const cfg = client.neonConfig;
  cfg.webSocketConstructor = ws;
  if (!relay) return;
  cfg.wsProxy = (host: string, port: number | string) => `${relay.address}/?address=${host}:${port}`;
  cfg.useSecureWebSocket = false;
  cfg.pipelineTLS = false;
  cfg.pipelineConnect = false;
  cfg.forceDisablePgSSL = true;
}

/** How long a polite close may take before the socket is dropped. */
const CLOSE_TIMEOUT_MS = 5000;

/**
 * client.end() waits for the server's goodbye, which a dead server never sends: after `ms` the
 * socket is destroyed instead, so closing a session can never hang a run.
 */
async function endWithin(client: Client, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), ms)));
  try {
    const outcome = await Promise.race([client.end().then(() => 'ended' as const, () => 'ended' as const), timedOut]);
    // The driver's socket is not in its typings; destroying it is the only way to let go of a dead session.
    if (outcome === 'timeout') (client as unknown as { connection?: { stream?: { destroy(): void } } }).connection?.stream?.destroy();
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Open a direct session to the database at `uri`.
 *
 * @example
 * ```ts
 * const db = await connect(await platform.connectionUri('dev'));
 * try {
 *   const { rows } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM tasks');
 * } finally {
 *   await db.close();
 * }
 * ```
 */
export async function connect(uri: string): Promise<DbClient> {
  const local = isLocalUri(uri);
  const client = new Client({ connectionString: uri });
  let usesRelay = false;
  if (local) {
    configureClient(client, await acquireRelay());
    usesRelay = true;
  } else {
    configureClient(client);
  }
  // Errors on an idle session (server restart, network) must not crash the process.
  client.on('error', () => undefined);
  // A session the server ended (a compute that died, a restore) never answers end(): see close().
  let ended = false;
  client.on('end', () => (ended = true));
  try {
    await client.connect();
  } catch (err) {
    if (usesRelay) await releaseRelay();
    const message = err instanceof Error ? err.message : String(err);
    throw new PlatformError(`cannot connect to the database: ${redactSecrets(message)}`, 'check that the branch exists and its compute is running', 'DB_CONNECT');
  }
  let closed = false;
  // The driver (a node-postgres fork) emits one `commandComplete` per finished statement on its
  // protocol connection; it is not in the typings, hence the narrow cast.
  const protocol = (client as unknown as { connection: EventEmitter }).connection;
  return {
    query: async <R>(sql: string, params?: unknown[]) => {
      const res = params === undefined ? await client.query(sql) : await client.query(sql, params);
      // A multi-statement simple query yields one result per statement; callers want the last.
      const last = Array.isArray(res) ? res[res.length - 1] : res;
      return { rows: (last?.rows ?? []) as R[], rowCount: last?.rowCount ?? 0 };
    },
    script: async (sql: string) => {
      let completed = 0;
      const count = () => void completed++;
      protocol.on('commandComplete', count);
      try {
        await client.query(sql);
      } catch (err) {
        if (err && typeof err === 'object') Object.assign(err, { completedStatements: completed });
        throw err;
      } finally {
        protocol.off('commandComplete', count);
      }
    },
    close: async () => {
      if (closed) return;
      closed = true;
      try {
        if (!ended) await endWithin(client, CLOSE_TIMEOUT_MS);
      } finally {
        if (usesRelay) await releaseRelay();
      }
    },
  };
}
