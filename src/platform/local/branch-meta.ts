/** Expiry, annotations and protection of local branches, under Neon's rules (platform/expiry.ts). */
import { UsageError } from '../../errors.js';
import { checkExpiresAt, checkMayExpire, checkMayHaveChildren } from '../expiry.js';
import type { Branch, CreateBranchOptions, UpdateBranchOptions } from '../types.js';
import type { BranchRecord } from './state.js';

type BranchMeta = Pick<BranchRecord, 'expiresAt' | 'ttlIntervalSeconds' | 'annotations' | 'initSource'>;

/** Neon's limit on annotation values per object. */
const MAX_ANNOTATIONS = 50;

/** Check annotations as Neon's AnnotationValueData does: at most 50 string values. */
export function checkAnnotations(annotations: Record<string, unknown>): Record<string, string> {
  const entries = Object.entries(annotations);
  if (entries.length > MAX_ANNOTATIONS)
    throw new UsageError(`a branch takes at most ${MAX_ANNOTATIONS} annotations (got ${entries.length})`, {
      code: 'USAGE',
    });
  const bad = entries.find(([, v]) => typeof v !== 'string');
  if (bad) throw new UsageError(`annotation "${bad[0]}" must be a string`, { hint: 'quote the value', code: 'USAGE' });
  return Object.fromEntries(entries) as Record<string, string>;
}

/** The expiry fields of a branch whose expiry is set now. */
function expiryFields(expiresAt: string, now: number): Pick<BranchRecord, 'expiresAt' | 'ttlIntervalSeconds'> {
  const at = checkExpiresAt(expiresAt, now);
  return { expiresAt: at, ttlIntervalSeconds: Math.round((Date.parse(at) - now) / 1000) };
}

/** Validate a create's expiry and annotations against its parent; the record fields to store. */
export function newBranchMeta(parent: Branch, options: CreateBranchOptions, now = Date.now()): BranchMeta {
  const schemaOnly = options.initSource === 'schema-only';
  // a schema-only branch is a new root: its source does not become a parent
  if (!schemaOnly) checkMayHaveChildren(parent);
  return {
    ...(options.expiresAt ? expiryFields(options.expiresAt, now) : {}),
    ...(options.annotations ? { annotations: checkAnnotations(options.annotations) } : {}),
    ...(schemaOnly ? { initSource: 'schema-only' as const } : {}),
  };
}

/** Apply `updateBranch` options to a record, refusing (and changing nothing) what Neon refuses. */
export function applyBranchUpdate(
  b: BranchRecord,
  options: UpdateBranchOptions,
  hasChildren: boolean,
  now = Date.now(),
): void {
  const protect = options.protected ?? b.protected;
  let expiry: Pick<BranchRecord, 'expiresAt' | 'ttlIntervalSeconds'> = {
    expiresAt: b.expiresAt,
    ttlIntervalSeconds: b.ttlIntervalSeconds,
  };
  if (options.expiresAt === null) expiry = {};
  else if (options.expiresAt !== undefined) {
    checkMayExpire({ name: b.name, default: b.default, protected: protect }, hasChildren);
    expiry = expiryFields(options.expiresAt, now);
  }
  if (protect && expiry.expiresAt)
    throw new UsageError(`branch "${b.name}" expires at ${expiry.expiresAt} and cannot be protected`, {
      hint: 'remove its expiry first',
      code: 'EXPIRY_NOT_ALLOWED',
    });
  b.protected = protect;
  delete b.expiresAt;
  delete b.ttlIntervalSeconds;
  if (expiry.expiresAt) Object.assign(b, expiry);
}

/** Neon reapplies a branch's TTL interval when it is reset from its parent: the new expiry. */
export function renewedExpiry(b: BranchRecord, now = Date.now()): void {
  if (b.expiresAt && b.ttlIntervalSeconds)
    b.expiresAt = new Date(Math.floor(now / 1000) * 1000 + b.ttlIntervalSeconds * 1000)
      .toISOString()
      .replace(/\.\d{3}Z$/, 'Z');
}
