/**
 * Masked branches through the Neon path (issue 13): NeonPlatform creates them with
 * `branch_anonymized` and polls `anonymized_status`, served by `local serve` behind the proxy that
 * checks every answer against Neon's OpenAPI spec. Limits hold on both sides of the wire.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { MaskedBranchError, MaskingRuleError } from '../../src/errors.js';
import { maskingRules, toNeonRule } from '../../src/masking/rules.js';
import { checkMasking } from '../../src/masking/verify.js';
import { expectError } from '../platform/conformance.js';
import { sql } from '../platform/helpers.js';
import { type NeonFixture, startNeonFixture } from './support/fixture.js';

let f: NeonFixture;

async function api(
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${f.proxy.apiHost}/projects/${f.server.projectId}${path}`, {
    method,
    headers: { authorization: `Bearer ${f.server.token}`, 'content-type': 'application/json' },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, json: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

const RULES = maskingRules({ 'customers.email': 'email', 'customers.name': 'name', 'customers.note': null });

beforeAll(async () => {
  f = await startNeonFixture();
  await sql(
    await f.local.connectionUri('main'),
    `CREATE TABLE customers (id int PRIMARY KEY, email text UNIQUE, name text, note text, city text);
     CREATE TABLE orders (id int PRIMARY KEY, customer_id int REFERENCES customers (id));
     INSERT INTO customers SELECT i, 'c' || i || '@shop.test', 'Customer ' || i, 'note ' || i, 'City ' || (i % 5)
       FROM generate_series(1, 100) i;`,
  );
});
afterEach(() => {
  expect(f.proxy.problems).toEqual([]);
});
afterAll(async () => {
  await f?.dispose();
});

describe('masked branches over the Neon API (local serve)', () => {
  it('NeonPlatform creates the branch with branch_anonymized and waits until it is anonymized', async () => {
    const neon = f.neon();
    const branch = await neon.createBranch({ name: 'masked', parent: 'main', masking: RULES });
    expect(branch.masking).toEqual({ rules: 3 });
    expect((await neon.listBranches()).find((b) => b.name === 'masked')?.masking).toEqual({ rules: 3 });
    const status = await neon.maskingStatus('masked');
    expect(status).toMatchObject({ state: 'anonymized', maskedColumns: 3 });
    expect(status?.rules).toEqual(RULES);
    expect(await neon.maskingStatus('main')).toBeUndefined();
    const [masked, main] = [await neon.connectionUri('masked'), await neon.connectionUri('main')];
    const rows = await sql<{ email: string; note: string | null; city: string }>(
      masked,
      'SELECT * FROM customers ORDER BY id',
    );
    expect(rows[0]).toMatchObject({ note: null, city: 'City 1' });
    expect(rows.every((r) => !r.email.endsWith('@shop.test'))).toBe(true);
    const query =
      (u: string) =>
      async <R>(text: string, params: unknown[]) =>
        (await sql(u, text, params)) as R[];
    expect((await checkMasking(query(masked), query(main), RULES)).leaks).toEqual([]);
  });

  it('serves anonymized_status and masking_rules per the spec, 404 for a branch that is not anonymized', async () => {
    const id = (await f.neon().getBranch('masked')).id;
    const status = await api('GET', `/branches/${id}/anonymized_status`);
    expect(status.status).toBe(200);
    expect(status.json).toMatchObject({ branch_id: id, state: 'anonymized', last_run: { masked_columns: 3 } });
    const rules = await api('GET', `/branches/${id}/masking_rules`);
    expect(rules.json.masking_rules).toEqual(RULES.map(toNeonRule));
    const mainId = (await f.neon().getBranch('main')).id;
    expect((await api('GET', `/branches/${mainId}/anonymized_status`)).status).toBe(404);
  });

  it('refuses what the local engine cannot run, and an anonymization it would not start', async () => {
    const rule = { ...toNeonRule(RULES[0]!), masking_function: 'anon.fake_email()' };
    const create = (extra: Record<string, unknown>) =>
      api('POST', '/branch_anonymized', {
        branch_create: { branch: { name: 'raw' } },
        masking_rules: [rule],
        ...extra,
      });
    const foreign = await create({ start_anonymization: true });
    expect(foreign.status).toBe(400);
    expect(foreign.json.message).toMatch(/anon\.fake_email\(\)" is not one the local engine runs/);
    const unstarted = await api('POST', '/branch_anonymized', {
      branch_create: { branch: { name: 'raw' } },
      masking_rules: RULES.map(toNeonRule),
    });
    expect(unstarted.status).toBe(400);
    expect(unstarted.json.message).toMatch(/start_anonymization/);
    const names = ((await api('GET', '/branches')).json.branches as { name: string }[]).map((b) => b.name);
    expect(names).not.toContain('raw');
  });

  it("holds Neon's limits: foreign-key columns, restore source and target, on the client and on the server", async () => {
    const neon = f.neon();
    const fk = await expectError(
      neon.createBranch({ name: 'fk', masking: maskingRules({ 'orders.customer_id': 'hash' }) }),
      { type: MaskingRuleError, exitCode: 2, message: /public\.orders\.customer_id: part of foreign key/ },
    );
    expect(fk.code).toBe('MASKING_FK_COLUMN');
    await neon.createBranch({ name: 'plain' });
    await expectError(neon.restoreBranch('masked', { source: 'main', preserveUnderName: 'masked_old' }), {
      type: MaskedBranchError,
      message: /"masked" is masked and cannot be a restore target/,
    });
    await expectError(neon.restoreBranch('plain', { source: 'masked' }), {
      type: MaskedBranchError,
      message: /"masked" is masked and cannot be a restore source/,
    });
    // the server refuses it too, for clients that do not check
    const [plainId, maskedId] = [(await neon.getBranch('plain')).id, (await neon.getBranch('masked')).id];
    const raw = await api('POST', `/branches/${plainId}/restore`, { source_branch_id: maskedId });
    expect(raw.status).toBe(400);
    expect(raw.json.message).toMatch(/cannot be a restore source/);
  });
});
