/**
 * Masked branches on the local engine (Neon's `branch_anonymized`): the branch is adopted from its
 * parent like any other, started, and masked with plain SQL in every database its rules name before
 * anything else connects (src/masking/apply.ts). A fresh base backup is then taken, so branches
 * made from it start from masked files, and its creation time is set after the masking, so no point
 * in its history before the masking can be reached.
 */
import { rmSync } from 'node:fs';
import { PlatformError } from '../../errors.js';
import { applyMasking } from '../../masking/apply.js';
import type { MaskingRule } from '../../masking/rules.js';
import { assertMaskable, type CatalogQuery } from '../../masking/targets.js';
import { takeBaseBackup } from './backup.js';
import { adminClient } from './cluster.js';
import { ensureRunning, stopCompute } from './computes.js';
import { type EngineContext, handleFor } from './engine-context.js';
import type { BranchRecord, EngineState } from './state.js';

/** A masked branch's anonymization record (persisted with the branch). */
export interface MaskingRecord {
  rules: MaskingRule[];
  /** Neon's anonymized states; the engine masks synchronously, so a saved record is `anonymized`. */
  state: 'anonymized';
  createdAt: string;
  updatedAt: string;
  maskedColumns: number;
}

function byDatabase(rules: MaskingRule[]): Map<string, MaskingRule[]> {
  const out = new Map<string, MaskingRule[]>();
  for (const r of rules) out.set(r.database, [...(out.get(r.database) ?? []), r]);
  return out;
}

/** Mask one database of the branch: check every rule against its catalog first (nothing written on a problem). */
async function maskDatabase(handle: ReturnType<typeof handleFor>, database: string, rules: MaskingRule[]) {
  const client = await adminClient(handle, database);
  try {
    const query: CatalogQuery = async <R>(sql: string, params: unknown[]) =>
      (await client.query(sql, params)).rows as R[];
    await assertMaskable(query, rules);
    const masked = await applyMasking((sql) => client.query(sql), rules).catch((err: unknown) => {
      // e.g. a mask longer than a varchar(n), or a CHECK constraint the mask breaks
      throw new PlatformError(`masking database ${database} failed: ${(err as Error).message}`, {
        hint: 'nothing was created; change the rule for that column (a constant value fits any type)',
        code: 'MASKING_FAILED',
        cause: err,
      });
    });
    await client.query('CHECKPOINT');
    return masked;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Mask a just-adopted record (already in `state`); on any failure the branch is removed and the error thrown. */
export async function makeMasked(
  ctx: EngineContext,
  state: EngineState,
  record: BranchRecord,
  rules: MaskingRule[],
): Promise<void> {
  const createdAt = new Date().toISOString();
  let maskedColumns = 0;
  try {
    await ensureRunning(ctx, state, record);
    const handle = handleFor(ctx, state, record);
    for (const [database, list] of byDatabase(rules)) maskedColumns += await maskDatabase(handle, database, list);
    await takeBaseBackup(handle);
  } catch (err) {
    await stopCompute(ctx, state, record).catch(() => undefined);
    rmSync(handleFor(ctx, state, record).paths.root, { recursive: true, force: true });
    state.branches = state.branches.filter((b) => b.id !== record.id);
    throw err;
  }
  const done = new Date().toISOString();
  record.createdAt = done;
  record.masking = { rules, state: 'anonymized', createdAt, updatedAt: done, maskedColumns };
}
