/** The command executor (any tool, here psql) and the one-off `--` form, on real local-engine branches. */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CommandExecutor, type CommandSpec, oneOffCommand } from '../../src/executors/command.js';
import { createExecutor } from '../../src/executors/index.js';
import { settingsSchema } from '../../src/config/schema.js';
import { openTestEngine, type TestEngine } from '../support/engine.js';
import { branchTarget, passwordOf, type TestTarget } from './helpers.js';

let engine: TestEngine;
const targets: TestTarget[] = [];

beforeAll(async () => {
  engine = await openTestEngine();
});
afterAll(async () => {
  for (const t of targets) await t.db.close();
  await engine.close();
});

async function target(name: string): Promise<TestTarget> {
  const t = await branchTarget(engine, name);
  targets.push(t);
  return t;
}

const PSQL = 'psql "$DATABASE_URL" -v ON_ERROR_STOP=1 -q';

/** A project whose migrations are psql scripts in db/. */
function project(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'nm-cmd-'));
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    writeFileSync(path.join(dir, rel), text);
  }
  return dir;
}

const SPEC: CommandSpec = {
  up: `${PSQL} -f db/up.sql`,
  down: `${PSQL} -f db/down.sql`,
  status: `psql "$DATABASE_URL" -Atc "SELECT coalesce((SELECT max(v) FROM schema_version), 'none')" 2>/dev/null || echo none`,
  files: ['db/**/*.sql'],
};

