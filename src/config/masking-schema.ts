/** zod schema of an environment's `masking` rules (issue 13): `"[schema.]table.column"` → method. */
import { z } from 'zod';
import { MASKING_FUNCTIONS, MASKING_KEY_PATTERN, parseMaskingKey } from '../masking/rules.js';

/** A function name, `null` (the column becomes NULL), or `{ "value": "..." }` (a constant). */
const maskingMethodSchema = z.union([z.enum(MASKING_FUNCTIONS), z.null(), z.object({ value: z.string() }).strict()], {
  error: `expected one of ${MASKING_FUNCTIONS.map((f) => `"${f}"`).join(', ')}, null or { "value": "..." }`,
});

/**
 * `masking` in environments/*.json: the branch is created masked (anonymized) with these rules.
 *
 * @example
 * ```json
 * { "masking": { "users.email": "email", "users.name": "name", "users.phone": null, "public.users.ssn": { "value": "xxx" } } }
 * ```
 */
export const maskingSchema = z
  .record(z.string(), maskingMethodSchema)
  .superRefine(checkKeys, { when: (payload) => typeof payload.value === 'object' && payload.value !== null });

/** Keys name a column, each column once: checked even when a value is wrong, so every problem shows at once. */
function checkKeys(rules: Record<string, unknown>, ctx: z.RefinementCtx): void {
  // `users.email` and `public.users.email` name the same column: two rules for it would race
  const seen = new Map<string, string>();
  for (const key of Object.keys(rules)) {
    if (!MASKING_KEY_PATTERN.test(key)) {
      ctx.addIssue({ code: 'custom', path: [key], message: 'expected a key "table.column" or "schema.table.column"' });
      continue;
    }
    const { schema, table, column } = parseMaskingKey(key);
    const target = `${schema}.${table}.${column}`;
    const first = seen.get(target);
    if (first)
      ctx.addIssue({ code: 'custom', path: [key], message: `names the same column as "${first}" (${target})` });
    else seen.set(target, key);
  }
}
