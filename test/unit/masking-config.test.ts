/** The `masking` rules of an environment (issue 13): the format, its validation, and Neon's rule objects. */
import { describe, expect, it } from 'vitest';
import { environmentSchema } from '../../src/config/schema.js';
import { maskingStatements } from '../../src/masking/apply.js';
import { maskExpression } from '../../src/masking/expressions.js';
import { describeRule, fromNeonRule, maskingRules, toNeonRule } from '../../src/masking/rules.js';

const parse = (masking: unknown) => environmentSchema.safeParse({ branch: 'staging', masking });

describe('masking rules in environments/*.json', () => {
  it('accepts functions, null and constant values, with or without a schema', () => {
    const r = parse({
      'users.email': 'email',
      'public.users.name': 'name',
      'users.phone': null,
      'billing.cards.number': { value: 'xxxx' },
      'users.token': 'hash',
      'users.legacy': 'md5',
    });
    expect(r.success).toBe(true);
    const rules = maskingRules(r.data?.masking);
    expect(rules.map(describeRule)).toEqual([
      'billing.cards.number: value "xxxx"',
      'public.users.email: email',
      'public.users.legacy: md5',
      'public.users.name: name',
      'public.users.phone: null',
      'public.users.token: hash',
    ]);
    expect(rules.every((x) => x.database === 'neondb')).toBe(true);
  });

  it('is optional: no rules, no masking', () => {
    const r = parse(undefined);
    expect(r.success).toBe(true);
    expect(maskingRules(r.data?.masking)).toEqual([]);
  });

  it('reports every problem at once: bad keys, unknown functions, bad values, the same column twice', () => {
    const r = parse({
      users: 'hash',
      'a.b.c.d': 'hash',
      'users.email': 'sha1',
      'users.ssn': { value: 1 },
      'users.pin': { value: 'x', extra: true },
      'users.name': 'name',
      'public.users.name': 'hash',
    });
    expect(r.success).toBe(false);
    const issues = r.error!.issues.map((i) => `${i.path.slice(1).join('.')}: ${i.message}`);
    expect(issues).toEqual(
      expect.arrayContaining([
        'users: expected a key "table.column" or "schema.table.column"',
        'a.b.c.d: expected a key "table.column" or "schema.table.column"',
        'users.email: expected one of "hash", "md5", "name", "email", null or { "value": "..." }',
        'users.ssn: expected one of "hash", "md5", "name", "email", null or { "value": "..." }',
        'public.users.name: names the same column as "users.name" (public.users.name)',
      ]),
    );
    expect(r.error!.issues.some((i) => i.code === 'unrecognized_keys')).toBe(true);
    expect(issues).toHaveLength(6);
  });

  it("maps to Neon's MaskingRule objects and back, with the same SQL expression on both platforms", () => {
    const rules = maskingRules({ 'users.email': 'email', 'users.phone': null, 'users.ssn': { value: "o'k" } });
    const neon = rules.map(toNeonRule);
    expect(neon[0]).toEqual({
      database_name: 'neondb',
      schema_name: 'public',
      table_name: 'users',
      column_name: 'email',
      masking_function: maskExpression('email', { kind: 'email' }),
    });
    expect(neon[1]?.masking_function).toBe('NULL');
    expect(neon[2]?.masking_value).toBe("o'k");
    expect(neon.map(fromNeonRule)).toEqual(rules);
    expect(fromNeonRule({ ...neon[0]!, masking_function: 'anon.fake_email()' })).toMatch(
      /public\.users\.email: masking_function "anon\.fake_email\(\)" is not one the local engine runs/,
    );
  });

  it('masks with built-in functions only, quoting identifiers and values, one UPDATE per table', () => {
    const rules = maskingRules({ 'users.Email': 'hash', 'users.ssn': { value: "it's" }, 'orders.note': null });
    expect(maskingStatements(rules)).toEqual([
      `UPDATE "public"."orders" SET "note" = NULL`,
      `UPDATE "public"."users" SET "Email" = encode(sha256(convert_to("Email"::text, 'UTF8')), 'hex'), "ssn" = 'it''s'`,
    ]);
    expect(maskExpression('x', { kind: 'md5' })).toBe('md5("x"::text)');
  });
});
