/**
 * Migration names and versions: `V_description`. V is the leading digits and separators up to the
 * first `_`; the description is any text (spaces, dots, capitals, unicode), as diesel, dbmate,
 * golang-migrate and sqlx accept.
 */
import { UsageError } from '../errors.js';

/** `<version>_<description>`; the version is digits with `-`, `.` or `T` between groups. */
const NAME = /^(\d+(?:[-.T]\d+)*)_(.*\S.*)$/su;

/** Normalise a version: digits only, leading zeros dropped (`2026-11-20` = `20261120`). */
export function normaliseVersion(raw: string): string {
  const digits = raw.replace(/\D/g, '');
  return digits.replace(/^0+(?=\d)/, '');
}

/** Split a base name into its version and description, or undefined when it is not a migration name. */
export function parseMigrationName(base: string): { version: string; description: string } | undefined {
  const m = NAME.exec(base);
  if (!m || base.includes('/') || base.includes('\\')) return undefined;
  return { version: normaliseVersion(m[1]!), description: m[2]! };
}

/** How versions are ordered: by the digit string (diesel, dbmate) or by value (golang-migrate, sqlx). */
export type VersionOrdering = 'timestamp' | 'numeric';
/** The `ordering` setting: one of the orderings, or `auto` (timestamp when every version is a date). */
export type OrderingSetting = VersionOrdering | 'auto';

/**
 * Compare normalised versions. `numeric` compares values (shorter = smaller); `timestamp` compares
 * the digit strings, so `20260120162913` comes after `202512291102420000` as the dates do.
 */
export function compareVersions(a: string, b: string, ordering: VersionOrdering = 'numeric'): number {
  if (ordering === 'numeric' && a.length !== b.length) return a.length - b.length;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** True when a normalised version starts with a plausible date and time: YYYYMMDD[hh[mm[ss...]]]. */
export function looksLikeTimestamp(version: string): boolean {
  const m = /^(19|20)\d\d(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])(\d*)$/.exec(version);
  if (!m) return false;
  const time = m[4]!;
  return !(time.length >= 2 && Number(time.slice(0, 2)) > 23) && !(time.length >= 4 && Number(time.slice(2, 4)) > 59);
}

/** The ordering a setting resolves to for these versions: `auto` is timestamp when every version is a date. */
export function resolveOrdering(setting: OrderingSetting, versions: string[]): VersionOrdering {
  if (setting !== 'auto') return setting;
  return versions.length > 0 && versions.every(looksLikeTimestamp) ? 'timestamp' : 'numeric';
}

/** The version styles present (for warnings): `timestamp (14 digits)`, `sequence number`, ... */
export function versionStyles(versions: string[]): string[] {
  const styles = new Set<string>();
  for (const v of versions) styles.add(looksLikeTimestamp(v) ? `timestamp (${v.length} digits)` : 'sequence number');
  return [...styles].sort();
}

/**
 * Two date versions that `numeric` would put against their date order (a 14-digit
 * `2026-01-20-162913` before an 18-digit `2025-12-29-110242-0000`), or undefined when there is none.
 */
export function numericDateConflict(versions: string[]): [later: string, earlier: string] | undefined {
  const dates = versions.filter(looksLikeTimestamp).sort((a, b) => compareVersions(a, b, 'timestamp'));
  let max = dates[0];
  for (const v of dates.slice(1)) {
    // In date order each version must also be numerically larger than every one before it.
    if (max !== undefined && compareVersions(v, max) < 0) return [max, v];
    if (max === undefined || compareVersions(v, max) > 0) max = v;
  }
  return undefined;
}

/** Validate a user-given version (`--to`) and normalise it. */
export function versionArgument(raw: string, flag = '--to'): string {
  if (!/^\d[\d\-.T_]*$/.test(raw.trim()) && !parseMigrationName(raw.trim())) {
    throw new UsageError(`${flag} "${raw}" is not a migration version`, {
      hint: 'give the leading digits of a migration name, e.g. 20261120T101500',
      code: 'BAD_VERSION',
    });
  }
  return normaliseVersion(parseMigrationName(raw.trim())?.version ?? raw);
}

/** A UTC timestamp version for a new migration: YYYYMMDDTHHMMSS. */
export function timestampVersion(now = new Date()): string {
  return now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, '');
}

/** Turn free text into a migration description (`Add subtasks!` → `add_subtasks`). */
export function slugify(name: string): string {
  const slug = name
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
  if (!slug)
    throw new UsageError(`"${name}" is not a usable migration name`, {
      hint: 'use letters and digits, e.g. add_subtasks',
      code: 'BAD_NAME',
    });
  return slug;
}

/** What `status` shows about ordering: the order used, why, and whether the history mixes version styles. */
export interface OrderingInfo {
  setting: OrderingSetting;
  used: VersionOrdering;
  styles: string[];
  /** Set when the history mixes version styles (e.g. 14- and 18-digit timestamps). */
  warning?: string;
}

/** Describe how a set of versions is ordered under a setting. */
export function describeOrdering(setting: OrderingSetting, versions: string[]): OrderingInfo {
  const used = resolveOrdering(setting, versions);
  const styles = versionStyles(versions);
  const info: OrderingInfo = { setting, used, styles };
  if (styles.length > 1) {
    info.warning =
      `the history mixes version styles (${styles.join(', ')}); they run in ${used} order` +
      (used === 'timestamp'
        ? ' (by digit string, as diesel and dbmate do)'
        : ' (by value, as golang-migrate and sqlx do)') +
      '; set "ordering" in neon-migrate.json to the order your previous tool used';
  }
  return info;
}
