/** `baseline`: adopting databases whose history diesel, dbmate, golang-migrate, sqlx, ... wrote (real Postgres). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, type DbClient } from '../../src/db/connect.js';
import { MigrationFileError, UsageError } from '../../src/errors.js';
import { listRuns, readApplied } from '../../src/history/store.js';
import { loadMigrations } from '../../src/migrations/load.js';
import { migrate } from '../../src/workflow/migrate.js';
import { baseline } from '../../src/workflow/baseline.js';
import { openTestEngine, type TestEngine } from '../support/engine.js';
import { scratchProject } from '../support/project.js';

let engine: TestEngine;
beforeAll(async () => {
  engine = await openTestEngine();
});
afterAll(async () => {
  await engine?.close();
});

/** A diesel-style history: folders with spaces in the names, mixed 14/18-digit versions. */
const FILES = {
  '2025-11-30-120000-0000_Create users/up.sql': 'CREATE TABLE users (id int PRIMARY KEY);',
  '2025-11-30-120000-0000_Create users/down.sql': 'DROP TABLE users;',
  '2025-12-01-080000_Add posts/up.sql': 'CREATE TABLE posts (id int PRIMARY KEY, user_id int REFERENCES users);',
  '2025-12-01-080000_Add posts/down.sql': 'DROP TABLE posts;',
  '2026-01-20-162913_Add email/up.sql': 'ALTER TABLE users ADD COLUMN email text;',
  '2026-01-20-162913_Add email/down.sql': 'ALTER TABLE users DROP COLUMN email;',
};

async function withBranch<T>(
  name: string,
  setup: string,
  fn: (db: DbClient, project: ReturnType<typeof scratchProject>) => Promise<T>,
): Promise<T> {
  const db = await connect(await engine.branch(name));
  try {
    if (setup) await db.query(setup);
    return await fn(db, scratchProject(FILES));
  } finally {
    await db.close();
  }
}

const projectOf = (p: ReturnType<typeof scratchProject>) => ({
  projectDir: p.dir,
  settings: p.settings,
  platform: engine.platform,
});

