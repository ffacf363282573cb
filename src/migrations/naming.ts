/** Migration names and versions: `V_name`, where V is digits with optional separators. */
import { UsageError } from '../errors.js';

/** `<version>_<description>`; the version is digits with `-`, `.` or `T` between groups. */
const NAME = /^(\d+(?:[-.T]?\d+)*)_([A-Za-z0-9][A-Za-z0-9_-]*)$/;

/** Normalise a version: digits only, leading zeros dropped (`2026-11-20` = `20261120`). */
export function normaliseVersion(raw: string): string {
  const digits = raw.replace(/\D/g, '');
  return digits.replace(/^0+(?=\d)/, '');
}

/** Split a base name into its version and description, or undefined when it is not a migration name. */
export function parseMigrationName(base: string): { version: string; description: string } | undefined {
  const m = NAME.exec(base);
  if (!m) return undefined;
  return { version: normaliseVersion(m[1]!), description: m[2]! };
}

/** Compare normalised versions numerically. */
export function compareVersions(a: string, b: string): number {
  return a.length !== b.length ? a.length - b.length : a < b ? -1 : a > b ? 1 : 0;
}

/** Validate a user-given version (`--to`) and normalise it. */
export function versionArgument(raw: string, flag = '--to'): string {
  if (!/^\d[\d\-.T_]*$/.test(raw.trim()) && !parseMigrationName(raw.trim())) {
    throw new UsageError(`${flag} "${raw}" is not a migration version`, 'give the leading digits of a migration name, e.g. 20261120T101500', 'BAD_VERSION');
  }
  return normaliseVersion(parseMigrationName(raw.trim())?.version ?? raw);
}

/** A UTC timestamp version for a new migration: YYYYMMDDTHHMMSS. */
export function timestampVersion(now = new Date()): string {
  return now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, '');
}

/** Turn free text into a migration description (`Add subtasks!` → `add_subtasks`). */
export function slugify(name: string): string {
  const slug = name
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
  if (!slug) throw new UsageError(`"${name}" is not a usable migration name`, 'use letters and digits, e.g. add_subtasks', 'BAD_NAME');
  return slug;
}
