/**
 * Checks on user input that must run before any network or platform call (a malformed timestamp
 * used to be noticed only after an API round trip, and `../x y` became a branch name).
 *
 * Branch names: Neon's API takes 1-256 characters (its OpenAPI spec: minLength 1, maxLength 256)
 * and its own generated names use letters, digits, `_ - . / :` (e.g. `main_old_2026-11-20T10:15:00Z`,
 * and this tool's `checkpoint/main/20261120T101500Z`). neon-migrate keeps to that alphabet (plus
 * `@ +`, and letters and digits of any script), so every name is safe in a shell, a URL path and a
 * report file name: no whitespace, control or quoting characters, no `.`/`..` path segments, no
 * leading `-` (it would read as a flag) or `/`, no trailing `/`.
 */
import { LSN_PATTERN, parseRfc3339 } from './time-text.js';
import { UsageError } from '../errors.js';

const BRANCH_CHARS = /^[\p{L}\p{N}_.:@+/-]+$/u;

/** Why a name cannot be a branch name, or undefined when it can. */
export function branchNameProblem(name: string): string | undefined {
  if (!name) return 'is empty';
  if ([...name].length > 256) return `is ${[...name].length} characters long (at most 256)`;
  if (!BRANCH_CHARS.test(name)) {
    const bad = [...name].find((c) => !BRANCH_CHARS.test(c))!;
    const shown = bad.replace(/[\u0000-\u001f\u007f]/, (c) => `\\x${c.charCodeAt(0).toString(16)}`);
    return `contains ${/\s/.test(bad) ? 'whitespace' : `"${shown}"`}`;
  }
  if (name.startsWith('-')) return 'starts with "-" (it would read as an option)';
  if (name.startsWith('/') || name.endsWith('/')) return 'starts or ends with "/"';
  const badSegment = name.split('/').some((seg) => seg === '.' || seg === '..' || seg === '');
  if (badSegment) return 'has an empty, "." or ".." path segment';
  return undefined;
}

/** Throw a UsageError (exit 2) when `name` cannot be a new branch's name. */
export function checkBranchName(name: string, what = 'branch name'): void {
  const problem = branchNameProblem(name);
  if (!problem) return;
  throw new UsageError(`invalid ${what} "${name.length > 80 ? `${name.slice(0, 77)}...` : name}": ${problem}`, {
    hint: 'use 1-256 letters, digits and _ - . / : @ + (e.g. feature/add-tags)',
    code: 'INVALID_BRANCH_NAME',
  });
}

/** Throw a UsageError unless `value` is an RFC 3339 timestamp with a zone (e.g. 2026-11-20T10:15:00Z). */
export function checkTimestamp(value: string, flag = '--timestamp'): void {
  if (!parseRfc3339(value)) {
    const hint = 'use e.g. 2026-11-20T10:15:00Z (UTC) or 2026-11-20T11:15:00+01:00';
    throw new UsageError(`${flag} "${value}" is not an RFC 3339 timestamp`, { hint, code: 'BAD_TIMESTAMP' });
  }
}

/** Throw a UsageError unless `value` is a PostgreSQL LSN (`X/X`, hex). */
export function checkLsn(value: string, flag = '--lsn'): void {
  if (!LSN_PATTERN.test(value)) {
    const hint = 'use the form 0/16B3748 (two hex numbers), e.g. from pg_current_wal_lsn()';
    throw new UsageError(`${flag} "${value}" is not an LSN`, { hint, code: 'BAD_LSN' });
  }
}