describe('baseline', () => {
  it('adopts a diesel history with checksums, behind a checkpoint, and the next up applies only what is new', async () => {
    const setup = `CREATE TABLE users (id int PRIMARY KEY); CREATE TABLE posts (id int PRIMARY KEY, user_id int REFERENCES users);
      CREATE TABLE __diesel_schema_migrations (version varchar(50) PRIMARY KEY, run_on timestamp NOT NULL DEFAULT now());
      INSERT INTO __diesel_schema_migrations (version) VALUES ('202511301200000000'), ('20251201080000');`;
    await withBranch('diesel', setup, async (db, p) => {
      const before = await engine.branchNames();
      const r = await baseline(projectOf(p), { branch: 'diesel' });
      expect(r.source).toEqual({ tool: 'diesel', table: '__diesel_schema_migrations' });
      expect(r.adopted.map((m) => m.name)).toEqual([
        '2025-11-30-120000-0000_Create users',
        '2025-12-01-080000_Add posts',
      ]);
      expect(r.pending.map((m) => m.name)).toEqual(['2026-01-20-162913_Add email']);
      expect((await engine.branchNames()).filter((b) => !before.includes(b))).toEqual([r.checkpoint]);
      const files = await loadMigrations(p.dir, 'migrations');
      const applied = (await readApplied(db)).map((a) => [a.version, a.checksum, a.runId]).sort();
      expect(applied).toEqual(
        files
          .slice(0, 2)
          .map((m) => [m.version, m.checksum, r.runId])
          .sort(),
      );
      const [run] = await listRuns(db, { command: 'baseline' });
      expect(run).toMatchObject({ id: r.runId, status: 'succeeded', checkpoint: r.checkpoint });

      const up = await migrate(projectOf(p), { direction: 'up', branch: 'diesel' });
      expect(up.results.map((m) => `${m.name}:${m.status}`)).toEqual(['2026-01-20-162913_Add email:applied']);
      await expect(baseline(projectOf(p), { branch: 'diesel' })).rejects.toMatchObject({ code: 'ALREADY_ADOPTED' });
    });
  });

  it('reports every disagreement with the files, exit 2, and writes nothing', async () => {
    const setup = `CREATE TABLE schema_migrations (version varchar(128) PRIMARY KEY);
      INSERT INTO schema_migrations VALUES ('20260120162913'), ('20240101000000');`;
    await withBranch('dbmate-mismatch', setup, async (db, p) => {
      const before = await engine.branchNames();
      const err = await baseline(projectOf(p), { branch: 'dbmate-mismatch' }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(MigrationFileError);
      expect(err).toMatchObject({ code: 'BASELINE_MISMATCH', exitCode: 2 });
      const message = (err as Error).message;
      expect(message).toContain(
        'dbmate applied version 20240101000000 (20240101000000) but no migration file has that version',
      );
      expect(message).toContain(
        '2025-11-30-120000-0000_Create users/up.sql comes before the newest applied migration (2026-01-20-162913_Add email) but dbmate never applied it',
      );
      expect(message).toContain('2025-12-01-080000_Add posts/up.sql comes before');
      expect(await readApplied(db)).toEqual([]);
      expect(await engine.branchNames()).toEqual(before);
    });
  });

  it('golang-migrate keeps only the head: everything up to it is adopted; a dirty head is refused', async () => {
    const setup = `CREATE TABLE schema_migrations (version bigint PRIMARY KEY, dirty boolean NOT NULL);
      INSERT INTO schema_migrations VALUES (20251201080000, false);`;
    await withBranch('golang', setup, async (db, p) => {
      const dry = await baseline(projectOf(p), { branch: 'golang', dryRun: true });
      expect(dry.source).toMatchObject({ tool: 'golang-migrate' });
      expect(dry.adopted.map((m) => m.version)).toEqual(['202511301200000000', '20251201080000']);
      expect(await readApplied(db)).toEqual([]);
      await db.query('UPDATE schema_migrations SET dirty = true');
      await expect(baseline(projectOf(p), { branch: 'golang' })).rejects.toThrow(
        /golang-migrate marks version 20251201080000 dirty/,
      );
    });
  });

  it('reads sqlx, Flyway, node-pg-migrate, knex and Alembic tables', async () => {
    await withBranch('others', '', async (db, p) => {
      const cases: [string, string, string[]][] = [
        [
          'sqlx',
          `CREATE TABLE _sqlx_migrations (version bigint PRIMARY KEY, description text, success boolean); INSERT INTO _sqlx_migrations VALUES (202511301200000000, 'users', true)`,
          ['202511301200000000'],
        ],
        [
          'flyway',
          `CREATE TABLE flyway_schema_history (installed_rank int, version text, description text, type text, success boolean);
          INSERT INTO flyway_schema_history VALUES (1, '20251201080000', 'posts', 'BASELINE', true), (2, '20260120162913', 'email', 'SQL', true)`,
          ['202511301200000000', '20251201080000', '20260120162913'],
        ],
        [
          'node-pg-migrate',
          `CREATE TABLE pgmigrations (id serial, name text, run_on timestamp); INSERT INTO pgmigrations (name) VALUES ('2025-11-30-120000-0000_Create users')`,
          ['202511301200000000'],
        ],
        [
          'knex',
          `CREATE TABLE knex_migrations (id serial, name text); INSERT INTO knex_migrations (name) VALUES ('202511301200000000_create_users.js'), ('20251201080000_add_posts.js')`,
          ['202511301200000000', '20251201080000'],
        ],
        [
          'alembic',
          `CREATE TABLE alembic_version (version_num varchar(32) PRIMARY KEY); INSERT INTO alembic_version VALUES ('20251201080000')`,
          ['202511301200000000', '20251201080000'],
        ],
      ];
      for (const [tool, create, versions] of cases) {
        await db.query(create);
        const r = await baseline(projectOf(p), { branch: 'others', dryRun: true });
        expect([tool, r.source, r.adopted.map((m) => m.version)]).toEqual([
          tool,
          expect.objectContaining({ tool }),
          versions,
        ]);
        await db.query(`DROP TABLE ${create.split(' ')[2]}`);
      }
      await db.query(
        `CREATE TABLE alembic_version (version_num varchar(32)); INSERT INTO alembic_version VALUES ('ae1027a6acf')`,
      );
      await expect(baseline(projectOf(p), { branch: 'others' })).rejects.toThrow(
        /Alembic revision "ae1027a6acf" is not a version number/,
      );
    });
  });

  it('--to stamps up to a version when no history table exists, and is required then', async () => {
    await withBranch('stamp', '', async (db, p) => {
      await expect(baseline(projectOf(p), { branch: 'stamp' })).rejects.toBeInstanceOf(UsageError);
      await expect(baseline(projectOf(p), { branch: 'stamp' })).rejects.toMatchObject({ code: 'NO_FOREIGN_HISTORY' });
      const r = await baseline(projectOf(p), { branch: 'stamp', to: '2025-12-01-080000' });
      expect(r.source).toEqual({ to: '20251201080000' });
      expect((await readApplied(db)).map((a) => a.name).sort()).toEqual([
        '2025-11-30-120000-0000_Create users',
        '2025-12-01-080000_Add posts',
      ]);
    });
  });
});
