/** Neon's snapshot endpoints served by `local serve` (create, list, delete, restore into a new branch). */
import type { Branch, Platform, Snapshot } from '../../types.js';
import { HttpError } from './http.js';
import type { Route, RouteHelpers } from './routes.js';

const ID = '([a-z0-9-]{1,60})';

/** Neon's Snapshot object. */
export function neonSnapshot(s: Snapshot): Record<string, unknown> {
  return {
    id: s.id,
    name: s.name,
    source_branch_id: s.sourceBranchId,
    ...(s.lsn ? { lsn: s.lsn } : {}),
    created_at: s.createdAt,
    ...(s.expiresAt ? { expires_at: s.expiresAt } : {}),
    manual: true,
  };
}

/** The platform's snapshot methods, or a 404 naming what is missing. */
function snapshots(
  platform: Platform,
): Required<Pick<Platform, 'createSnapshot' | 'listSnapshots' | 'deleteSnapshot' | 'branchFromSnapshot'>> {
  const { createSnapshot, listSnapshots, deleteSnapshot, branchFromSnapshot } = platform;
  if (!createSnapshot || !listSnapshots || !deleteSnapshot || !branchFromSnapshot)
    throw new HttpError(404, 'this platform has no snapshots');
  return {
    createSnapshot: createSnapshot.bind(platform),
    listSnapshots: listSnapshots.bind(platform),
    deleteSnapshot: deleteSnapshot.bind(platform),
    branchFromSnapshot: branchFromSnapshot.bind(platform),
  };
}

/** The snapshot routes of one project. */
export function snapshotRoutes(platform: Platform, h: RouteHelpers): Route[] {
  return [
    [
      'POST',
      new RegExp(`^/projects/${ID}/branches/${ID}/snapshot$`),
      async ([, id], req) => {
        const branch: Branch = await h.branchById(id!);
        if (req.query.get('lsn') || req.query.get('timestamp'))
          throw new HttpError(400, 'local serve takes snapshots of a branch head only (no lsn or timestamp)');
        const expiresAt = req.query.get('expires_at') ?? undefined;
        h.refuseIfBusy([branch.id]);
        const snap = await snapshots(platform).createSnapshot(branch.id, {
          name: req.query.get('name') || `${branch.name}-${Date.now().toString(36)}`,
          ...(expiresAt ? { expiresAt } : {}),
        });
        return {
          status: 200,
          body: { snapshot: neonSnapshot(snap), operations: [h.finished('create_timeline', branch.id)] },
        };
      },
    ],
    [
      'GET',
      new RegExp(`^/projects/${ID}/snapshots$`),
      async () => ({ status: 200, body: { snapshots: (await snapshots(platform).listSnapshots()).map(neonSnapshot) } }),
    ],
    [
      'DELETE',
      new RegExp(`^/projects/${ID}/snapshots/${ID}$`),
      async ([, id]) => {
        const s = snapshots(platform);
        const snap = (await s.listSnapshots()).find((x) => x.id === id);
        if (!snap) throw new HttpError(404, `snapshot ${id} not found`);
        await s.deleteSnapshot(snap.id);
        return { status: 202, body: { operations: [h.finished('delete_timeline', snap.sourceBranchId)] } };
      },
    ],
    [
      'POST',
      new RegExp(`^/projects/${ID}/snapshots/${ID}/restore$`),
      async ([, id], req) => {
        const body = h.object(req.body);
        if (body.finalize_restore === true)
          throw new HttpError(
            400,
            'finalize_restore is not supported by local serve: restore with false, then restore the branch from the new one',
          );
        if (body.target_branch_id !== undefined) await h.branchById(String(body.target_branch_id));
        const s = snapshots(platform);
        const snap = (await s.listSnapshots()).find((x) => x.id === id);
        if (!snap) throw new HttpError(404, `snapshot ${id} not found`);
        const name = typeof body.name === 'string' && body.name ? body.name : `${snap.name}-restored`;
        const branch = await s.branchFromSnapshot(snap.id, { name });
        return {
          status: 200,
          body: { branch: h.branchJson(branch), operations: [h.finished('create_branch', branch.id)] },
        };
      },
    ],
  ];
}
