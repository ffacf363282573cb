/** Neon snapshots for NeonPlatform (Beta endpoints): create, list, delete, restore into a new branch. */
import { z } from 'zod';
import { checkExpiresAt } from '../expiry.js';
import type { Branch, CreateBranchOptions, CreateSnapshotOptions, Snapshot } from '../types.js';
import { resolveNeonBranch, toBranch } from './branch-api.js';
import type { NeonClient } from './client.js';
import { type OperationWaitPolicy, waitForOperations } from './operations.js';
import { branchOperationsSchema, neonOperationSchema } from './schemas.js';
import { findByIdOrName } from '../find-by-ref.js';

const neonSnapshotSchema = z.object({
  id: z.string(),
  name: z.string(),
  source_branch_id: z.string().optional(),
  lsn: z.string().optional(),
  created_at: z.string(),
  expires_at: z.string().optional(),
});
const operations = z.array(neonOperationSchema);

function toSnapshot(s: z.infer<typeof neonSnapshotSchema>): Snapshot {
  return {
    id: s.id,
    name: s.name,
    sourceBranchId: s.source_branch_id ?? '',
    ...(s.lsn ? { lsn: s.lsn } : {}),
    createdAt: s.created_at,
    ...(s.expires_at ? { expiresAt: s.expires_at } : {}),
  };
}

/** Snapshot a branch's head and wait for its operations. */
export async function createNeonSnapshot(
  client: NeonClient,
  wait: OperationWaitPolicy,
  branch: string,
  options: CreateSnapshotOptions,
): Promise<Snapshot> {
  const b = await resolveNeonBranch(client, branch);
  const expiresAt = options.expiresAt ? checkExpiresAt(options.expiresAt, client.clock.now()) : undefined;
  const doing = `taking snapshot "${options.name}" of "${b.name}"`;
  const answer = await client.call(doing, z.object({ snapshot: neonSnapshotSchema, operations }), (api) =>
    api.createSnapshot({
      projectId: client.projectId,
      branchId: b.id,
      name: options.name,
      ...(expiresAt ? { expires_at: expiresAt } : {}),
    }),
  );
  await waitForOperations(client, answer.operations, wait, doing);
  return toSnapshot(answer.snapshot);
}

/** Every snapshot of the project. */
export async function listNeonSnapshots(client: NeonClient): Promise<Snapshot[]> {
  const answer = await client.call('listing snapshots', z.object({ snapshots: z.array(neonSnapshotSchema) }), (api) =>
    api.listSnapshots(client.projectId),
  );
  return answer.snapshots.map(toSnapshot);
}

async function resolveSnapshot(client: NeonClient, ref: string): Promise<Snapshot> {
  return findByIdOrName(await listNeonSnapshots(client), ref);
}

/** Delete a snapshot (by id or name) and wait for its operations. */
export async function deleteNeonSnapshot(client: NeonClient, wait: OperationWaitPolicy, ref: string): Promise<void> {
  const snap = await resolveSnapshot(client, ref);
  const doing = `deleting snapshot "${snap.name}"`;
  const answer = await client.call(doing, z.object({ operations }), (api) =>
    api.deleteSnapshot(client.projectId, snap.id),
  );
  await waitForOperations(client, answer.operations, wait, doing);
}

/** Restore a snapshot into a new branch, not finalized (a preview), and wait for it. */
export async function neonBranchFromSnapshot(
  client: NeonClient,
  wait: OperationWaitPolicy,
  ref: string,
  options: Pick<CreateBranchOptions, 'name' | 'expiresAt' | 'annotations'>,
): Promise<Branch> {
  const snap = await resolveSnapshot(client, ref);
  const doing = `restoring snapshot "${snap.name}" into branch "${options.name}"`;
  const answer = await client.call(doing, branchOperationsSchema, (api) =>
    api.restoreSnapshot(
      { projectId: client.projectId, snapshotId: snap.id },
      { name: options.name, finalize_restore: false },
    ),
  );
  await waitForOperations(client, answer.operations, wait, doing);
  return toBranch(await resolveNeonBranch(client, answer.branch.id));
}
