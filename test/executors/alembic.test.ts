/** The Alembic executor against the real tool (the example's venv) on real local-engine branches. */
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlembicExecutor } from '../../src/executors/alembic.js';
import { alembicOptionsSchema } from '../../src/config/runner-schema.js';
import { NeonMigrateError } from '../../src/errors.js';
import { openTestEngine, type TestEngine } from '../support/engine.js';
import { ALEMBIC_EXAMPLE, branchTarget, copyExample, passwordOf, type TestTarget } from './helpers.js';

const HEAD = '8c6faec0b199';
let engine: TestEngine;
const targets: TestTarget[] = [];

beforeAll(async () => {
  engine = await openTestEngine();
});
afterAll(async () => {
  for (const t of targets) await t.db.close();
  await engine.close();
});

function executor(
  dir: string,
  options: Record<string, unknown> = {},
  env: NodeJS.ProcessEnv = process.env,
): AlembicExecutor {
  return new AlembicExecutor(dir, alembicOptionsSchema.parse(options), env);
}

async function target(name: string, overrides: Parameters<typeof branchTarget>[2] = {}): Promise<TestTarget> {
  const t = await branchTarget(engine, name, overrides);
  targets.push(t);
  return t;
}

/** A revision file on top of `parent`, with the given upgrade/downgrade bodies. */
function addRevision(dir: string, rev: string, parent: string, up: string, down = 'pass'): void {
  const body = (code: string) =>
    code
      .split('\n')
      .map((l) => `    ${l}`)
      .join('\n');
  writeFileSync(
    path.join(dir, 'alembic/versions', `${rev}_extra.py`),
    `"""extra ${rev}\n\nRevision ID: ${rev}\n"""\nimport os\nfrom alembic import op\nimport sqlalchemy as sa\n\n` +
      `revision = "${rev}"\ndown_revision = "${parent}"\nbranch_labels = None\ndepends_on = None\n\n\n` +
      `def upgrade() -> None:\n${body(up)}\n\n\ndef downgrade() -> None:\n${body(down)}\n`,
  );
}

