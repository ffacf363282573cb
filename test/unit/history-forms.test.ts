/** Real histories' file forms and other tools' no-transaction markers, loaded without a database. */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { MigrationFileError } from '../../src/errors.js';
import { loadMigrations, sha256 } from '../../src/migrations/load.js';
import { newMigration } from '../../src/migrations/scaffold.js';
import { isSqlScript } from '../../src/migrations/types.js';
import { scratchProject } from '../support/project.js';

const CONCURRENT = 'CREATE INDEX CONCURRENTLY t_x ON t (x);';

async function load(files: Record<string, string>, options = {}) {
  return loadMigrations(scratchProject(files).dir, 'migrations', options);
}

describe('names and ordering of real histories', () => {
  it('loads folder migrations whose names have spaces and capitals', async () => {
    const ms = await load({
      '2019-11-15-182353_Add email to owners/up.sql': 'SELECT 1;',
      '2019-11-15-182353_Add email to owners/down.sql': 'SELECT 2;',
    });
    expect(ms.map((m) => [m.version, m.name, m.reversible])).toEqual([
      ['20191115182353', '2019-11-15-182353_Add email to owners', true],
    ]);
  });

  it('runs an interleaved 14/18-digit history in date order (auto and timestamp)', async () => {
    const files = {
      '2026-01-20-162913_d/up.sql': 'SELECT 4;',
      '2025-12-29-110242-0000_c/up.sql': 'SELECT 3;',
      '2025-12-01-000000_b/up.sql': 'SELECT 2;',
      '2025-11-30-235959-0000_a/up.sql': 'SELECT 1;',
    };
    const expected = [
      '2025-11-30-235959-0000_a',
      '2025-12-01-000000_b',
      '2025-12-29-110242-0000_c',
      '2026-01-20-162913_d',
    ];
    expect((await load(files)).map((m) => m.name)).toEqual(expected);
    expect((await load(files, { ordering: 'timestamp' })).map((m) => m.name)).toEqual(expected);
  });

  it('refuses numeric order when it would run dates out of date order, saying which', async () => {
    const err = await load(
      { '2026-01-20-162913_late/up.sql': 'SELECT 1;', '2025-12-29-110242-0000_early/up.sql': 'SELECT 2;' },
      { ordering: 'numeric' },
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MigrationFileError);
    expect((err as Error).message).toMatch(
      /numeric order would run 2026-01-20-162913_late before 2025-12-29-110242-0000_early/,
    );
    expect((err as MigrationFileError).code).toBe('ORDERING_CONFLICT');
    expect((err as MigrationFileError).hint).toMatch(/"ordering": "timestamp"/);
  });

  it('`new` after an 18-digit version creates a 14-digit one that runs last', async () => {
    const p = scratchProject({ '2025-12-29-110242-0000_c/up.sql': 'SELECT 3;' });
    const made = await newMigration(p.dir, p.settings, 'next one', { now: new Date('2026-02-01T10:00:00Z') });
    expect(made.version).toBe('20260201100000');
    expect((await loadMigrations(p.dir, 'migrations')).map((m) => m.version)).toEqual([
      '202512291102420000',
      '20260201100000',
    ]);
  });

  it('orders sequence numbers by value', async () => {
    const ms = await load({ '10_c.up.sql': 'SELECT 1;', '2_b.up.sql': 'SELECT 1;', '0001_a.up.sql': 'SELECT 1;' });
    expect(ms.map((m) => m.version)).toEqual(['1', '2', '10']);
  });
});

