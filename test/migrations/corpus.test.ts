/** The tricky-SQL corpus: all up, all down, all up again on real Postgres 17 and 18; the schema must match each time. */
import { cpSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, type DbClient } from '../../src/db/connect.js';
import { readApplied } from '../../src/history/store.js';
import { migrate } from '../../src/workflow/migrate.js';
import { openTestEngine, type TestEngine } from '../support/engine.js';
import { scratchProject } from '../support/project.js';
import { schemaFingerprint } from '../support/schema.js';

/**
 * A history as real projects have it: diesel folders with spaces in their names, interleaved 14- and
 * 18-digit versions, a metadata.toml no-transaction marker, a dbmate single file, and (on 18) PG 18 syntax.
 */
function realHistory(postgresVersion: 17 | 18): Record<string, string> {
  const files: Record<string, string> = {
    '2025-11-30-120000-0000_Create accounts/up.sql': 'CREATE TABLE accounts (id int PRIMARY KEY, email text);',
    '2025-11-30-120000-0000_Create accounts/down.sql': 'DROP TABLE accounts;',
    '2025-12-01-080000_Add Posts.v2/up.sql':
      'CREATE TABLE posts (id int PRIMARY KEY, account_id int REFERENCES accounts, title text);',
    '2025-12-01-080000_Add Posts.v2/down.sql': 'DROP TABLE posts;',
    '2025-12-29-110242-0000_Index posts concurrently/up.sql':
      'CREATE INDEX CONCURRENTLY posts_title_idx ON posts (title);',
    '2025-12-29-110242-0000_Index posts concurrently/down.sql': 'DROP INDEX CONCURRENTLY posts_title_idx;',
    '2025-12-29-110242-0000_Index posts concurrently/metadata.toml': 'run_in_transaction = false\n',
    '20260110090000_añadir comentarios.sql':
      '-- migrate:up\nCREATE TABLE comments (id int PRIMARY KEY, body text);\n\n-- migrate:down\nDROP TABLE comments;\n',
  };
  if (postgresVersion === 18) {
    files['2026-01-20-162913_Named not null/up.sql'] =
      'ALTER TABLE accounts ADD CONSTRAINT accounts_email_nn NOT NULL email;';
    files['2026-01-20-162913_Named not null/down.sql'] = 'ALTER TABLE accounts DROP CONSTRAINT accounts_email_nn;';
  }
  return files;
}

