/** A data migration in code: inserts through the trigger, removed on down. */
interface Ctx {
  client: { query(sql: string, params?: unknown[]): Promise<{ rowCount: number }> };
  log(message: string): void;
}

export async function up({ client, log }: Ctx): Promise<void> {
  const r = await client.query(`INSERT INTO person (name, m) VALUES ($1, 'happy'), ($2, 'sad')`, ['ann', 'bob']);
  log(`inserted ${r.rowCount}`);
}

export async function down({ client }: Ctx): Promise<void> {
  await client.query(`DELETE FROM audit`);
  await client.query(`DELETE FROM person`);
}
