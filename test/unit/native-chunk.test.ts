/** Which migrations share one query: runs of plain transactional SQL files, at most CHUNK_MIGRATIONS. */
import { describe, expect, it } from 'vitest';
import { CHUNK_MIGRATIONS, chunkLength } from '../../src/executors/native-chunk.js';
import { parseSqlFile } from '../../src/migrations/sql.js';
import type { Migration } from '../../src/migrations/types.js';

async function sqlMigration(version: number, text: string): Promise<Migration> {
  const up = await parseSqlFile(`${version}_m.up.sql`, text);
  return {
    version: String(version),
    name: `${version}_m`,
    kind: 'sql',
    checksum: 'x',
    upFile: `${version}_m.up.sql`,
    up,
    reversible: false,
  };
}

describe('chunkLength', () => {
  it('groups consecutive transactional SQL migrations and stops at one that must run alone', async () => {
    const plain = (v: number) => sqlMigration(v, `CREATE TABLE t${v} (x int);`);
    const list = [
      await plain(1),
      await plain(2),
      await plain(3),
      await sqlMigration(4, '-- neon-migrate:no-transaction\nCREATE INDEX CONCURRENTLY i ON t1 (x);'),
      await plain(5),
      await sqlMigration(6, '-- neon-migrate:backfill table=t1 key=x\nUPDATE t1 SET x = 1 WHERE x IS NULL;'),
      await plain(7),
    ];
    expect(chunkLength(list, 0, 'up')).toBe(3);
    expect(chunkLength(list, 3, 'up')).toBe(0);
    expect(chunkLength(list, 4, 'up')).toBe(1);
    expect(chunkLength(list, 5, 'up')).toBe(0);
    expect(chunkLength(list, 6, 'up')).toBe(1);
  });

  it(`caps a chunk at ${CHUNK_MIGRATIONS} migrations`, async () => {
    const list = await Promise.all(
      Array.from({ length: 120 }, (_, i) => sqlMigration(i + 1, `CREATE TABLE t${i} ();`)),
    );
    expect([chunkLength(list, 0, 'up'), chunkLength(list, 50, 'up'), chunkLength(list, 100, 'up')]).toEqual([
      CHUNK_MIGRATIONS,
      CHUNK_MIGRATIONS,
      20,
    ]);
  });
});