describe("other tools' no-transaction markers", () => {
  it('diesel: metadata.toml run_in_transaction = false, for both directions', async () => {
    const [m] = await load({
      '2024-01-01-000000_idx/up.sql': CONCURRENT,
      '2024-01-01-000000_idx/down.sql': 'DROP INDEX CONCURRENTLY t_x;',
      '2024-01-01-000000_idx/metadata.toml': '# diesel\nrun_in_transaction = false\n',
    });
    expect(m!.up.noTransaction).toBe(true);
    expect(m!.down!.noTransaction).toBe(true);
    const refused = await load({
      '2024-01-01-000000_idx/up.sql': CONCURRENT,
      '2024-01-01-000000_idx/metadata.toml': 'run_in_transaction = true\n',
    }).catch((e: unknown) => e);
    expect((refused as MigrationFileError).code).toBe('NEEDS_NO_TRANSACTION');
  });

  it('dbmate: one file with -- migrate:up transaction:false and -- migrate:down sections', async () => {
    const text = `-- migrate:up transaction:false\n${CONCURRENT}\n\n-- migrate:down\nDROP INDEX t_x;\n`;
    const [m] = await load({ '20240101000000_idx.sql': text });
    if (!isSqlScript(m!.up) || !isSqlScript(m!.down!)) throw new Error('sql expected');
    expect(m!.up.noTransaction).toBe(true);
    expect(m!.down!.noTransaction).toBe(false);
    expect(m!.up.statements.map((s) => [s.sql.split('\n').at(-1), s.line])).toEqual([
      ['CREATE INDEX CONCURRENTLY t_x ON t (x)', 2],
    ]);
    expect(m!.down!.statements.map((s) => [s.sql.split('\n').at(-1), s.line])).toEqual([['DROP INDEX t_x', 5]]);
    expect(m!.checksum).toBe(sha256(`-- migrate:up transaction:false\n${CONCURRENT}\n`));
    expect(m!.downFile).toBe(path.join('migrations', '20240101000000_idx.sql'));
  });

  it('dbmate: a syntax error is reported at its line in the file', async () => {
    const err = await load({ '20240101000000_bad.sql': '-- migrate:up\nSELECT 1;\n-- migrate:down\nSELEC 2;\n' }).catch(
      (e: unknown) => e,
    );
    expect((err as Error).message).toContain(`${path.join('migrations', '20240101000000_bad.sql')}:4:1: syntax error`);
  });

  it('goose: -- +goose NO TRANSACTION with Up/Down sections', async () => {
    const text = `-- +goose NO TRANSACTION\n-- +goose Up\n${CONCURRENT}\n\n-- +goose Down\nDROP INDEX CONCURRENTLY t_x;\n`;
    const [m] = await load({ '20240101000000_idx.sql': text });
    expect([m!.up.noTransaction, m!.down!.noTransaction]).toEqual([true, true]);
  });

  it('sqlx: -- no-transaction on the first line of a single up-only file', async () => {
    const [m] = await load({ '20240101000000_idx.sql': `-- no-transaction\n${CONCURRENT}` });
    expect(m!.up.noTransaction).toBe(true);
    expect(m!.reversible).toBe(false);
    const [plain] = await load({ '3_plain.sql': 'CREATE TABLE t (x int);' });
    expect(plain!.up.noTransaction).toBe(false);
  });
});

describe('PostgreSQL 18 syntax', () => {
  const pg18 = 'CREATE TABLE t (c int);\nALTER TABLE t ADD CONSTRAINT t_c_nn NOT NULL c;\n';

  it('parses with postgresVersion 18', async () => {
    const [m] = await load({ '1_nn.up.sql': pg18 }, { postgresVersion: 18 });
    expect(isSqlScript(m!.up) && m!.up.statements.map((s) => s.kind)).toEqual(['CreateStmt', 'AlterTableStmt']);
  });

  it('is a syntax error on 17 whose hint names the setting', async () => {
    const err = (await load({ '1_nn.up.sql': pg18 }).catch((e: unknown) => e)) as MigrationFileError;
    expect(err.code).toBe('SQL_SYNTAX');
    expect(err.message).toContain('1_nn.up.sql:2:');
    expect(err.hint).toMatch(/"postgresVersion": 18/);
  });
});
