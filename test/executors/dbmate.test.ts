/** The dbmate executor against the real binary (npm `dbmate`) on local-engine branches. */
import { appendFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dbmateOptionsSchema } from '../../src/config/runner-schema.js';
import { settingsSchema } from '../../src/config/schema.js';
import { DbmateExecutor } from '../../src/executors/dbmate.js';
import { checkReversibility } from '../../src/run/reversibility.js';
import { takeFingerprint } from '../../src/verify/fingerprint.js';
import { openTestEngine, type TestEngine } from '../support/engine.js';
import { branchTarget, passwordOf, REPO, type TestTarget } from './helpers.js';

let engine: TestEngine;
const targets: TestTarget[] = [];

beforeAll(async () => {
  engine = await openTestEngine();
});
afterAll(async () => {
  for (const t of targets) await t.db.close();
  await engine.close();
});

const MIGRATIONS: Record<string, string> = {
  '20260105090000_create_tasks.sql': `-- migrate:up
CREATE TABLE tasks (id serial PRIMARY KEY, title text NOT NULL, tags text);
-- migrate:down
DROP TABLE tasks;
`,
  '20260217093000_tags_to_array.sql': `-- migrate:up
DO $$ BEGIN
  IF current_setting('lock_timeout') <> '4s' THEN RAISE EXCEPTION 'lock_timeout is %', current_setting('lock_timeout'); END IF;
END $$;
ALTER TABLE tasks ALTER COLUMN tags TYPE text[] USING array_remove(regexp_split_to_array(btrim(tags, ' ,'), '\\s*,\\s*'), '');
-- migrate:down
ALTER TABLE tasks ALTER COLUMN tags TYPE text USING array_to_string(tags, ', ');
`,
};

function project(extra: Record<string, string> = {}): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'nm-dbmate-'));
  mkdirSync(path.join(dir, 'db/migrations'), { recursive: true });
  for (const [f, text] of Object.entries({ ...MIGRATIONS, ...extra }))
    writeFileSync(path.join(dir, 'db/migrations', f), text);
  return dir;
}

const BIN = path.join(REPO, 'node_modules/.bin/dbmate');

describe('DbmateExecutor', () => {
  it('applies, reverts one by one, reads status, fingerprints; the timeouts reach its session', async () => {
    const dir = project();
    const ex = new DbmateExecutor(dir, dbmateOptionsSchema.parse({ bin: BIN }), process.env);
    await ex.prepare();
    const t = await branchTarget(engine, 'dbmate-flow', { timeouts: { lockTimeout: '4s', statementTimeout: '15min' } });
    targets.push(t);
    const s0 = await ex.state(t);
    expect(s0.pending.map((u) => `${u.version}:${u.name}:${u.reversible}`)).toEqual([
      '20260105090000:create_tasks:true',
      '20260217093000:tags_to_array:true',
    ]);
    await expect(ex.apply(t, s0.pending.slice(1))).rejects.toMatchObject({ code: 'RUNNER_NO_TARGET', exitCode: 2 });
    // A prefix (as `test` applies one migration at a time), then the rest.
    const first = await ex.apply(t, s0.pending.slice(0, 1));
    expect(first.results.map((r) => `${r.version}:${r.status}`)).toEqual(['20260105090000:applied']);
    expect((await ex.state(t)).pending.map((u) => u.version)).toEqual(['20260217093000']);
    const up = await ex.apply(t, s0.pending.slice(1));
    expect(up.outcome).toBe('succeeded');
    expect(up.results.map((r) => r.status)).toEqual(['applied']);
    expect(up).toMatchObject({ revisionBefore: '20260105090000', revisionAfter: '20260217093000' });
    expect(t.logs.some((l) => l.startsWith('dbmate| Applying: 20260105090000'))).toBe(true);
    await t.db.query(`INSERT INTO tasks (title, tags) VALUES ('one', ARRAY['work', 'bug'])`);
    expect((await ex.state(t)).current).toBe('20260217093000');

    const down = await ex.revert(t, [...s0.pending].reverse());
    expect(down.outcome).toBe('succeeded');
    expect(down.results.map((r) => `${r.version}:${r.status}`)).toEqual([
      '20260217093000:reverted',
      '20260105090000:reverted',
    ]);
    expect(down.tool).toHaveLength(2);
    expect((await ex.state(t)).applied).toEqual([]);

    const a = await ex.fingerprint();
    expect(a.head).toBe('20260217093000');
    appendFileSync(path.join(dir, 'db/migrations/20260105090000_create_tasks.sql'), '-- reviewed\n');
    expect((await ex.fingerprint()).hash).not.toBe(a.hash);
    expect(JSON.stringify(up)).not.toContain(passwordOf(t.uri));
  });

  it('a failing migration gives a failed result with its output; the tool missing is exit 2', async () => {
    const dir = project({
      '20260301000000_broken.sql': '-- migrate:up\nCREATE TABLE half (id int);\nSELECT 1/0;\n-- migrate:down\n',
    });
    const ex = new DbmateExecutor(dir, dbmateOptionsSchema.parse({ bin: BIN }), process.env);
    const t = await branchTarget(engine, 'dbmate-fails', {
      timeouts: { lockTimeout: '4s', statementTimeout: '15min' },
    });
    targets.push(t);
    const { pending } = await ex.state(t);
    expect(pending.at(-1)).toMatchObject({ version: '20260301000000', reversible: false });
    const res = await ex.apply(t, pending);
    expect(res.outcome).toBe('failed');
    expect(res.results.map((r) => r.status)).toEqual(['applied', 'applied', 'failed']);
    expect(res.results[2]!.error!.message).toMatch(/division by zero/);
    expect((await t.db.query(`SELECT to_regclass('half')::text AS t`)).rows[0]).toEqual({ t: null });
    const missing = new DbmateExecutor(dir, dbmateOptionsSchema.parse({}), { PATH: '/usr/bin:/bin' });
    await expect(missing.prepare()).rejects.toMatchObject({ code: 'TOOL_MISSING', exitCode: 2 });
  });

  it("the reversibility check on a first run: the table dbmate created is not the down's to drop", async () => {
    const dir = project();
    const ex = new DbmateExecutor(dir, dbmateOptionsSchema.parse({ bin: BIN }), process.env);
    const t = await branchTarget(engine, 'dbmate-rev', { timeouts: { lockTimeout: '4s', statementTimeout: '15min' } });
    targets.push(t);
    const before = await takeFingerprint(t.db);
    const { pending } = await ex.state(t);
    expect((await ex.apply(t, pending)).outcome).toBe('succeeded');
    const after = await takeFingerprint(t.db);
    const settings = settingsSchema.parse({ timeouts: { lockTimeout: '4s', statementTimeout: '15min' } });
    const ctx = { projectDir: dir, settings, env: process.env, platform: engine.platform };
    const input = { branch: 'dbmate-rev', executor: ex, applied: pending, before, after, runId: 'rev-test' };
    const r = await checkReversibility(ctx, { ...input, mode: 'schema' });
    expect(r, r.failure).toMatchObject({ ok: true, checked: true, downMatches: true, upMatches: true });
  });
});
