/** The Neon API v2 subset served by `local serve` (what NeonPlatform and neonctl's branch commands call). */
import type { Branch, CreateBranchOptions, Platform, PointInTime } from '../../types.js';
import type { Answer, Handler, Request } from './http.js';
import { HttpError } from './http.js';
import type { OperationRecord, OperationStore, StartedOperation } from './operations.js';
import type { MaskingRule } from '../../../masking/rules.js';
import { maskingRoutes } from './masking-routes.js';
import { snapshotRoutes } from './snapshot-routes.js';
import {
  endpointIdOf,
  neonAnnotation,
  neonAnnotationsMap,
  neonBranch,
  neonEndpoint,
  neonProject,
  neonRoleAndDatabase,
  parseComputeUri,
} from './shapes.js';

/** Engine facts beyond the Platform interface that make answers more faithful (all optional). */
export interface LocalServeExtras {
  /** Whether the branch's compute runs now, for Endpoint.current_state (without starting it). */
  computeState?(branchId: string): Promise<'active' | 'idle'>;
}

export interface RouteContext {
  platform: Platform;
  projectId: string;
  store: OperationStore;
  extras?: LocalServeExtras;
  /** How long a mutation's work may run before we answer with the operation still running. */
  acceptWindowMs: number;
}

/** One served endpoint: method, path pattern (project id first), handler. */
export type Route = [method: string, pattern: RegExp, run: (params: string[], request: Request) => Promise<Answer>];

/** What routes in other files use from the project's route context. */
export interface RouteHelpers {
  branchById(id: string): Promise<Branch>;
  branchJson(b: Branch): Record<string, unknown>;
  refuseIfBusy(ids: string[]): void;
  createBranch(body: Record<string, unknown>, annotations: unknown, masking?: MaskingRule[]): Promise<Answer>;
  finished(action: string, branchId: string): OperationRecord;
  object(value: unknown): Record<string, unknown>;
}

const ID = '([a-z0-9-]{1,60})';

/** Wait up to `ms` for the operation: an early failure becomes the HTTP answer, as Neon validates up front. */
async function acceptWithin(op: StartedOperation, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const window = new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)));
  try {
    await Promise.race([op.done, window]);
  } finally {
    clearTimeout(timer);
  }
}

function pointInTime(lsn: unknown, timestamp: unknown, what: string): PointInTime | undefined {
  if (lsn !== undefined && timestamp !== undefined)
    throw new HttpError(400, `${what}: give either an LSN or a timestamp, not both`);
  if (typeof lsn === 'string' && lsn) return { lsn };
  if (typeof timestamp === 'string' && timestamp) return { timestamp };
  return undefined;
}

/** The create options beyond name/parent/point: expires_at, init_source, annotation_value (checked types). */
function createExtras(spec: Record<string, unknown>, annotations: unknown): Partial<CreateBranchOptions> {
  if (spec.expires_at !== undefined && typeof spec.expires_at !== 'string')
    throw new HttpError(400, 'expires_at must be an RFC 3339 timestamp');
  const init = spec.init_source;
  if (init !== undefined && init !== 'parent-data' && init !== 'schema-only')
    throw new HttpError(400, `init_source must be "schema-only" or "parent-data", not ${JSON.stringify(init)}`);
  if (annotations !== undefined && (typeof annotations !== 'object' || annotations === null))
    throw new HttpError(400, 'annotation_value must be an object of string values');
  return {
    ...(typeof spec.expires_at === 'string' ? { expiresAt: spec.expires_at } : {}),
    ...(init === 'schema-only' ? { initSource: 'schema-only' as const } : {}),
    ...(annotations ? { annotations: annotations as Record<string, string> } : {}),
  };
}