describe('AlembicExecutor', () => {
  it('reads state through alembic, applies, reverts with real data, and renders SQL offline', async () => {
    const dir = copyExample(ALEMBIC_EXAMPLE);
    const ex = executor(dir);
    await ex.prepare();
    const t = await target('alembic-main-flow');

    const empty = await ex.state(t);
    expect(empty.current).toBeNull();
    expect(empty.applied).toEqual([]);
    expect(empty.pending.map((u) => u.version)).toEqual([
      '0a1f6c2d9b11',
      '1b7e3a5c4d22',
      '2c9d4e6f5a33',
      '3d1a5f7b6c44',
      '4e2b6a8c7d55',
      '5f3c7b9d8e66',
      '6a4d8cae9f77',
      '7b5e9dbfa088',
      HEAD,
    ]);
    expect(empty.pending.every((u) => u.reversible && u.file?.startsWith('alembic/versions/'))).toBe(true);
    expect(empty.pending[0]!.name).toBe('create users and tasks');

    // The v1 schema, then production-shaped messy data, then everything else.
    const first = await ex.apply(t, empty.pending.slice(0, 2));
    expect(first.outcome).toBe('succeeded');
    expect(first.results.map((r) => r.status)).toEqual(['applied', 'applied']);
    expect(first.revisionBefore).toBeNull();
    expect(first.revisionAfter).toBe('1b7e3a5c4d22');
    expect(first.tool?.[0]?.command).toBe('alembic upgrade 1b7e3a5c4d22');
    expect(t.logs.some((l) => l.startsWith('alembic| ') && l.includes('Running upgrade'))).toBe(true);
    await t.db.query(`
      INSERT INTO users (id, email, name) VALUES ('00000000-0000-0000-0000-000000000001', 'ada@example.com', 'Ada');
      INSERT INTO tasks (id, owner_id, title, tags, priority) VALUES
        ('00000000-0000-0000-0000-0000000000a1', '00000000-0000-0000-0000-000000000001', 'one', ' work , bug,', 'High'),
        ('00000000-0000-0000-0000-0000000000a2', '00000000-0000-0000-0000-000000000001', 'two', NULL, 'asap');
      INSERT INTO subtasks (task_id, title) VALUES ('00000000-0000-0000-0000-0000000000a1', 'a'), ('00000000-0000-0000-0000-0000000000a1', 'b');`);

    const mid = await ex.state(t);
    expect(mid.current).toBe('1b7e3a5c4d22');
    expect(mid.applied).toHaveLength(2);
    const rest = await ex.apply(t, mid.pending);
    expect(rest.outcome).toBe('succeeded');
    expect(rest.results.every((r) => r.status === 'applied' && r.direction === 'up' && r.transactional)).toBe(true);
    expect(rest.revisionAfter).toBe(HEAD);
    const task = await t.db.query<{
      tags: string[];
      priority_id: number;
      subtask_count: number;
      category: string | null;
    }>(
      `SELECT t.tags, t.priority_id, t.subtask_count, c.name AS category FROM tasks t LEFT JOIN categories c ON c.id = t.category_id WHERE t.title = 'one'`,
    );
    expect(task.rows[0]).toEqual({ tags: ['work', 'bug'], priority_id: 3, subtask_count: 2, category: 'Work' });
    const legacy = await t.db.query<{ n: number; rows_in_file: number }>(
      `SELECT (SELECT count(*) FROM legacy_task_map)::int AS n, rows_in_file FROM legacy_import_summary`,
    );
    expect(legacy.rows[0]!.n).toBe(legacy.rows[0]!.rows_in_file);
    expect((await ex.state(t)).pending).toEqual([]);

    // Back to v1 + subtasks: tags are strings again, priorities text again, the import is gone.
    const applied = (await ex.state(t)).applied;
    const down = await ex.revert(t, applied.slice(3).reverse());
    expect(down.outcome).toBe('succeeded');
    expect(down.results.map((r) => `${r.version}:${r.status}`)).toEqual(
      applied
        .slice(3)
        .reverse()
        .map((u) => `${u.version}:reverted`),
    );
    expect(down.revisionAfter).toBe('2c9d4e6f5a33');
    const back = await t.db.query<{ tags: string | null; priority: string }>(
      `SELECT tags, priority FROM tasks ORDER BY title`,
    );
    expect(back.rows).toEqual([
      { tags: 'work, bug', priority: 'high' },
      { tags: null, priority: 'urgent' },
    ]);
    expect((await t.db.query(`SELECT to_regclass('legacy_task_map') AS t`)).rows[0]).toEqual({ t: null });

    const upSql = await ex.renderSql(applied.slice(3), 'up');
    expect(upSql).toContain('CREATE TABLE tag_conversion_audit');
    expect(upSql).toContain(`UPDATE alembic_version SET version_num='${HEAD}'`);
    const downSql = await ex.renderSql(applied.slice(3).reverse(), 'down');
    expect(downSql).toContain('DROP TABLE legacy_task_map');
    expect(downSql).toContain(`UPDATE alembic_version SET version_num='2c9d4e6f5a33'`);
  });

  it('fingerprints the revision files, env.py and alembic.ini plus the head; an edited revision changes it', async () => {
    const dir = copyExample(ALEMBIC_EXAMPLE);
    const ex = executor(dir);
    const a = await ex.fingerprint();
    expect(a.head).toBe(HEAD);
    expect(a.hash).toMatch(/^[0-9a-f]{64}$/);
    expect((await executor(copyExample(ALEMBIC_EXAMPLE)).fingerprint()).hash).toBe(a.hash);
    appendFileSync(path.join(dir, 'alembic/versions/3d1a5f7b6c44_tags_to_array.py'), '\n# reviewed\n');
    const b = await ex.fingerprint();
    expect(b.hash).not.toBe(a.hash);
    expect(b.head).toBe(HEAD);
    const env = path.join(dir, 'alembic/env.py');
    writeFileSync(
      env,
      readFileSync(env, 'utf8').replace('transaction_per_migration=True', 'transaction_per_migration=False'),
    );
    expect((await ex.fingerprint()).hash).not.toBe(b.hash);
    addRevision(dir, 'a9a9a9a9a9a9', HEAD, 'op.execute("SELECT 1")');
    expect((await ex.fingerprint()).head).toBe('a9a9a9a9a9a9');
  });

  it('a revision that fails half-way gives a failed result with the tool output; earlier ones stay applied', async () => {
    const dir = copyExample(ALEMBIC_EXAMPLE);
    addRevision(
      dir,
      'b1b1b1b1b1b1',
      HEAD,
      'op.execute("CREATE TABLE half (id int)")\nop.execute("SELECT 1/0")',
      'op.execute("DROP TABLE half")',
    );
    const ex = executor(dir);
    const t = await target('alembic-fails');
    const { pending } = await ex.state(t);
    const res = await ex.apply(t, pending);
    expect(res.outcome).toBe('failed');
    expect(res.results.at(-1)).toMatchObject({
      version: 'b1b1b1b1b1b1',
      status: 'failed',
      error: { location: 'alembic/versions/b1b1b1b1b1b1_extra.py' },
    });
    expect(res.results.at(-1)!.error!.message).toMatch(/division by zero/);
    expect(res.results.slice(0, -1).every((r) => r.status === 'applied')).toBe(true);
    expect(res.revisionAfter).toBe(HEAD);
    expect(res.tool![0]!.exitCode).not.toBe(0);
    expect(res.tool![0]!.output).toMatch(/DivisionByZero|division by zero/);
    // Its transaction rolled back: no half table.
    expect((await t.db.query(`SELECT to_regclass('half') AS t`)).rows[0]).toEqual({ t: null });
  });

  it('passes lock_timeout/statement_timeout through PGOPTIONS and scrubs the branch password from output', async () => {
    const dir = copyExample(ALEMBIC_EXAMPLE);
    addRevision(
      dir,
      'c2c2c2c2c2c2',
      HEAD,
      [
        'conn = op.get_bind()',
        'print("timeouts", conn.execute(sa.text("SHOW lock_timeout")).scalar(), conn.execute(sa.text("SHOW statement_timeout")).scalar())',
        'print("url", os.environ["DATABASE_URL"])',
        'raise RuntimeError("cannot reach " + os.environ["DATABASE_URL"].split("@")[0].split(":")[-1])',
      ].join('\n'),
    );
    const ex = executor(dir);
    const t = await target('alembic-env', { timeouts: { lockTimeout: '3s', statementTimeout: '7min' } });
    const res = await ex.apply(t, (await ex.state(t)).pending);
    expect(res.outcome).toBe('failed');
    const output = res.tool![0]!.output;
    expect(output).toContain('timeouts 3s 7min');
    expect(output).toContain('cannot reach ****');
    expect(output).toContain('neondb_owner:****@127.0.0.1');
    const secret = passwordOf(t.uri);
    expect(output).not.toContain(secret);
    expect(t.logs.join('\n')).not.toContain(secret);
    expect(JSON.stringify(res)).not.toContain(secret);
  });

  it('kills a run past the configured timeout and ends its sessions', async () => {
    const dir = copyExample(ALEMBIC_EXAMPLE);
    addRevision(dir, 'd3d3d3d3d3d3', HEAD, 'op.execute("SELECT pg_sleep(60)")');
    const t = await target('alembic-timeout');
    const { pending } = await executor(dir).state(t);
    expect((await executor(dir).apply(t, pending.slice(0, -1))).outcome).toBe('succeeded');
    const ex = executor(dir, { timeout: '4s' });
    const res = await ex.apply(t, pending.slice(-1));
    expect(res.outcome).toBe('failed');
    expect(res.tool![0]!.timedOut).toBe(true);
    expect(res.results.at(-1)).toMatchObject({ version: 'd3d3d3d3d3d3', status: 'failed' });
    expect(res.results.at(-1)!.error!.message).toMatch(/killed: ran longer than 4000 ms/);
    const sessions = await t.db.query(
      `SELECT pid FROM pg_stat_activity WHERE application_name LIKE 'neon-migrate-tool:%'`,
    );
    expect(sessions.rows).toEqual([]);
  });

  it('refuses with exit 2 before touching anything when alembic is missing or alembic.ini is absent', async () => {
    const dir = copyExample(ALEMBIC_EXAMPLE);
    const noVenv = executor(dir, { bin: 'venv-that-does-not-exist/bin/alembic' }, { PATH: '/usr/bin:/bin' });
    const err = await noVenv.prepare().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NeonMigrateError);
    expect(err).toMatchObject({ code: 'TOOL_MISSING', exitCode: 2 });
    expect((err as NeonMigrateError).hint).toContain('pip install alembic');
    const onPath = executor(path.join(dir, 'alembic'), {}, { PATH: '/usr/bin:/bin' });
    await expect(onPath.prepare()).rejects.toMatchObject({ code: 'RUNNER_CONFIG_MISSING', exitCode: 2 });
    const noAlembicAnywhere = new AlembicExecutor(dir, alembicOptionsSchema.parse({}), { PATH: '/usr/bin:/bin' });
    // The copy links the example's .venv: take it away from this one.
    const bare = copyExample(path.join(dir, 'alembic'));
    writeFileSync(path.join(bare, 'alembic.ini'), readFileSync(path.join(dir, 'alembic.ini')));
    await expect(
      new AlembicExecutor(bare, alembicOptionsSchema.parse({}), { PATH: '/usr/bin:/bin' }).prepare(),
    ).rejects.toMatchObject({ code: 'TOOL_MISSING', exitCode: 2 });
    await expect(noAlembicAnywhere.prepare()).resolves.toBeUndefined();
  });
});
