/**
 * Neon's branch expiry rules (`expires_at`, docs: "Branch expiration"), shared by the local engine
 * (which enforces them like Neon) and the Neon client (which checks before sending):
 * RFC 3339 with a zone, stored to the second, in the future, at most 30 days ahead; never on the
 * default branch, a protected branch, or a branch with children; no children of an expiring branch.
 */
import { UsageError } from '../errors.js';
import type { Branch } from './types.js';

/** The furthest ahead an expiry may be (30 days). */
export const MAX_EXPIRY_MS = 30 * 86_400_000;

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i;

/** Validate an `expires_at` value against `nowMs`; returns it normalized to UTC seconds (`...T18:02:16Z`). */
export function checkExpiresAt(value: string, nowMs: number): string {
  const ms = Date.parse(value);
  if (!RFC3339.test(value) || Number.isNaN(ms))
    throw new UsageError(`expires_at "${value}" is not an RFC 3339 timestamp with a time zone`, {
      hint: 'use e.g. 2026-07-15T18:02:16Z',
      code: 'INVALID_EXPIRY',
    });
  if (ms <= nowMs)
    throw new UsageError(`expires_at ${value} is not in the future`, {
      hint: 'give a time after now',
      code: 'INVALID_EXPIRY',
    });
  if (ms - nowMs > MAX_EXPIRY_MS)
    throw new UsageError(`expires_at ${value} is more than 30 days ahead`, {
      hint: 'Neon allows an expiry at most 30 days from now',
      code: 'INVALID_EXPIRY',
    });
  return expiryStamp(ms);
}

/** An epoch-milliseconds time as Neon stores expiries: RFC 3339, UTC, whole seconds. */
export function expiryStamp(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Refuse an expiry on a branch Neon never lets expire (default, protected, or with children). */
export function checkMayExpire(branch: Pick<Branch, 'name' | 'default' | 'protected'>, hasChildren: boolean): void {
  const why = branch.default
    ? 'it is the default branch'
    : branch.protected
      ? 'it is protected'
      : hasChildren
        ? 'it has child branches'
        : undefined;
  if (why)
    throw new UsageError(`branch "${branch.name}" cannot get an expiry: ${why}`, {
      hint: 'Neon allows expires_at only on non-default, unprotected branches without children',
      code: 'EXPIRY_NOT_ALLOWED',
    });
}

/** Refuse a child of an expiring branch (Neon: "cannot create children from expiring branches"). */
export function checkMayHaveChildren(parent: Pick<Branch, 'name' | 'expiresAt'>): void {
  if (parent.expiresAt)
    throw new UsageError(`branch "${parent.name}" expires at ${parent.expiresAt} and cannot have child branches`, {
      hint: `remove its expiry first (neon-migrate branches expire ${parent.name} --never), or branch from its parent`,
      code: 'EXPIRY_NOT_ALLOWED',
    });
}
