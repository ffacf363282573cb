import type { Branch } from '../types.js';
import type { NeonClient } from './client.js';
import { type NeonBranch, branchesPageSchema } from './schemas.js';
import { findByIdOrName } from '../find-by-ref.js';

/** The annotation that marks a masked branch: its number of masking rules. */
export const MASKING_ANNOTATION = 'neon-migrate/masking-rules';

/** Neon's Branch object → the tool's Branch. */
export function toBranch(b: NeonBranch): Branch {
  return {
    id: b.id,
    name: b.name,
    ...(b.parent_id ? { parentId: b.parent_id } : {}),
    ...(b.parent_lsn ? { parentLsn: b.parent_lsn } : {}),
    ...(b.parent_timestamp ? { parentTimestamp: b.parent_timestamp } : {}),
    createdAt: b.created_at,
    default: b.default,
    protected: b.protected,
    state: b.current_state,
    ...(b.expires_at ? { expiresAt: b.expires_at } : {}),
    ...(b.annotations && Object.keys(b.annotations).length ? { annotations: b.annotations } : {}),
    ...(b.init_source === 'schema-only' ? { initSource: 'schema-only' as const } : {}),
    ...(b.restricted_actions?.length ? { restrictedActions: b.restricted_actions } : {}),
    ...(b.restored_from ? { restoredFrom: b.restored_from } : {}),
    ...maskingOf(b),
  };
}

/** A masked branch is recognized by the annotation set when it was created (Neon's Branch object has no field for it). */
function maskingOf(b: NeonBranch): Pick<Branch, 'masking'> {
  const rules = Number(b.annotations?.[MASKING_ANNOTATION]);
  return Number.isInteger(rules) && rules > 0 ? { masking: { rules } } : {};
}

/** Every branch of the project, following cursor pagination. */
export async function listNeonBranches(client: NeonClient): Promise<NeonBranch[]> {
  const all: NeonBranch[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < 100; page++) {
    const result = await client.call('listing branches', branchesPageSchema, (api) =>
      api.listProjectBranches({
        projectId: client.projectId,
        limit: 10_000,
        sort_by: 'created_at',
        sort_order: 'asc',
        ...(cursor ? { cursor } : {}),
      }),
    );
    // the listing carries each branch's annotation in a map by branch id
    all.push(
      ...result.branches.map((b) => ({ ...b, annotations: result.annotations?.[b.id]?.value ?? b.annotations })),
    );
    const next = result.pagination?.next;
    if (!next || result.branches.length === 0 || next === cursor) break;
    cursor = next;
  }
  return all;
}

/** Find a branch by id (exact) or name; BranchNotFoundError lists the names that exist. */
export async function resolveNeonBranch(client: NeonClient, ref: string): Promise<NeonBranch> {
  return findByIdOrName(await listNeonBranches(client), ref);
}

/** The branch with this exact name, if any (used to reconcile after a lost response). */
export async function findNeonBranchByName(client: NeonClient, name: string): Promise<NeonBranch | undefined> {
  return (await listNeonBranches(client)).find((b) => b.name === name);
}
