/** The schema text of a local branch database, read over a plain `pg` connection (no pg_dump binary here). */
import pg from 'pg';
import { pgClientConfig } from '../../db/pg-config.js';
import { catalogText } from '../../verify/catalog-text.js';

/** The schema of the database at `uri` as sorted, one-object-per-line text. */
export async function schemaText(uri: string): Promise<string> {
  const client = new pg.Client(pgClientConfig(uri));
  await client.connect();
  try {
    return await catalogText(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}
