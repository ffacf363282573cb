import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadMigrations } from '../../src/migrations/load.js';
import type { TsModule } from '../../src/migrations/types.js';
import { scratchProject } from '../support/project.js';

const cacheFile = (dir: string) => path.join(dir, '.neon-migrate', 'cache', 'migrations.json');
/** A project some command has used already: the cache goes into its existing .neon-migrate/. */
function usedProject(files: Record<string, string> = {}) {
  const p = scratchProject(files);
  mkdirSync(path.join(p.dir, '.neon-migrate'));
  return p;
}

describe('the load cache (.neon-migrate/cache)', () => {
  it('gives the same migrations from the cache as from the parser, and parses an edited file again', async () => {
    const p = usedProject({
      '1_a.up.sql': 'CREATE TABLE a (x int);\n-- a comment\nINSERT INTO a VALUES (1);',
      '1_a.down.sql': 'DROP TABLE a;',
      '2_b.up.sql': '-- neon-migrate:no-transaction\nCREATE INDEX CONCURRENTLY a_x ON a (x);',
    });
    const parsed = await loadMigrations(p.dir, 'migrations');
    expect(existsSync(cacheFile(p.dir))).toBe(true);
    const cached = await loadMigrations(p.dir, 'migrations');
    expect(cached).toEqual(parsed);
    // an edit is a new key: its syntax error is found, not hidden behind the old parse
    p.write('1_a.up.sql', 'CREATE TABLE a (x int;');
    await expect(loadMigrations(p.dir, 'migrations')).rejects.toMatchObject({ code: 'SQL_SYNTAX' });
  });

  it('never creates .neon-migrate/ itself (a refused command leaves a new project untouched)', async () => {
    const p = scratchProject({ '1_a.up.sql': 'SELECT 1;' });
    await loadMigrations(p.dir, 'migrations');
    expect(existsSync(path.join(p.dir, '.neon-migrate'))).toBe(false);
  });

  it('ignores a corrupt cache file and rewrites it', async () => {
    const p = usedProject({ '1_a.up.sql': 'SELECT 1;' });
    await loadMigrations(p.dir, 'migrations');
    writeFileSync(cacheFile(p.dir), '{ not json');
    const ms = await loadMigrations(p.dir, 'migrations');
    expect(ms.map((m) => m.name)).toEqual(['1_a']);
    expect(JSON.parse(readFileSync(cacheFile(p.dir), 'utf8')).format).toBe(1);
  });

  it("read-only loads reuse a TS migration's cached shape and import it only when up/down is called", async () => {
    // the module leaves a marker file when imported, so the test sees whether it was
    const marker = (dir: string) => path.join(dir, 'imported.txt');
    const p = usedProject();
    p.write(
      '1_data.ts',
      `import { appendFileSync } from 'node:fs';\nappendFileSync(${JSON.stringify(marker(p.dir))}, 'x');\n` +
        "export const transaction = false;\nexport async function up() { return 'up ran'; }\nexport async function down() {}\n",
    );
    const eager = await loadMigrations(p.dir, 'migrations');
    expect(existsSync(marker(p.dir))).toBe(true);
    rmSync(marker(p.dir));

    const lazy = await loadMigrations(p.dir, 'migrations', { importTs: false });
    expect(existsSync(marker(p.dir))).toBe(false);
    expect(lazy[0]).toMatchObject({ kind: 'ts', reversible: true, checksum: eager[0]!.checksum });
    expect((lazy[0]!.up as TsModule).noTransaction).toBe(true);
    // calling up imports the module then, and runs the real function
    const ctx = { client: { query: async () => ({ rows: [], rowCount: 0 }) }, branch: 'main', log: () => undefined };
    expect(await (lazy[0]!.up as TsModule).up(ctx as never)).toBe('up ran');
    expect(existsSync(marker(p.dir))).toBe(true);

    // a run (the default) imports every TS migration up front
    rmSync(marker(p.dir));
    await loadMigrations(p.dir, 'migrations');
    expect(existsSync(marker(p.dir))).toBe(true);
  });
});
