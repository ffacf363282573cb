/** The node-pg-migrate executor against the real tool (the repository's devDependency) on local-engine branches. */
import { appendFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodePgMigrateOptionsSchema } from '../../src/config/runner-schema.js';
import { NodePgMigrateExecutor } from '../../src/executors/node-pg-migrate.js';
import { openTestEngine, type TestEngine } from '../support/engine.js';
import { branchTarget, copyExample, passwordOf, REPO, type TestTarget } from './helpers.js';

const EXAMPLE = path.join(REPO, 'examples/node-pg-migrate-todo');
let engine: TestEngine;
const targets: TestTarget[] = [];

beforeAll(async () => {
  engine = await openTestEngine();
});
afterAll(async () => {
  for (const t of targets) await t.db.close();
  await engine.close();
});

/** A copy of the example inside the repository, so node_modules/.bin is found in a parent folder. */
function project(): string {
  return copyExample(EXAMPLE);
}

function executor(
  dir: string,
  options: Record<string, unknown> = {},
  env: NodeJS.ProcessEnv = process.env,
): NodePgMigrateExecutor {
  return new NodePgMigrateExecutor(
    dir,
    nodePgMigrateOptionsSchema.parse({ bin: path.join(REPO, 'node_modules/.bin/node-pg-migrate'), ...options }),
    env,
  );
}

async function target(name: string, overrides: Parameters<typeof branchTarget>[2] = {}): Promise<TestTarget> {
  const t = await branchTarget(engine, name, overrides);
  targets.push(t);
  return t;
}

describe('NodePgMigrateExecutor', () => {
  it('applies a prefix then the rest, reverts on real data, and fingerprints the folder', async () => {
    const dir = project();
    const ex = executor(dir);
    await ex.prepare();
    expect(ex.limits.offlineSql).toMatch(/--dry-run/);
    const t = await target('npm-flow', { timeouts: { lockTimeout: '4s', statementTimeout: '9min' } });
    const s0 = await ex.state(t);
    expect(s0.current).toBeNull();
    expect(s0.pending.map((u) => u.name)).toEqual([
      'create-users-and-tasks',
      'subtasks-with-count',
      'tags-to-array',
      'add-categories',
    ]);
    expect(s0.pending.every((u) => u.reversible)).toBe(true);

    const first = await ex.apply(t, s0.pending.slice(0, 2));
    expect(first.outcome).toBe('succeeded');
    expect(first.results.map((r) => r.status)).toEqual(['applied', 'applied']);
    expect(first.revisionAfter).toBe(s0.pending[1]!.version);
    expect(t.logs.some((l) => l.startsWith('node-pg-migrate| ### MIGRATION'))).toBe(true);
    await t.db.query(`
      INSERT INTO users (id, email, name) VALUES ('00000000-0000-0000-0000-000000000001', 'ada@example.com', 'Ada');
      INSERT INTO tasks (owner_id, title, tags) VALUES ('00000000-0000-0000-0000-000000000001', 'one', ' work , bug,');`);
    const s1 = await ex.state(t);
    expect(s1.applied).toHaveLength(2);
    const rest = await ex.apply(t, s1.pending);
    expect(rest.outcome).toBe('succeeded');
    const row = await t.db.query<{ tags: string[]; category: string }>(
      `SELECT t.tags, c.name AS category FROM tasks t JOIN categories c ON c.id = t.category_id`,
    );
    expect(row.rows).toEqual([{ tags: ['work', 'bug'], category: 'Work' }]);

    const down = await ex.revert(t, (await ex.state(t)).applied.slice(2).reverse());
    expect(down.outcome).toBe('succeeded');
    expect(down.results.map((r) => r.status)).toEqual(['reverted', 'reverted']);
    expect((await t.db.query(`SELECT tags FROM tasks`)).rows).toEqual([{ tags: 'work, bug' }]);
    expect((await ex.state(t)).pending).toHaveLength(2);

    const a = await ex.fingerprint();
    expect(a.head).toBe(s0.pending[3]!.version);
    appendFileSync(path.join(dir, 'migrations', `${s0.pending[2]!.version}.js`), '\n// reviewed\n');
    expect((await ex.fingerprint()).hash).not.toBe(a.hash);
  });

  it('a migration that fails gives a failed result with the output, timeouts reach the session, no password leaks', async () => {
    const dir = project();
    writeFileSync(
      path.join(dir, 'migrations/1799999999999_broken.js'),
      `export const up = (pgm) => {
  pgm.sql("DO $$ BEGIN IF current_setting('lock_timeout') <> '4s' OR current_setting('statement_timeout') <> '9min' THEN RAISE EXCEPTION 'timeouts not passed: %', current_setting('lock_timeout'); END IF; END $$");
  pgm.sql('CREATE TABLE half (id int)');
  pgm.sql('SELECT 1/0');
};
export const down = false;
`,
    );
    const ex = executor(dir);
    const t = await target('npm-fails', { timeouts: { lockTimeout: '4s', statementTimeout: '9min' } });
    const { pending } = await ex.state(t);
    expect(pending.at(-1)).toMatchObject({ version: '1799999999999_broken', reversible: false });
    const res = await ex.apply(t, pending);
    expect(res.outcome).toBe('failed');
    expect(res.results.at(-1)).toMatchObject({ version: '1799999999999_broken', status: 'failed' });
    // Not "timeouts not passed": node-postgres took lock_timeout/statement_timeout from PGOPTIONS.
    expect(res.results.at(-1)!.error!.message).toMatch(/division by zero/);
    expect(JSON.stringify(res)).not.toContain(passwordOf(t.uri));
    // --single-transaction (its default): nothing of the run stayed.
    expect((await ex.state(t)).applied).toEqual([]);
  });

  it('the tool missing is exit 2 before anything runs', async () => {
    const dir = project();
    const ex = new NodePgMigrateExecutor(
      dir,
      nodePgMigrateOptionsSchema.parse({ bin: 'node_modules/.bin/node-pg-migrate' }),
      { PATH: '/usr/bin:/bin' },
    );
    await expect(ex.prepare()).rejects.toMatchObject({ code: 'TOOL_MISSING', exitCode: 2 });
    const noDir = executor(dir, { migrationsDir: 'db/migrations' });
    await expect(noDir.prepare()).rejects.toMatchObject({ code: 'RUNNER_CONFIG_MISSING', exitCode: 2 });
  });
});
