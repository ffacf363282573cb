/**
 * A connection pool (`@neondatabase/serverless` Pool) for work that runs many independent queries
 * (verification, snapshots). Migrations use a single direct session instead (see connect.ts).
 */
import { Client, Pool } from '@neondatabase/serverless';
import { PlatformError, redactSecrets } from '../errors.js';
import { acquireRelay, configureClient, isLocalUri, type QueryResult, releaseRelay } from './connect.js';
import type { Relay } from './relay.js';

export interface DbPool {
  query<R = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<QueryResult<R>>;
  close(): Promise<void>;
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
  const relay: Relay | undefined = isLocalUri(uri) ? await acquireRelay() : undefined;
  // Each session of the pool gets the per-client settings.
  class ConfiguredClient extends Client {
    constructor(config?: ConstructorParameters<typeof Client>[0]) {
      super(config);
      configureClient(this, relay);
    }
  }
  const pool = new Pool({ connectionString: uri, max: options.max ?? 4 });
  // The driver's Pool sets its own `Client` after construction (ignoring the option), so replace it
  // on the instance; the property is untyped.
  (pool as unknown as { Client: typeof Client }).Client = ConfiguredClient;
  pool.on('error', () => undefined);
  let closed = false;
  return {
    query: async <R>(sql: string, params?: unknown[]) => {
      try {
        const res = params === undefined ? await pool.query(sql) : await pool.query(sql, params);
        const last = Array.isArray(res) ? res[res.length - 1] : res;
        return { rows: (last?.rows ?? []) as R[], rowCount: last?.rowCount ?? 0 };
      } catch (err) {
        // Connection failures (not SQL errors) become platform errors without secrets.
        if (err && typeof err === 'object' && 'code' in err && typeof err.code === 'string' && /^[0-9A-Z]{5}$/.test(err.code)) throw err;
        throw new PlatformError(`database pool error: ${redactSecrets(String((err as Error)?.message ?? err))}`, undefined, 'DB_CONNECT');
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
