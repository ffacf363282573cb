/**
 * Neon's limits on masked (anonymized) branches, enforced the same way on every platform: a masked
 * branch is never a restore source (its rows would leave the masked branch) nor a restore target
 * (the restore would bring original values back in, or replace the masked copy with unmasked data).
 */
import { MaskedBranchError } from '../errors.js';
import type { Branch } from './types.js';

/** Throw MaskedBranchError (exit 2) when the restore of `target` from `source` touches a masked branch. */
export function assertRestoreUnmasked(
  target: Pick<Branch, 'name' | 'masking'>,
  source: Pick<Branch, 'name' | 'masking'>,
): void {
  if (target.masking)
    throw new MaskedBranchError(`branch "${target.name}" is masked and cannot be a restore target`, {
      hint: 'a masked branch is refreshed by creating it again: `neon-migrate branches reset` does that',
    });
  if (source.masking)
    throw new MaskedBranchError(`branch "${source.name}" is masked and cannot be a restore source`, {
      hint: 'restore from its parent, or from another branch',
    });
}

/** A masked branch's history before its masking holds original values: branches are made from its head only. */
export function assertHeadOfMasked(parent: Pick<Branch, 'name' | 'masking'>): void {
  if (parent.masking)
    throw new MaskedBranchError(
      `branch "${parent.name}" is masked: branch from its head, not from a point in its history`,
      {
        hint: 'drop --timestamp/--lsn, or branch from its parent',
      },
    );
}
