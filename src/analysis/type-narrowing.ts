/**
 * Does changing a column from one type to another lose or refuse data? Decided on the types as
 * `format_type()` prints them (the current type, read on the branch) and as the parser gives the
 * target type. The rule, documented in the report: a change is safe only when every value of the
 * old type has an exact representation in the new one (integer widening, numeric with at least
 * the same integer digits and scale, string length growing or unbounded, real → double, any type →
 * text). Everything else (narrowing, precision or scale down, time-zone reinterpretation, json →
 * jsonb normalization, and any pair without a known lossless path) needs approval.
 */
import type { Node } from './statements.js';

/** A type as base name (format_type spelling), modifiers and whether it is an array. */
export interface ColumnType {
  base: string;
  mods: number[];
  array: boolean;
}

/** Parser names → format_type spellings. */
const CANONICAL: Record<string, string> = {
  int2: 'smallint',
  int4: 'integer',
  int: 'integer',
  int8: 'bigint',
  float4: 'real',
  float8: 'double precision',
  varchar: 'character varying',
  bpchar: 'character',
  char: 'character',
  bool: 'boolean',
  timestamptz: 'timestamp with time zone',
  timestamp: 'timestamp without time zone',
  timetz: 'time with time zone',
  time: 'time without time zone',
  decimal: 'numeric',
};

/** The target type of an ALTER COLUMN TYPE from its parse node (`TypeName`). */
export function typeFromTypeName(typeName: Node): ColumnType {
  const names = ((typeName.names as Node[]) ?? []).map((n) => String((n.String as Node | undefined)?.sval ?? ''));
  const last = names[names.length - 1] ?? '';
  const mods = ((typeName.typmods as Node[]) ?? []).map((m) => {
    const ival = (m.A_Const as Node | undefined)?.ival as Node | undefined;
    return Number(ival?.ival ?? 0);
  });
  return { base: CANONICAL[last] ?? last, mods, array: Array.isArray(typeName.arrayBounds) };
}

/** Parse format_type() output: `character varying(20)`, `numeric(10,2)`, `timestamp(3) with time zone`, `integer[]`. */
export function typeFromFormatType(text: string): ColumnType {
  let t = text.trim();
  const array = t.endsWith('[]');
  if (array) t = t.replace(/(\[\])+$/, '');
  const m = /^(.*?)\(([\d,\s]+)\)(.*)$/.exec(t);
  if (!m) return { base: t, mods: [], array };
  const base = `${m[1]!.trim()}${m[3] ?? ''}`.replace(/\s+/g, ' ').trim();
  return { base, mods: m[2]!.split(',').map((x) => Number(x.trim())), array };
}

/** How to print a type in a message. */
export function formatColumnType(t: ColumnType): string {
  return `${t.base}${t.mods.length ? `(${t.mods.join(',')})` : ''}${t.array ? '[]' : ''}`;
}

const INT_BYTES: Record<string, number> = { smallint: 2, integer: 4, bigint: 8 };
/** Decimal digits an integer type can need. */
const INT_DIGITS: Record<string, number> = { smallint: 5, integer: 10, bigint: 19 };
/** Integers exactly representable in a float's mantissa. */
const FLOAT_EXACT_DIGITS: Record<string, number> = { real: 6, 'double precision': 15 };
const STRINGS = new Set(['text', 'character varying', 'character']);
const TIMES = new Set([
  'timestamp with time zone',
  'timestamp without time zone',
  'time with time zone',
  'time without time zone',
]);

/** Length limit of a string type, Infinity when unbounded (text, varchar without length). */
function stringLimit(t: ColumnType): number {
  if (t.base === 'text') return Infinity;
  if (t.base === 'character') return t.mods[0] ?? 1;
  return t.mods[0] ?? Infinity;
}

/** Why changing `from` → `to` can lose or refuse data, or undefined when every value survives. */
export function typeChangeLoss(from: ColumnType, to: ColumnType): string | undefined {
  const a = formatColumnType(from);
  const b = formatColumnType(to);
  if (a === b) return undefined;
  if (from.array !== to.array) return `${a} → ${b} changes between array and scalar`;
  if (to.base === 'text' || (to.base === 'character varying' && to.mods.length === 0)) return undefined;
  if (STRINGS.has(from.base) && STRINGS.has(to.base)) {
    const lost = stringLimit(to) < stringLimit(from);
    return lost ? `${a} → ${b}: longer values are refused or cut` : undefined;
  }
  if (from.base in INT_BYTES && to.base in INT_BYTES) {
    return INT_BYTES[to.base]! < INT_BYTES[from.base]! ? `${a} → ${b}: larger values overflow` : undefined;
  }
  if (from.base in INT_BYTES && to.base === 'numeric') {
    if (to.mods.length === 0) return undefined;
    const intDigits = (to.mods[0] ?? 0) - (to.mods[1] ?? 0);
    return intDigits < INT_DIGITS[from.base]! ? `${a} → ${b}: values over ${intDigits} digits overflow` : undefined;
  }
  if (from.base in INT_BYTES && to.base in FLOAT_EXACT_DIGITS) {
    const exact = INT_DIGITS[from.base]! <= FLOAT_EXACT_DIGITS[to.base]!;
    return exact ? undefined : `${a} → ${b}: large values lose precision`;
  }
  if (from.base === 'numeric' && to.base === 'numeric') {
    if (to.mods.length === 0) return undefined;
    if (from.mods.length === 0) return `${a} → ${b}: unbounded numeric is rounded or overflows`;
    const [fp = 0, fs = 0] = from.mods;
    const [tp = 0, ts = 0] = to.mods;
    if (ts < fs) return `${a} → ${b}: scale ${fs} → ${ts} rounds values`;
    return tp - ts < fp - fs ? `${a} → ${b}: fewer integer digits, large values overflow` : undefined;
  }
  if (from.base === 'real' && to.base === 'double precision') return undefined;
  if (TIMES.has(from.base) && TIMES.has(to.base)) {
    if (from.base === to.base) {
      const fp = from.mods[0] ?? 6;
      const tp = to.mods[0] ?? 6;
      return tp < fp ? `${a} → ${b}: fractional seconds are rounded` : undefined;
    }
    return `${a} → ${b}: values are reinterpreted in the session time zone or lose their date/zone part`;
  }
  if (from.base === 'json' && to.base === 'jsonb')
    return `${a} → ${b}: key order, duplicate keys and whitespace are dropped`;
  if (from.base === 'jsonb' && to.base === 'json') return undefined;
  if (from.base === to.base && to.mods.length === 0) return undefined;
  return `${a} → ${b}: no lossless conversion; values are converted by a cast that can fail or change them`;
}