describe.each([17, 18] as const)('tricky SQL corpus on PostgreSQL %i', (postgresVersion) => {
  let engine: TestEngine;
  let db: DbClient;
  beforeAll(async () => {
    engine = await openTestEngine({ postgresVersion });
    db = await connect(await engine.branch('corpus'));
  });
  afterAll(async () => {
    await db?.close();
    await engine?.close();
  });

  it('applies all up, all down, and all up again with identical schemas', async () => {
    expect(
      (await db.query<{ v: string }>(`SELECT current_setting('server_version_num') AS v`)).rows[0]?.v.slice(0, 2),
    ).toBe(String(postgresVersion));
    const p = scratchProject({}, { postgresVersion });
    cpSync(path.resolve('test/migrations/corpus'), path.join(p.dir, 'migrations'), { recursive: true });
    const project = { projectDir: p.dir, settings: p.settings, platform: engine.platform };
    const empty = await schemaFingerprint(db);

    const up1 = await migrate(project, { direction: 'up', branch: 'corpus' });
    expect(up1.results.map((r) => `${r.name}:${r.status}`)).toEqual([
      '20261101T000100_types:applied',
      '20261101T000200_functions:applied',
      '20261101T000300_enum_value:applied',
      '20261101T000400_concurrent_index:applied',
      '20261101T000500_empty:applied',
      '2026-11-01-000600_view:applied',
      '20261101T000700_seed:applied',
    ]);
    expect(up1.results.find((r) => r.name.endsWith('concurrent_index'))?.transactional).toBe(false);
    const applied = await schemaFingerprint(db);
    // The corpus really built what it says (guards against a vacuous comparison).
    expect(applied.enums).toEqual(['mood sad,ok,happy']);
    expect(applied.indexes.join('\n')).toContain(
      'CREATE INDEX person_name_idx ON public.person USING btree (name) valid=true',
    );
    expect(applied.triggers).toHaveLength(1);
    expect(applied.functions.join('\n')).toContain("$q$SELECT upper($1) || ';'$q$");
    expect(applied.comments).toEqual(['person people; with a semicolon']);
    expect((await db.query<{ r: string }>(`SELECT shout('hi') AS r`)).rows[0]?.r).toBe('HI;;');
    expect((await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM audit`)).rows[0]?.n).toBe(2);
    expect((await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM happy_people`)).rows[0]?.n).toBe(1);

    // Dropping tables that hold rows is a destructive down: explicit --to and a confirmation (a yes here).
    const down = await migrate(
      { ...project, confirm: async () => true },
      { direction: 'down', branch: 'corpus', to: '0' },
    );
    expect(down.outcome).toBe('succeeded');
    expect(down.results.map((r) => r.status)).toEqual(Array(7).fill('reverted'));
    expect(await schemaFingerprint(db)).toEqual(empty);
    expect(await readApplied(db)).toEqual([]);

    const up2 = await migrate(project, { direction: 'up', branch: 'corpus' });
    expect(up2.outcome).toBe('succeeded');
    expect(await schemaFingerprint(db)).toEqual(applied);
  });

  it('runs a real-world history up in date order, fully down, and up again with equal fingerprints', async () => {
    const db = await connect(await engine.branch('history'));
    try {
      const p = scratchProject(realHistory(postgresVersion), { postgresVersion });
      const project = { projectDir: p.dir, settings: p.settings, platform: engine.platform };
      const empty = await schemaFingerprint(db);
      const up1 = await migrate(project, { direction: 'up', branch: 'history' });
      const names = up1.results.map((r) => r.name);
      expect(names.slice(0, 4)).toEqual([
        '2025-11-30-120000-0000_Create accounts',
        '2025-12-01-080000_Add Posts.v2',
        '2025-12-29-110242-0000_Index posts concurrently',
        '20260110090000_añadir comentarios',
      ]);
      expect(names).toHaveLength(postgresVersion === 18 ? 5 : 4);
      expect(up1.results.find((r) => r.name.includes('concurrently'))?.transactional).toBe(false);
      const applied = await schemaFingerprint(db);
      expect(applied.indexes.join('\n')).toContain('posts_title_idx');
      if (postgresVersion === 18) {
        const nn = await db.query(`SELECT 1 FROM pg_constraint WHERE conname = 'accounts_email_nn' AND contype = 'n'`);
        expect(nn.rowCount).toBe(1);
      }
      const down = await migrate(
        { ...project, confirm: async () => true },
        { direction: 'down', branch: 'history', to: '0' },
      );
      expect(down.outcome).toBe('succeeded');
      expect(await schemaFingerprint(db)).toEqual(empty);
      const up2 = await migrate(project, { direction: 'up', branch: 'history' });
      expect(up2.outcome).toBe('succeeded');
      expect(await schemaFingerprint(db)).toEqual(applied);
    } finally {
      await db.close();
    }
  });

  it.runIf(postgresVersion === 17)(
    'refuses to reopen the project with another major, saying how to recreate it',
    async () => {
      const { openLocalPlatform } = await import('../../src/platform/local/index.js');
      const { settingsSchema } = await import('../../src/config/schema.js');
      const err = await openLocalPlatform({
        projectDir: engine.dir,
        env: process.env,
        settings: settingsSchema.parse({ postgresVersion: 18 }),
      }).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'PG_MAJOR_CHANGED', exitCode: 2 });
      expect((err as Error).message).toMatch(/runs PostgreSQL 17 but neon-migrate.json asks for 18/);
      expect((err as { hint: string }).hint).toMatch(/move .* aside/);
    },
  );
});
