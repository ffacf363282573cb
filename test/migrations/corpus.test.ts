/** The tricky-SQL corpus: all up, all down, all up again on real Postgres; the schema must match each time. */
import { cpSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, type DbClient } from '../../src/db/connect.js';
import { readApplied } from '../../src/history/store.js';
import { migrate } from '../../src/workflow/migrate.js';
import { openTestEngine, type TestEngine } from '../support/engine.js';
import { scratchProject } from '../support/project.js';
import { schemaFingerprint } from '../support/schema.js';

let engine: TestEngine;
let db: DbClient;
beforeAll(async () => {
  engine = await openTestEngine();
  db = await connect(await engine.branch('corpus'));
});
afterAll(async () => {
  await db?.close();
  await engine?.close();
});

describe('tricky SQL corpus', () => {
  it('applies all up, all down, and all up again with identical schemas', async () => {
    const p = scratchProject();
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
    expect(applied.indexes.join('\n')).toContain('CREATE INDEX person_name_idx ON public.person USING btree (name) valid=true');
    expect(applied.triggers).toHaveLength(1);
    expect(applied.functions.join('\n')).toContain('$q$SELECT upper($1) || \';\'$q$');
    expect(applied.comments).toEqual(['person people; with a semicolon']);
    expect((await db.query<{ r: string }>(`SELECT shout('hi') AS r`)).rows[0]?.r).toBe('HI;;');
    expect((await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM audit`)).rows[0]?.n).toBe(2);
    expect((await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM happy_people`)).rows[0]?.n).toBe(1);

    const down = await migrate(project, { direction: 'down', branch: 'corpus', to: '0' });
    expect(down.outcome).toBe('succeeded');
    expect(down.results.map((r) => r.status)).toEqual(Array(7).fill('reverted'));
    expect(await schemaFingerprint(db)).toEqual(empty);
    expect(await readApplied(db)).toEqual([]);

    const up2 = await migrate(project, { direction: 'up', branch: 'corpus' });
    expect(up2.outcome).toBe('succeeded');
    expect(await schemaFingerprint(db)).toEqual(applied);
  });
});
