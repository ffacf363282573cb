#!/usr/bin/env node
// Demo helper for machines without psql: run one SQL string against $DATABASE_URL and print the
// result. Usage: DATABASE_URL=$(npx neon-migrate connection-string main) node scripts/demo/sql.mjs "SELECT 1"
import pg from 'pg';

const [sql] = process.argv.slice(2);
if (!process.env.DATABASE_URL || !sql) {
  console.error('usage: DATABASE_URL=<uri> node scripts/demo/sql.mjs "<sql>"');
  process.exit(2);
}
const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
await client.connect();
try {
  const res = await client.query(sql);
  for (const r of [res].flat()) {
    if (r.rows?.length) console.table(r.rows);
    else console.log(`${r.command ?? 'OK'} ${r.rowCount ?? ''}`.trim());
  }
} catch (err) {
  console.error(`error: ${err.message}`);
  process.exitCode = 1;
} finally {
  await client.end();
}
