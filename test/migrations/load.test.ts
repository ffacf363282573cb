import { symlinkSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { MigrationFileError } from '../../src/errors.js';
import { checkMigrationsHaveStatements, EMPTY_DIRECTIVE } from '../../src/migrations/file-text.js';
import { loadMigrations, sha256 } from '../../src/migrations/load.js';
import { normaliseVersion } from '../../src/migrations/naming.js';
import { isSqlScript } from '../../src/migrations/types.js';
import { scratchProject } from '../support/project.js';

async function loadError(files: Record<string, string>): Promise<MigrationFileError> {
  const p = scratchProject(files);
  try {
    await loadMigrations(p.dir, 'migrations');
  } catch (err) {
    expect(err).toBeInstanceOf(MigrationFileError);
    expect((err as MigrationFileError).exitCode).toBe(2);
    return err as MigrationFileError;
  }
  throw new Error('expected a MigrationFileError');
}

describe('loading migration files', () => {
  it('reads the three forms and orders them by normalised version', async () => {
    const p = scratchProject({
      '2026-11-20-101500_c.up.sql': 'SELECT 3;',
      '2026-11-20-101500_c.down.sql': 'SELECT -3;',
      '20261120T090000_b/up.sql': 'SELECT 2;',
      '20261120T090000_b/down.sql': 'SELECT -2;',
      '20261119T000000_a.ts': 'export async function up() {}\nexport const transaction = false;\n',
      '.gitkeep': '',
      'README.md': 'notes',
    });
    const ms = await loadMigrations(p.dir, 'migrations');
    expect(ms.map((m) => [m.version, m.name, m.kind])).toEqual([
      ['20261119000000', '20261119T000000_a', 'ts'],
      ['20261120090000', '20261120T090000_b', 'sql'],
      ['20261120101500', '2026-11-20-101500_c', 'sql'],
    ]);
    expect(ms[0]!.reversible).toBe(false);
    expect(ms[0]!.up.noTransaction).toBe(true);
    expect(ms[1]!.upFile).toBe(path.join('migrations', '20261120T090000_b', 'up.sql'));
    expect(ms[2]!.checksum).toBe(sha256('SELECT 3;'));
    expect(ms[2]!.downChecksum).toBe(sha256('SELECT -3;'));
  });

  it('normalises separators and leading zeros the same way', () => {
    expect(normaliseVersion('20261120T101500')).toBe(normaliseVersion('2026-11-20-101500'));
    expect(normaliseVersion('007')).toBe('7');
  });

  it('marks an up without a down as irreversible', async () => {
    const ms = await loadMigrations(scratchProject({ '1_only_up.up.sql': 'SELECT 1' }).dir, 'migrations');
    expect(ms[0]!.reversible).toBe(false);
  });

  it('refuses duplicate versions, naming both files', async () => {
    const err = await loadError({ '2026-01-01_a.up.sql': 'SELECT 1', '20260101_b.up.sql': 'SELECT 2' });
    expect(err.code).toBe('DUPLICATE_VERSION');
    expect(err.message).toContain('2026-01-01_a');
    expect(err.message).toContain('20260101_b');
  });

  it('refuses names that are not migrations, and a down without an up', async () => {
    const err = await loadError({ 'add_users.sql': 'SELECT 1', '3_x.down.sql': 'SELECT 1' });
    expect(err.message).toContain('add_users.sql: not a migration');
    expect(err.message).toContain('3_x.down.sql: a down without an up');
  });

  it('reports an unreadable file', async () => {
    const p = scratchProject({});
    symlinkSync('/nonexistent/nowhere.sql', path.join(p.dir, 'migrations', '1_gone.up.sql'));
    await expect(loadMigrations(p.dir, 'migrations')).rejects.toThrow(/1_gone\.up\.sql: unreadable/);
  });

  it('reports a syntax error as file:line:column with the offending line', async () => {
    const err = await loadError({ '1_bad.up.sql': 'CREATE TABLE a (id int);\n\nSELEC id FROM a;\n' });
    expect(err.code).toBe('SQL_SYNTAX');
    expect(err.message).toBe(
      `${path.join('migrations', '1_bad.up.sql')}:3:1: syntax error at or near "SELEC" in: SELEC id FROM a;`,
    );
  });

  it('refuses CONCURRENTLY without the no-transaction directive, before anything runs', async () => {
    const err = await loadError({ '1_idx.up.sql': 'CREATE TABLE t (x int);\nCREATE INDEX CONCURRENTLY t_x ON t (x);' });
    expect(err.code).toBe('NEEDS_NO_TRANSACTION');
    expect(err.message).toContain('1_idx.up.sql:2:1: CREATE INDEX CONCURRENTLY cannot run inside a transaction');
    for (const sql of [
      'VACUUM t',
      'DROP INDEX CONCURRENTLY t_x',
      'REINDEX INDEX CONCURRENTLY t_x',
      'ALTER SYSTEM SET work_mem = 1',
      'CREATE DATABASE x',
    ]) {
      await expect(loadError({ '1_x.up.sql': sql })).resolves.toMatchObject({ code: 'NEEDS_NO_TRANSACTION' });
    }
    const ok = await loadMigrations(
      scratchProject({ '1_idx.up.sql': '-- neon-migrate:no-transaction\nCREATE INDEX CONCURRENTLY t_x ON t (x);' }).dir,
      'migrations',
    );
    expect(ok[0]!.up.noTransaction).toBe(true);
  });

  it('refuses transaction control inside a transactional migration', async () => {
    const err = await loadError({ '1_tx.up.sql': 'BEGIN; CREATE TABLE t (x int); COMMIT;' });
    expect(err.code).toBe('TRANSACTION_CONTROL');
  });

  it('notes an enum value added and used in the same transaction', async () => {
    const [m] = await loadMigrations(
      scratchProject({ '1_e.up.sql': "ALTER TYPE mood ADD VALUE 'meh';\nUPDATE t SET m = 'meh';" }).dir,
      'migrations',
    );
    expect(isSqlScript(m!.up) && m!.up.notes[0]).toMatch(
      /1_e\.up\.sql:1:1: enum value 'meh' is added and used in the same transaction/,
    );
  });

  it('splits statements at the parser boundaries, not at every ;', async () => {
    const sql = [
      '-- a comment; with a semicolon',
      "SELECT E'it''s; \\' ;' AS s; /* block ; /* nested ; */ */",
      'DO $outer$ BEGIN EXECUTE $inner$ SELECT 1; $inner$; END $outer$;',
      "SELECT 'ünïcødé;' AS u; SELECT 2",
    ].join('\n');
    const [m] = await loadMigrations(scratchProject({ '1_t.up.sql': sql }).dir, 'migrations');
    if (!isSqlScript(m!.up)) throw new Error('sql expected');
    expect(m!.up.statements.map((s) => [s.kind, s.line])).toEqual([
      ['SelectStmt', 2],
      ['DoStmt', 3],
      ['SelectStmt', 4],
      ['SelectStmt', 4],
    ]);
    expect(m!.up.statements[2]!.sql).toBe("SELECT 'ünïcødé;' AS u");
    expect(m!.up.statements[3]).toMatchObject({ sql: 'SELECT 2', column: 25 });
  });

  it('loads empty and comment-only files, which projectMigrations refuses unless marked as a deliberate no-op', async () => {
    const files = { '1_e.up.sql': '', '1_e.down.sql': '-- nothing\n' };
    const ms = await loadMigrations(scratchProject(files).dir, 'migrations');
    expect(isSqlScript(ms[0]!.up) && ms[0]!.up.statements).toEqual([]);
    expect(() => checkMigrationsHaveStatements(ms)).toThrow(
      /1_e.up.sql: has no SQL statements \(empty file\); .*1_e.down.sql: has no SQL statements \(comments only\)/,
    );
    const marked = { '1_e.up.sql': `${EMPTY_DIRECTIVE}\n`, '1_e.down.sql': `-- nothing\n${EMPTY_DIRECTIVE}\n` };
    await expect(
      loadMigrations(scratchProject(marked).dir, 'migrations').then(checkMigrationsHaveStatements),
    ).resolves.toBeUndefined();
  });

  it('refuses a TypeScript migration without up, or one that throws on load', async () => {
    const noUp = await loadError({ '1_d.ts': 'export async function down() {}\n' });
    expect(noUp.message).toContain('1_d.ts: does not export an up(ctx) function');
    const throws = await loadError({ '1_t.ts': "throw new Error('boom at load');\nexport function up() {}\n" });
    expect(throws.message).toContain('1_t.ts: cannot be loaded: boom at load');
  });
});