describe('CommandExecutor', () => {
  it('applies, reverts and reports the revision through status, with the tool output kept', async () => {
    const dir = project({
      'db/up.sql': `CREATE TABLE schema_version (v text); INSERT INTO schema_version VALUES ('v1');\nCREATE TABLE notes (id int PRIMARY KEY, body text);\nINSERT INTO notes VALUES (1, 'hello');\n\\echo applied v1\n`,
      'db/down.sql': `DROP TABLE notes; DROP TABLE schema_version;\n\\echo reverted v1\n`,
    });
    const ex = new CommandExecutor(dir, SPEC, process.env);
    await ex.prepare();
    expect(ex.limits.down).toBeUndefined();
    expect(ex.limits.offlineSql).toMatch(/cannot print its SQL/);
    const t = await target('cmd-flow');
    const before = await ex.state(t);
    expect(before.current).toBe('none');
    expect(before.pending).toHaveLength(1);
    expect(before.pending[0]).toMatchObject({ name: SPEC.up, reversible: true });
    expect(before.pending[0]!.version).toMatch(/^command-[0-9a-f]{12}$/);

    const up = await ex.apply(t, before.pending);
    expect(up.outcome).toBe('succeeded');
    expect(up.results).toMatchObject([{ status: 'applied', direction: 'up', transactional: false }]);
    expect(up).toMatchObject({ revisionBefore: 'none', revisionAfter: 'v1' });
    expect(up.tool![0]).toMatchObject({ command: SPEC.up, exitCode: 0 });
    expect(up.tool![0]!.output).toContain('applied v1');
    expect(t.logs).toContain('command| applied v1');
    expect((await t.db.query(`SELECT body FROM notes`)).rows).toEqual([{ body: 'hello' }]);

    const down = await ex.revert(t, before.pending);
    expect(down.outcome).toBe('succeeded');
    expect(down.results).toMatchObject([{ status: 'reverted', direction: 'down' }]);
    expect(down.revisionAfter).toBe('none');
    expect((await t.db.query(`SELECT to_regclass('notes') AS t`)).rows[0]).toEqual({ t: null });
  });

  it('fingerprints the files its globs name and the commands; an edited file changes it', async () => {
    const dir = project({ 'db/up.sql': 'SELECT 1;\n', 'db/down.sql': 'SELECT 2;\n', 'README.md': 'docs\n' });
    const ex = new CommandExecutor(dir, SPEC, process.env);
    const a = await ex.fingerprint();
    expect(a.head).toBeNull();
    writeFileSync(path.join(dir, 'README.md'), 'other docs\n');
    expect((await ex.fingerprint()).hash).toBe(a.hash);
    writeFileSync(path.join(dir, 'db/up.sql'), 'SELECT 3;\n');
    const b = await ex.fingerprint();
    expect(b.hash).not.toBe(a.hash);
    writeFileSync(path.join(dir, 'db/nested/more.sql'.replace('nested/', '')), 'SELECT 4;\n');
    expect((await ex.fingerprint()).hash).not.toBe(b.hash);
    const other = new CommandExecutor(dir, { ...SPEC, up: `${PSQL} -f db/up.sql --echo-errors` }, process.env);
    expect((await other.fingerprint()).hash).not.toBe((await ex.fingerprint()).hash);
  });

  it('a command that fails half-way gives a failed result with its output and the password scrubbed', async () => {
    const dir = project({
      'db/up.sql': `CREATE TABLE first_half (id int);\nSELECT 'postgresql://neondb_owner:' || current_setting('neon.x', true) || '@h/db';\nSELECT 1/0;\nCREATE TABLE never (id int);\n`,
    });
    const ex = new CommandExecutor(
      dir,
      { up: `${PSQL} -f db/up.sql; echo "tried $DATABASE_URL" >&2; exit 3`, files: ['db/*.sql'] },
      process.env,
    );
    const t = await target('cmd-fails');
    const res = await ex.apply(t, (await ex.state(t)).pending);
    expect(res.outcome).toBe('failed');
    expect(res.results[0]).toMatchObject({ status: 'failed', transactional: false });
    expect(res.results[0]!.error!.message).toMatch(/division by zero/);
    expect(res.tool![0]!.exitCode).toBe(3);
    expect(res.tool![0]!.output).toContain('tried postgresql://neondb_owner:****@127.0.0.1');
    expect(JSON.stringify(res)).not.toContain(passwordOf(t.uri));
    expect(t.logs.join('\n')).not.toContain(passwordOf(t.uri));
    // psql ran statement by statement: the first half stays (the pipeline restores the checkpoint).
    expect(
      (await t.db.query(`SELECT to_regclass('first_half')::text AS a, to_regclass('never')::text AS b`)).rows[0],
    ).toEqual({ a: 'first_half', b: null });
  });

  it('kills a command past its timeout and ends its sessions', async () => {
    const dir = project({});
    const ex = new CommandExecutor(
      dir,
      { up: `psql "$DATABASE_URL" -c "SELECT pg_sleep(60)"`, files: [], timeout: '3s' },
      process.env,
    );
    const t = await target('cmd-timeout');
    const res = await ex.apply(t, (await ex.state(t)).pending);
    expect(res.outcome).toBe('failed');
    expect(res.tool![0]!.timedOut).toBe(true);
    expect(res.results[0]!.error!.message).toBe('killed: ran longer than 3000 ms');
    const sessions = await t.db.query(
      `SELECT pid FROM pg_stat_activity WHERE application_name LIKE 'neon-migrate-tool:%'`,
    );
    expect(sessions.rows).toEqual([]);
  });

  it('refuses with exit 2 when the tool is missing, a glob matches nothing, or there is no down', async () => {
    const dir = project({ 'db/up.sql': 'SELECT 1;\n' });
    await expect(
      new CommandExecutor(dir, { up: 'no-such-migrate-tool up', files: [] }, process.env).prepare(),
    ).rejects.toMatchObject({ code: 'TOOL_MISSING', exitCode: 2 });
    await expect(
      new CommandExecutor(dir, { up: 'psql -f x', files: [] }, { PATH: '/nonexistent' }).prepare(),
    ).rejects.toMatchObject({ code: 'TOOL_MISSING', exitCode: 2 });
    await expect(
      new CommandExecutor(dir, { up: 'psql -f db/up.sql', files: ['migrations/**'] }, process.env).prepare(),
    ).rejects.toMatchObject({ code: 'RUNNER_FILES', exitCode: 2 });
    const noDown = new CommandExecutor(dir, { up: 'psql -f db/up.sql', files: ['db/*.sql'] }, process.env);
    await noDown.prepare();
    expect(noDown.limits.down).toMatch(/no "down" command/);
    await expect(
      noDown.revert({} as TestTarget, [
        { version: 'x', name: 'x', checksum: 'x', downChecksum: null, reversible: false },
      ]),
    ).rejects.toMatchObject({ code: 'RUNNER_NO_DOWN', exitCode: 2 });
  });

  it('the one-off form runs an argv without a shell, pointed at the branch through the PG variables', async () => {
    const dir = project({});
    const ex = createExecutor(dir, settingsSchema.parse({}), process.env, {
      command: ['psql', '-v', 'ON_ERROR_STOP=1', '-c', 'CREATE TABLE one_off (note text)'],
    });
    expect(ex.kind).toBe('command');
    await ex.prepare();
    const t = await target('cmd-one-off');
    const res = await ex.apply(t, (await ex.state(t)).pending);
    expect(res.outcome).toBe('succeeded');
    expect(res.tool![0]!.command).toBe(`psql -v ON_ERROR_STOP=1 -c 'CREATE TABLE one_off (note text)'`);
    expect((await t.db.query(`SELECT to_regclass('one_off')::text AS t`)).rows[0]).toEqual({ t: 'one_off' });
    expect(() => oneOffCommand([])).toThrow(/no command after `--`/);
    await expect(
      createExecutor(dir, settingsSchema.parse({}), process.env, { command: ['no-such-tool-xyz'] }).prepare(),
    ).rejects.toMatchObject({ exitCode: 2 });
  });

  it('createExecutor builds the executor the runner setting names', async () => {
    const dir = project({ 'db/up.sql': 'SELECT 1;\n' });
    const settings = (runner: unknown) => settingsSchema.parse({ runner });
    expect(createExecutor(dir, settings('alembic'), process.env).kind).toBe('alembic');
    expect(createExecutor(dir, settings({ alembic: { config: 'db/alembic.ini' } }), process.env).kind).toBe('alembic');
    expect(createExecutor(dir, settings({ command: { up: 'make migrate' } }), process.env).limits.down).toMatch(
      /no "down"/,
    );
    expect(() => createExecutor(dir, settings('native'), process.env)).toThrow(
      /native runner is built by the run pipeline/,
    );
    expect(() => settings('flyway')).toThrow();
    const knex = createExecutor(dir, settings('knex'), process.env);
    expect(knex.kind).toBe('knex');
    await expect(knex.prepare()).rejects.toMatchObject({ code: 'RUNNER_CONFIG_MISSING', exitCode: 2 });
    const drizzle = createExecutor(dir, settings('drizzle'), process.env);
    expect(drizzle.limits.down).toMatch(/drizzle-kit has no down migrations/);
    await expect(drizzle.prepare()).rejects.toMatchObject({ code: 'RUNNER_CONFIG_MISSING', exitCode: 2 });
    const sqitch = createExecutor(dir, settings('sqitch'), process.env);
    expect(sqitch.kind).toBe('sqitch');
    await expect(sqitch.prepare()).rejects.toMatchObject({ code: 'RUNNER_CONFIG_MISSING', exitCode: 2 });
    expect(() => settings({ command: { up: 'x', nope: 1 } })).toThrow();
  });
});
