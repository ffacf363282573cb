import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, isLocalUri } from '../../src/db/connect.js';
import { startPgFixture, type PgFixture } from '../support/pg-fixture.js';

let pg: PgFixture;
beforeAll(async () => {
  pg = await startPgFixture();
});
afterAll(async () => {
  await pg?.stop();
});

describe('connect (serverless driver through the local relay)', () => {
  it('runs a parameterless multi-statement script with $$ bodies as one simple query', async () => {
    const db = await connect(await pg.createDatabase('conn_a'));
    try {
      await db.query(`CREATE TABLE t (x int); CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $$ SELECT 1; $$; INSERT INTO t VALUES (f());`);
      const res = await db.query<{ x: number }>('SELECT x FROM t WHERE x = $1', [1]);
      expect(res.rows).toEqual([{ x: 1 }]);
    } finally {
      await db.close();
    }
  });

  it('authenticates with SCRAM and reports a wrong password without leaking it', async () => {
    const bad = pg.uri('conn_a').replace('fixture-secret-pw', 'wrong-pass-xyz');
    await expect(connect(bad)).rejects.toMatchObject({ code: 'DB_CONNECT' });
    await connect(bad).catch((err: Error) => expect(err.message).not.toContain('wrong-pass-xyz'));
  });

  it('classifies loopback URIs as local', () => {
    expect(isLocalUri('postgresql://u:p@127.0.0.1:5432/db')).toBe(true);
    expect(isLocalUri('postgresql://u:p@localhost/db')).toBe(true);
    expect(isLocalUri('postgresql://u:p@ep-x.eu-central-1.aws.neon.tech/db')).toBe(false);
  });
});
