/**
 * The SQL each masking method writes into a column. Only built-in PostgreSQL functions (sha256,
 * md5, encode, get_byte): the same expression runs on the local engine and is sent to Neon as the
 * rule's `masking_function`, so a branch masked here and one masked on Neon hold the same values.
 * Every method is deterministic (the same original gives the same mask, so joins on a masked value
 * still match) and keeps NULL as NULL (a NULL holds nothing to hide).
 */
import type { MaskingMethod } from './rules.js';

/** Fake first and last names: 32 × 32 combinations, picked by two bytes of the original's hash. */
const FIRST_NAMES =
  'Ada Alan Alex Ana Ben Chen Dana Eli Emma Ezra Farah Grace Hana Ian Ines Jon Kai Lea Leo Mara Mei Nia Noah Omar Priya Quinn Rosa Sam Tara Uma Vic Yusuf'.split(
    ' ',
  );
const LAST_NAMES =
  'Abe Baker Costa Diaz Evans Fischer Garcia Haddad Ito Jensen Kim Lopez Meyer Nakamura Novak Okafor Park Quist Rossi Sato Silva Smith Tan Ueda Varga Wang Weber Xu Young Zhou Ziegler Moreau'.split(
    ' ',
  );

/** A column name as an SQL identifier. */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** A string as an SQL literal. */
export function quoteLiteral(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

function array(names: string[]): string {
  return `(ARRAY[${names.map(quoteLiteral).join(', ')}])`;
}

/**
 * The expression that replaces `column`'s value.
 *
 * @example
 * ```ts
 * maskExpression('email', { kind: 'hash' }); // encode(sha256(convert_to("email"::text, 'UTF8')), 'hex')
 * ```
 */
export function maskExpression(column: string, method: MaskingMethod): string {
  const col = quoteIdent(column);
  const digest = `sha256(convert_to(${col}::text, 'UTF8'))`;
  switch (method.kind) {
    case 'hash':
      return `encode(${digest}, 'hex')`;
    case 'md5':
      return `md5(${col}::text)`;
    case 'email':
      // 64 bits of the hash: distinct originals stay distinct (a unique index on the column still holds)
      return `'user-' || left(encode(${digest}, 'hex'), 16) || '@example.com'`;
    case 'name':
      return (
        `${array(FIRST_NAMES)}[1 + get_byte(${digest}, 0) % ${FIRST_NAMES.length}]` +
        ` || ' ' || ${array(LAST_NAMES)}[1 + get_byte(${digest}, 1) % ${LAST_NAMES.length}]`
      );
    case 'null':
      return 'NULL';
    case 'value':
      return quoteLiteral(method.value);
  }
}