function object(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

/** Build the request handler for one project. */
export function createRoutes(ctx: RouteContext): Handler {
  const { platform, projectId, store } = ctx;
  const resets = new Map<string, string>();
  const branchJson = (b: Branch): Record<string, unknown> =>
    neonBranch(b, projectId, { lastResetAt: resets.get(b.id) });

  async function branchById(id: string): Promise<Branch> {
    const found = (await platform.listBranches()).find((b) => b.id === id);
    if (!found) throw new HttpError(404, `branch ${id} not found`, 'BRANCH_NOT_FOUND');
    return found;
  }
  function refuseIfBusy(ids: string[]): void {
    const op = store.conflicting(ids);
    if (op)
      throw new HttpError(
        423,
        `branch ${op.branch_id} has a conflicting operation in progress (${op.action} ${op.id}); retry later`,
        '',
        { 'retry-after': '1' },
      );
  }
  async function address(branchId: string, options: { database?: string; role?: string; pooled?: boolean } = {}) {
    return parseComputeUri(await platform.connectionUri(branchId, options));
  }

  /** POST /branches and /branch_anonymized: a BranchCreateRequest body, optionally masked; the 201 CreatedBranch answer. */
  async function createBranch(
    body: Record<string, unknown>,
    annotations: unknown,
    masking?: MaskingRule[],
  ): Promise<Answer> {
    const spec = object(body.branch);
    const all = await platform.listBranches();
    const parentId = typeof spec.parent_id === 'string' ? spec.parent_id : all.find((b) => b.default)?.id;
    const parent = all.find((b) => b.id === parentId);
    if (!parent) throw new HttpError(404, `parent branch ${String(parentId)} not found`, 'BRANCH_NOT_FOUND');
    const name = typeof spec.name === 'string' && spec.name ? spec.name : `br-${Date.now().toString(36)}`;
    refuseIfBusy([parent.id]);
    const at = pointInTime(spec.parent_lsn, spec.parent_timestamp, 'branch');
    const branch = await platform.createBranch({
      name,
      parent: parent.id,
      ...(at ? { at } : {}),
      ...createExtras(spec, annotations),
      ...(masking ? { masking } : {}),
    });
    const operations: OperationRecord[] = [store.finished('create_timeline', branch.id)];
    const wantsEndpoint = Array.isArray(body.endpoints) && body.endpoints.length > 0;
    const endpoints: Record<string, unknown>[] = [];
    if (wantsEndpoint) {
      const endpointId = endpointIdOf(branch.id);
      const op = store.start(
        'start_compute',
        branch.id,
        [branch.id],
        async () => void (await platform.connectionUri(branch.id)),
        endpointId,
      );
      operations.push(op.record);
      endpoints.push(neonEndpoint(branch, projectId, undefined, 'init'));
    }
    return { status: 201, body: { branch: branchJson(branch), endpoints, operations, roles: [], databases: [] } };
  }

  const helpers: RouteHelpers = {
    branchById,
    branchJson,
    createBranch,
    refuseIfBusy,
    finished: (action, branchId) => store.finished(action, branchId),
    object,
  };
  const routes: Route[] = [
    ...snapshotRoutes(platform, helpers),
    ...maskingRoutes(platform, helpers),
    [
      'GET',
      new RegExp(`^/projects/${ID}$`),
      async () => ({ status: 200, body: { project: neonProject(await platform.getProject()) } }),
    ],
    [
      'GET',
      new RegExp(`^/projects/${ID}/branches$`),
      async (_p, req) => {
        const search = req.query.get('search') ?? '';
        let branches = (await platform.listBranches()).filter(
          (b) => !search || b.name.includes(search) || b.id.includes(search),
        );
        const key = req.query.get('sort_by') === 'name' ? 'name' : 'createdAt';
        branches = branches.sort((a, b) => (a[key] < b[key] ? -1 : a[key] > b[key] ? 1 : 0));
        if (req.query.get('sort_order') !== 'asc') branches.reverse();
        return {
          status: 200,
          body: { branches: branches.map(branchJson), annotations: neonAnnotationsMap(branches), pagination: {} },
        };
      },
    ],
    [
      'POST',
      new RegExp(`^/projects/${ID}/branches$`),
      async (_p, req) => {
        const body = object(req.body);
        return createBranch(body, body.annotation_value);
      },
    ],
    [
      'GET',
      new RegExp(`^/projects/${ID}/branches/${ID}$`),
      async ([, id]) => {
        const branch = await branchById(id!);
        return {
          status: 200,
          body: { branch: branchJson(branch), annotation: neonAnnotation(branch) },
        };
      },
    ],
    [
      'PATCH',
      new RegExp(`^/projects/${ID}/branches/${ID}$`),
      async ([, id], req) => {
        const branch = await branchById(id!);
        const spec = object(object(req.body).branch);
        if (spec.name !== undefined && spec.name !== branch.name)
          throw new HttpError(400, 'renaming a branch is not supported by neon-migrate local serve');
        if (spec.expires_at !== undefined && spec.expires_at !== null && typeof spec.expires_at !== 'string')
          throw new HttpError(400, 'expires_at must be an RFC 3339 timestamp or null');
        if (spec.protected !== undefined && typeof spec.protected !== 'boolean')
          throw new HttpError(400, 'protected must be a boolean');
        refuseIfBusy([branch.id]);
        const updated = await platform.updateBranch(branch.id, {
          ...(spec.expires_at !== undefined ? { expiresAt: spec.expires_at as string | null } : {}),
          ...(spec.protected !== undefined ? { protected: spec.protected as boolean } : {}),
        });
        return { status: 200, body: { branch: branchJson(updated), operations: [] } };
      },
    ],
    [
      'DELETE',
      new RegExp(`^/projects/${ID}/branches/${ID}$`),
      async ([, id]) => {
        const branch = (await platform.listBranches()).find((b) => b.id === id);
        if (!branch) return { status: 204 };
        refuseIfBusy([branch.id]);
        const op = store.start('delete_timeline', branch.id, [branch.id], () => platform.deleteBranch(branch.id));
        await acceptWithin(op, ctx.acceptWindowMs);
        return { status: 200, body: { branch: branchJson(branch), operations: [op.record] } };
      },
    ],
    [
      'POST',
      new RegExp(`^/projects/${ID}/branches/${ID}/restore$`),
      async ([, id], req) => {
        const target = await branchById(id!);
        const body = object(req.body);
        if (typeof body.source_branch_id !== 'string') throw new HttpError(400, 'source_branch_id is required');
        const source = await branchById(body.source_branch_id);
        const preserve =
          typeof body.preserve_under_name === 'string' && body.preserve_under_name
            ? body.preserve_under_name
            : undefined;
        const at = pointInTime(body.source_lsn, body.source_timestamp, 'restore');
        refuseIfBusy([target.id, source.id]);
        const op = store.start('create_timeline', target.id, [target.id, source.id], async () => {
          await platform.restoreBranch(target.id, {
            source: source.id,
            ...(at ? { at } : {}),
            ...(preserve ? { preserveUnderName: preserve } : {}),
          });
          resets.set(target.id, new Date().toISOString());
        });
        await acceptWithin(op, ctx.acceptWindowMs);
        return { status: 200, body: { branch: branchJson(await branchById(target.id)), operations: [op.record] } };
      },
    ],
    [
      'GET',
      new RegExp(`^/projects/${ID}/branches/${ID}/endpoints$`),
      async ([, id]) => {
        const branch = await branchById(id!);
        const starting = store.conflicting([branch.id])?.action === 'start_compute';
        const state = starting ? 'init' : ((await ctx.extras?.computeState?.(branch.id)) ?? 'active');
        // The host must carry the compute's port, so the address is read even while it starts.
        return { status: 200, body: { endpoints: [neonEndpoint(branch, projectId, await address(branch.id), state)] } };
      },
    ],
    [
      'GET',
      new RegExp(`^/projects/${ID}/branches/${ID}/roles$`),
      async ([, id]) => {
        const branch = await branchById(id!);
        return { status: 200, body: { roles: [neonRoleAndDatabase(branch, await address(branch.id)).role] } };
      },
    ],
    [
      'GET',
      new RegExp(`^/projects/${ID}/branches/${ID}/databases$`),
      async ([, id]) => {
        const branch = await branchById(id!);
        return { status: 200, body: { databases: [neonRoleAndDatabase(branch, await address(branch.id)).database] } };
      },
    ],
    [
      'GET',
      new RegExp(`^/projects/${ID}/branches/${ID}/roles/([^/]+)/reveal_password$`),
      async ([, id, role]) => {
        const branch = await branchById(id!);
        const found = await address(branch.id);
        if (found.role !== decodeURIComponent(role!))
          throw new HttpError(404, `role ${decodeURIComponent(role!)} not found on branch ${branch.id}`);
        return { status: 200, body: { password: found.password } };
      },
    ],
    [
      'GET',
      new RegExp(`^/projects/${ID}/branches/${ID}/compare_schema$`),
      async ([, id], req) => {
        const compared = await branchById(id!);
        const baseId = req.query.get('base_branch_id') ?? compared.parentId;
        if (!baseId) throw new HttpError(400, 'base_branch_id is required for a root branch');
        const base = await branchById(baseId);
        const database = req.query.get('db_name') ?? undefined;
        return {
          status: 200,
          body: { diff: await platform.diffSchemas(base.id, compared.id, database ? { database } : {}) },
        };
      },
    ],
    [
      'GET',
      new RegExp(`^/projects/${ID}/connection_uri$`),
      async (_p, req) => {
        const all = await platform.listBranches();
        const branchId = req.query.get('branch_id') ?? all.find((b) => b.default)?.id ?? '';
        const branch = await branchById(branchId);
        const database = req.query.get('database_name');
        const role = req.query.get('role_name');
        if (!database || !role) throw new HttpError(400, 'database_name and role_name are required');
        const uri = await platform.connectionUri(branch.id, {
          database,
          role,
          pooled: req.query.get('pooled') === 'true',
        });
        return { status: 200, body: { uri } };
      },
    ],
    [
      'GET',
      new RegExp(`^/projects/${ID}/operations$`),
      async (_p, req) => {
        const limit = Math.min(1000, Math.max(1, Number(req.query.get('limit') ?? 100) || 100));
        return { status: 200, body: { operations: store.list().slice(0, limit) } };
      },
    ],
    [
      'GET',
      new RegExp(`^/projects/${ID}/operations/([0-9a-f-]{36})$`),
      async ([, id]) => {
        const op = store.get(id!);
        if (!op) throw new HttpError(404, `operation ${id} not found`);
        return { status: 200, body: { operation: op } };
      },
    ],
  ];

  return async (request) => {
    for (const [method, pattern, run] of routes) {
      const match = pattern.exec(request.path);
      if (!match) continue;
      if (match[1] !== projectId) throw new HttpError(404, `project ${match[1]} not found`, 'PROJECT_NOT_FOUND');
      if (method !== request.method) continue;
      return run(match.slice(1), request);
    }
    throw new HttpError(404, `${request.method} ${request.path} is not served by neon-migrate local serve`);
  };
}
