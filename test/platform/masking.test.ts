/**
 * Masked branches on the local engine (issue 13): made masked before anything connects, no
 * original value left in a masked column, unmasked columns intact, and Neon's limits (foreign-key
 * columns, restore source or target, history before the masking) refused with one-line errors.
 * One engine for the file; `main` holds 300 users with personal data and tasks pointing at them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MaskedBranchError, MaskingRuleError } from '../../src/errors.js';
import { maskingRules } from '../../src/masking/rules.js';
import { checkMasking } from '../../src/masking/verify.js';
import { expectError } from './conformance.js';
import { sql } from './helpers.js';
import { openTestEngine, type TestEngine } from '../support/engine.js';

const SCHEMA = `
CREATE TABLE users (id int PRIMARY KEY, email text NOT NULL UNIQUE, name text, phone text, ssn text,
                    token text, plan text NOT NULL, updated_at timestamptz);
CREATE TABLE tasks (id int PRIMARY KEY, user_id int NOT NULL REFERENCES users (id), title text NOT NULL);
CREATE TABLE audit (n int);
CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN NEW.updated_at := now(); INSERT INTO audit VALUES (1); RETURN NEW; END $$;
CREATE TRIGGER users_touch BEFORE UPDATE ON users FOR EACH ROW EXECUTE FUNCTION touch();
INSERT INTO users
  SELECT i, 'person' || i || '@mail.test', 'Real Name ' || i, CASE WHEN i % 7 = 0 THEN NULL ELSE '+1-555-' || i END,
         'ssn-' || i, 'tok-' || md5(i::text), CASE WHEN i % 2 = 0 THEN 'pro' ELSE 'free' END, NULL
    FROM generate_series(1, 300) i;
INSERT INTO tasks SELECT i, 1 + i % 300, 'task ' || i FROM generate_series(1, 600) i;`;

const RULES = maskingRules({
  'users.email': 'email',
  'public.users.name': 'name',
  'users.phone': null,
  'users.ssn': { value: 'xxx-xx-xxxx' },
  'users.token': 'hash',
});

type User = { id: number; email: string; name: string; phone: string | null; ssn: string; token: string; plan: string };
const users = (uri: string) => sql<User>(uri, 'SELECT * FROM users ORDER BY id');

describe('masked branches on the local engine', () => {
  let e: TestEngine;
  let main: string;

  beforeAll(async () => {
    e = await openTestEngine();
    main = await e.platform.connectionUri('main');
    await sql(main, SCHEMA);
  });
  afterAll(async () => {
    await e?.close();
  });

  it('creates the branch masked: no original value in a masked column, everything else intact', async () => {
    const branch = await e.platform.createBranch({ name: 'staging', parent: 'main', masking: RULES });
    expect(branch.masking).toEqual({ rules: 5 });
    const uri = await e.platform.connectionUri('staging');
    const [before, after] = [await users(main), await users(uri)];
    expect(after).toHaveLength(before.length);
    const hash = (
      await sql<{ h: string }>(uri, `SELECT encode(sha256(convert_to('tok-' || md5('1'), 'UTF8')), 'hex') AS h`)
    )[0]!.h;
    for (const [i, b] of before.entries()) {
      const a = after[i]!;
      expect(a.id).toBe(b.id);
      expect(a.plan).toBe(b.plan);
      expect(a.email).not.toBe(b.email);
      expect(a.email).toMatch(/^user-[0-9a-f]{16}@example\.com$/);
      expect(a.name).not.toBe(b.name);
      expect(a.name).toMatch(/^[A-Z][a-z]+ [A-Z][a-z]+$/);
      expect(a.phone).toBeNull();
      expect(a.ssn).toBe('xxx-xx-xxxx');
      expect(a.token).toMatch(/^[0-9a-f]{64}$/);
    }
    expect(after[0]!.token).toBe(hash);
    // unique-preserving: the UNIQUE index held, and every address is distinct
    expect(new Set(after.map((u) => u.email)).size).toBe(after.length);
    // triggers stayed off: masking is not an application write
    expect(after.every((u) => (u as User & { updated_at: unknown }).updated_at === null)).toBe(true);
    expect(await sql(uri, 'SELECT * FROM audit')).toEqual([]);
    expect(await sql(uri, 'SELECT * FROM tasks ORDER BY id')).toEqual(
      await sql(main, 'SELECT * FROM tasks ORDER BY id'),
    );
    expect(await users(main)).toEqual(before);
    const status = await e.platform.maskingStatus('staging');
    expect(status).toMatchObject({ state: 'anonymized', maskedColumns: 5 });
    expect(status?.rules).toEqual(RULES);
    expect(await e.platform.maskingStatus('main')).toBeUndefined();
  });

  it('the masking check finds no leak, and finds one written back', async () => {
    const uri = await e.platform.connectionUri('staging');
    const query =
      (u: string) =>
      async <R>(text: string, params: unknown[]) =>
        (await sql(u, text, params)) as R[];
    const clean = await checkMasking(query(uri), query(main), RULES, 1000);
    expect(clean).toEqual({ tables: 1, rows: 300, unverified: [], leaks: [] });
    await sql(uri, `UPDATE users SET email = 'person' || id || '@mail.test' WHERE id IN (3, 4)`);
    const leaked = await checkMasking(query(uri), query(main), RULES, 1000);
    expect(leaked.leaks).toEqual(['public.users.email: still holds its original value in 2 of 300 sampled rows']);
    expect(leaked.leaks.join()).not.toContain('mail.test');
  });

  it('refuses foreign-key columns, on either side, and names every problem at once; nothing is created', async () => {
    const rules = maskingRules({ 'tasks.user_id': 'hash', 'users.id': null, 'users.nope': 'hash', 'users.plan': null });
    const err = await expectError(e.platform.createBranch({ name: 'fk', parent: 'main', masking: rules }), {
      type: MaskingRuleError,
      exitCode: 2,
      message: /public\.tasks\.user_id: part of foreign key tasks_user_id_fkey/,
    });
    expect(err.code).toBe('MASKING_FK_COLUMN');
    expect(err.message).toMatch(/public\.users\.id: part of foreign key tasks_user_id_fkey/);
    expect(err.message).toMatch(/public\.users\.nope: no such table or column/);
    expect(err.message).toMatch(/public\.users\.plan: NOT NULL/);
    expect(await e.branchNames()).not.toContain('fk');
  });

  it('a mask the column cannot hold is a clear MASKING_FAILED, and the branch is removed', async () => {
    await sql(main, `CREATE TABLE codes (id int PRIMARY KEY, code varchar(8)); INSERT INTO codes VALUES (1, 'abc')`);
    const err = await expectError(
      e.platform.createBranch({ name: 'short', parent: 'main', masking: maskingRules({ 'codes.code': 'hash' }) }),
      { exitCode: 4, message: /masking database neondb failed: value too long for type character varying\(8\)/ },
    );
    expect(err.code).toBe('MASKING_FAILED');
    expect(await e.branchNames()).not.toContain('short');
  });

  it('a masked branch is never a restore source or target, nor branched from its history', async () => {
    await e.platform.createBranch({ name: 'dev', parent: 'main' });
    const target = await expectError(e.platform.restoreBranch('staging', { source: 'main', preserveUnderName: 'x' }), {
      type: MaskedBranchError,
      exitCode: 2,
      message: /branch "staging" is masked and cannot be a restore target/,
    });
    expect(target.code).toBe('MASKED_BRANCH');
    await expectError(e.platform.restoreBranch('dev', { source: 'staging' }), {
      type: MaskedBranchError,
      message: /branch "staging" is masked and cannot be a restore source/,
    });
    await expectError(
      e.platform.createBranch({ name: 'past', parent: 'staging', at: { timestamp: new Date().toISOString() } }),
      { type: MaskedBranchError, message: /branch from its head/ },
    );
    // its head is fine: a checkpoint of a masked branch holds the masked rows
    await e.platform.createBranch({ name: 'staging-child', parent: 'staging' });
    const child = await users(await e.platform.connectionUri('staging-child'));
    expect(child[0]!.ssn).toBe('xxx-xx-xxxx');
  });
});
