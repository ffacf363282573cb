/**
 * Database connections for everything neon-migrate runs. Neon URIs use the `@neondatabase/serverless`
 * Client over WebSockets with the driver's Neon defaults. A loopback URI (the local engine) uses
 * node-postgres over plain TCP: the driver's WebSocket path needs an in-process WebSocket→TCP relay
 * there, which cost ~0.3 s per connect and ~1.7 ms per round trip (bench: `npm run bench`). Set
 * NEON_MIGRATE_LOCAL_DRIVER=serverless to send local sessions through the relay and the serverless
 * driver instead (TLS and the pipelined connect off: the pipelined connect fails with SCRAM).
 * The serverless driver is a fork of node-postgres: both speak the same protocol API used here.
 * Drivers are imported on first use, so commands that never connect do not load them.
 */
import type { EventEmitter } from 'node:events';
import type { Client } from '@neondatabase/serverless';
import { PlatformError, redactSecrets } from '../errors.js';
import { isLoopbackHost } from './loopback.js';
import { pgClientConfig } from './pg-config.js';
import type { Relay } from './relay.js';

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
   * `onCommand` hears each statement complete, as the server reports it (the count so far).
   */
  script(sql: string, onCommand?: (completed: number) => void): Promise<void>;
  close(): Promise<void>;
}

let relay: Promise<Relay> | undefined;
let relayUsers = 0;

/** Share one relay between the open local connections and pools; it closes when the last one does. */
export async function acquireRelay(): Promise<Relay> {
  relayUsers++;
  relay ??= import('./relay.js').then((m) => m.startRelay());
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

/** True when local sessions go through the relay and the serverless driver (NEON_MIGRATE_LOCAL_DRIVER=serverless). */
export function localUsesServerless(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.NEON_MIGRATE_LOCAL_DRIVER === 'serverless';
}

/** The `ws` WebSocket class, loaded once (only the serverless driver needs it). */
let wsClass: Promise<unknown> | undefined;
/** The WebSocket constructor for the serverless driver. */
export async function webSocketClass(): Promise<unknown> {
  wsClass ??= import('ws').then((m) => m.default);
  return wsClass;
}

/** Per-client driver settings: WebSockets from `ws`; for a local target, the relay without TLS or pipelining. */
export function configureClient(client: Client, ws: unknown, relay?: Relay): void {
  const cfg = client.neonConfig;
  // the driver types the constructor loosely (`any`); `ws` satisfies it at run time
  cfg.webSocketConstructor = ws as typeof cfg.webSocketConstructor;
  if (!relay) return;
  cfg.wsProxy = (host: string, port: number | string) => `${relay.address}/?address=${host}:${port}`;
  cfg.useSecureWebSocket = false;
  cfg.pipelineTLS = false;
  cfg.pipelineConnect = false;
  cfg.forceDisablePgSSL = true;
}

/** A driver's result (both drivers share node-postgres's shape). */
interface RawResult {
  rows?: unknown[];
  rowCount?: number | null;
}

/** How long a polite close may take before the socket is dropped. */
const CLOSE_TIMEOUT_MS = 5000;

/**
 * client.end() waits for the server's goodbye, which a dead server never sends: after `ms` the
 * socket is destroyed instead, so closing a session can never hang a run.
 */
async function endWithin(client: DriverClient, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), ms)));
  try {
    const outcome = await Promise.race([
      client.end().then(
        () => 'ended' as const,
        () => 'ended' as const,
      ),
      timedOut,
    ]);
    // The driver's socket is not in its typings; destroying it is the only way to let go of a dead session.
    if (outcome === 'timeout')
      (client as unknown as { connection?: { stream?: { destroy(): void } } }).connection?.stream?.destroy();
  } finally {
    clearTimeout(timer);
  }
}

/** What connect() needs of either driver's Client (node-postgres and its serverless fork). */
interface DriverClient {
  connect(): Promise<unknown>;
  end(): Promise<unknown>;
  on(event: 'error' | 'end', listener: (...args: unknown[]) => void): unknown;
  query(sql: string, params?: unknown[]): Promise<unknown>;
}

/**
 * A not yet connected client for `uri`: node-postgres over TCP for a local URI (TLS when the URI asks
 * for it, with libpq's meaning of sslmode), else the serverless driver.
 */
async function newClient(uri: string): Promise<{ client: DriverClient; usesRelay: boolean }> {
  if (isLocalUri(uri) && !localUsesServerless()) {
    const { default: pg } = await import('pg');
    return { client: new pg.Client(pgClientConfig(uri)), usesRelay: false };
  }
  const [{ Client: NeonClient }, ws] = await Promise.all([import('@neondatabase/serverless'), webSocketClass()]);
  const client = new NeonClient({ connectionString: uri });
  if (!isLocalUri(uri)) {
    configureClient(client, ws);
    return { client, usesRelay: false };
  }
  configureClient(client, ws, await acquireRelay());
  return { client, usesRelay: true };
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
  const { client, usesRelay } = await newClient(uri);
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
    throw new PlatformError(`cannot connect to the database: ${redactSecrets(message)}`, {
      hint: 'check that the branch exists and its compute is running',
      code: 'DB_CONNECT',
    });
  }
  let closed = false;
  // The driver (a node-postgres fork) emits one `commandComplete` per finished statement on its
  // protocol connection; it is not in the typings, hence the narrow cast.
  const protocol = (client as unknown as { connection: EventEmitter }).connection;
  return {
    query: async <R>(sql: string, params?: unknown[]) => {
      const res = (params === undefined ? await client.query(sql) : await client.query(sql, params)) as
        | RawResult
        | RawResult[];
      // A multi-statement simple query yields one result per statement; callers want the last.
      const last = Array.isArray(res) ? res[res.length - 1] : res;
      return { rows: (last?.rows ?? []) as R[], rowCount: last?.rowCount ?? 0 };
    },
    script: async (sql: string, onCommand?: (completed: number) => void) => {
      let completed = 0;
      const count = () => {
        completed++;
        onCommand?.(completed);
      };
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
