/** Test helpers: real SQL over pg, temp project dirs the cluster user can reach. */
import { chmodSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';

/** Run SQL on a URI and return the rows. */
export async function sql<R extends pg.QueryResultRow = pg.QueryResultRow>(
  uri: string,
  text: string,
  params: unknown[] = [],
): Promise<R[]> {
  const client = new pg.Client({ connectionString: uri });
  await client.connect();
  try {
    return (await client.query<R>(text, params)).rows;
  } finally {
    await client.end();
  }
}

/** The ids in a table, sorted. */
export async function ids(uri: string, table: string): Promise<number[]> {
  const rows = await sql<{ id: number }>(uri, `SELECT id FROM ${table} ORDER BY id`);
  return rows.map((r) => r.id);
}

/** The branch's current LSN, read through SQL as any role can. */
export async function currentLsn(uri: string): Promise<string> {
  const [{ lsn }] = await sql<{ lsn: string }>(uri, 'SELECT pg_current_wal_lsn()::text AS lsn');
  return lsn;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A fresh temp project directory (mode 755 so the engine can keep clusters inside it). */
export function tempProject(prefix = 'nm-engine-'): string {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  chmodSync(dir, 0o755);
  return dir;
}
