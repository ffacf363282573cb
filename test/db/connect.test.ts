import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, isLocalUri } from '../../src/db/connect.js';
import { openTestEngine, type TestEngine } from '../support/engine.js';

let engine: TestEngine;
let mainUri: string;
beforeAll(async () => {
  engine = await openTestEngine();
  mainUri = await engine.platform.connectionUri('main');
});
afterAll(async () => {
  await engine?.close();
});

// Local URIs use node-postgres over TCP; NEON_MIGRATE_LOCAL_DRIVER=serverless sends them through the
// relay and the serverless driver Neon URIs use. Both must behave the same.
describe.each([
  ['node-postgres over TCP (default for local URIs)', undefined],
  ['serverless driver through the local relay', 'serverless'],
])('connect: %s', (_label, driver) => {
  const saved = process.env.NEON_MIGRATE_LOCAL_DRIVER;
  beforeAll(() => {
    if (driver) process.env.NEON_MIGRATE_LOCAL_DRIVER = driver;
    else delete process.env.NEON_MIGRATE_LOCAL_DRIVER;
  });
  afterAll(() => {
    if (saved === undefined) delete process.env.NEON_MIGRATE_LOCAL_DRIVER;
    else process.env.NEON_MIGRATE_LOCAL_DRIVER = saved;
  });

  it('runs a parameterless multi-statement script with $$ bodies as one simple query', async () => {
    const db = await connect(mainUri);
    try {
      const t = `t_${driver ?? 'pg'}`;
      await db.query(
        `CREATE TABLE ${t} (x int); CREATE FUNCTION f_${t}() RETURNS int LANGUAGE sql AS $$ SELECT 1; $$; INSERT INTO ${t} VALUES (f_${t}());`,
      );
      const res = await db.query<{ x: number }>(`SELECT x FROM ${t} WHERE x = $1`, [1]);
      expect(res.rows).toEqual([{ x: 1 }]);
    } finally {
      await db.close();
    }
  });

  it('authenticates with SCRAM and reports a wrong password without leaking it', async () => {
    const bad = mainUri.replace(/:[^:@/]+@/, ':wrong-pass-xyz@');
    await expect(connect(bad)).rejects.toMatchObject({ code: 'DB_CONNECT' });
    await connect(bad).catch((err: Error) => expect(err.message).not.toContain('wrong-pass-xyz'));
  });

  it('a session whose server process died: the query rejects and close() returns instead of hanging', async () => {
    const db = await connect(mainUri);
    const { pid } = (await db.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!;
    const sleeping = db.query('SELECT pg_sleep(60)');
    await new Promise((r) => setTimeout(r, 300));
    // SIGKILL, as a crash or the OOM killer would: the server sends no goodbye
    process.kill(pid, 'SIGKILL');
    await expect(sleeping).rejects.toThrow();
    await db.close(); // hung forever before: the test would time out here
    // the compute recovers (the postmaster restarts its backends) and serves new sessions
    for (let i = 0; ; i++) {
      const again = await connect(mainUri).catch((err: unknown) => (i < 50 ? undefined : Promise.reject(err)));
      if (!again) {
        await new Promise((r) => setTimeout(r, 200));
        continue;
      }
      expect((await again.query<{ one: number }>('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
      await again.close();
      break;
    }
  });

  it('counts the statements a failing script completed before the error', async () => {
    const db = await connect(mainUri);
    try {
      const err = await db
        .script('SELECT 1; SELECT 2; SELECT * FROM nowhere_at_all; SELECT 4')
        .catch((e: unknown) => e);
      expect(err).toMatchObject({ code: '42P01', completedStatements: 2 });
    } finally {
      await db.close();
    }
  });

  it('runs concurrent queries over a pool of several sessions', async () => {
    const { openPool } = await import('../../src/db/pool.js');
    const pool = await openPool(mainUri, { max: 3 });
    try {
      const pids = await Promise.all(
        [1, 2, 3].map(() => pool.query<{ pid: number }>('SELECT pg_backend_pid() AS pid, pg_sleep(0.2)')),
      );
      expect(new Set(pids.map((r) => r.rows[0]!.pid)).size).toBeGreaterThan(1);
      await expect(pool.query('SELECT * FROM nowhere')).rejects.toMatchObject({ code: '42P01' });
    } finally {
      await pool.close();
    }
  });
});

describe('local URIs', () => {
  it('classifies loopback URIs as local', () => {
    expect(isLocalUri('postgresql://u:p@127.0.0.1:5432/db')).toBe(true);
    expect(isLocalUri('postgresql://u:p@localhost/db')).toBe(true);
    expect(isLocalUri('postgresql://u:p@ep-x.eu-central-1.aws.neon.tech/db')).toBe(false);
  });
});

describe('the WebSocket relay', () => {
  it('refuses targets that are not on the loopback interface', async () => {
    const { startRelay } = await import('../../src/db/relay.js');
    const { default: WebSocket } = await import('ws');
    const relay = await startRelay();
    try {
      const code = await new Promise<number>((resolve) => {
        const sock = new WebSocket(`ws://${relay.address}/?address=10.1.2.3:5432`);
        sock.on('close', (c) => resolve(c));
        sock.on('error', () => undefined);
      });
      expect(code).toBe(1008);
    } finally {
      await relay.close();
    }
  });
});
