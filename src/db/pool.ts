/**
 * A connection pool for work that runs many independent queries (verification, snapshots); the
 * driver is chosen as in connect.ts (node-postgres for a local URI, the serverless Pool otherwise).
 * Migrations use a single direct session instead (see connect.ts).
 */
import type { Client } from '@neondatabase/serverless';
import { PlatformError, redactSecrets } from '../errors.js';
import {
  acquireRelay,
  configureClient,
  isLocalUri,
  localUsesServerless,
  type QueryResult,
  releaseRelay,
  webSocketClass,
} from './connect.js';
import { pgClientConfig } from './pg-config.js';
import type { Relay } from './relay.js';

/** The part of either driver's Pool used here. */
interface DriverPool {
  query(sql: string, params?: unknown[]): Promise<unknown>;
  end(): Promise<void>;
  on(event: 'error', listener: () => void): unknown;
}

/** A Pool of the serverless driver (through the relay when `relay` is given). */
async function serverlessPool(uri: string, max: number, relay: Relay | undefined): Promise<DriverPool> {
  const [{ Client: NeonClient, Pool }, ws] = await Promise.all([import('@neondatabase/serverless'), webSocketClass()]);
  // Each session of the pool gets the per-client settings.
  class ConfiguredClient extends NeonClient {
    constructor(config?: ConstructorParameters<typeof NeonClient>[0]) {
      super(config);
      configureClient(this, ws, relay);
    }
  }
  const pool = new Pool({ connectionString: uri, max });
  // The driver's Pool sets its own `Client` after construction (ignoring the option), so replace it
  // on the instance; the property is untyped.
  (pool as unknown as { Client: typeof Client }).Client = ConfiguredClient;
  return pool;
}

export interface DbPool {
  query<R = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<QueryResult<R>>;
  close(): Promise<void>;
}

/** A driver's result (node-postgres's shape, shared by its serverless fork). */
interface RawResult {
  rows?: unknown[];
  rowCount?: number | null;
}

/**
 * Open a pool of up to `max` sessions to `uri`.
 *
 * @example
 * ```ts
 * const pool = await openPool(await platform.connectionUri('dev', { pooled: true }), { max: 4 });
 * ```
 */
export async function openPool(uri: string, options: { max?: number } = {}): Promise<DbPool> {
  const max = options.max ?? 4;
  const local = isLocalUri(uri);
  let relay: Relay | undefined;
  let pool: DriverPool;
  if (local && !localUsesServerless()) {
    const { default: pg } = await import('pg');
    pool = new pg.Pool({ ...pgClientConfig(uri), max });
  } else {
    relay = local ? await acquireRelay() : undefined;
    try {
      pool = await serverlessPool(uri, max, relay);
    } catch (err) {
      if (relay) await releaseRelay();
      throw err;
    }
  }
  pool.on('error', () => undefined);
  let closed = false;
  return {
    query: async <R>(sql: string, params?: unknown[]) => {
      try {
        const res = (params === undefined ? await pool.query(sql) : await pool.query(sql, params)) as
          | RawResult
          | RawResult[];
        const last = Array.isArray(res) ? res[res.length - 1] : res;
        return { rows: (last?.rows ?? []) as R[], rowCount: last?.rowCount ?? 0 };
      } catch (err) {
        // Connection failures (not SQL errors) become platform errors without secrets.
        if (
          err &&
          typeof err === 'object' &&
          'code' in err &&
          typeof err.code === 'string' &&
          /^[0-9A-Z]{5}$/.test(err.code)
        )
          throw err;
        throw new PlatformError(`database pool error: ${redactSecrets(String((err as Error)?.message ?? err))}`, {
          code: 'DB_CONNECT',
        });
      }
    },
    close: async () => {
      if (closed) return;
      closed = true;
      try {
        await pool.end();
      } finally {
        if (relay) await releaseRelay();
      }
    },
  };
}
