/** Neon API v2 JSON shapes (Branch, Endpoint, Project, Role, Database) built from the local engine. */
import type { Branch, ProjectInfo } from '../../types.js';

/** What a connection URI of the engine tells us about a branch's compute. */
export interface ComputeAddress {
  host: string;
  port: string;
  role: string;
  password: string;
  database: string;
}

/** Split a postgres:// URI into the parts Neon's API exposes separately. */
export function parseComputeUri(uri: string): ComputeAddress {
  const url = new URL(uri);
  return {
    host: url.hostname,
    port: url.port || '5432',
    role: decodeURIComponent(url.username),
    password: decodeURIComponent(url.password),
    database: decodeURIComponent(url.pathname.replace(/^\//, '')) || 'neondb',
  };
}

/** Neon's endpoint id for a branch's read-write compute (one per branch, as on Neon). */
export function endpointIdOf(branchId: string): string {
  return `ep-${branchId.replace(/^br-/, '')}`.slice(0, 60);
}

const usage = {
  cpu_used_sec: 0,
  compute_time_seconds: 0,
  active_time_seconds: 0,
  written_data_bytes: 0,
  data_transfer_bytes: 0,
};

/** Neon Branch object. */
export function neonBranch(
  b: Branch,
  projectId: string,
  extra: { lastResetAt?: string } = {},
): Record<string, unknown> {
  return {
    id: b.id,
    project_id: projectId,
    ...(b.parentId ? { parent_id: b.parentId } : {}),
    ...(b.parentLsn ? { parent_lsn: b.parentLsn } : {}),
    ...(b.parentTimestamp ? { parent_timestamp: b.parentTimestamp } : {}),
    name: b.name,
    current_state: b.state,
    state_changed_at: b.createdAt,
    creation_source: 'neon-migrate',
    created_at: b.createdAt,
    updated_at: extra.lastResetAt ?? b.createdAt,
    default: b.default,
    primary: b.default,
    protected: b.protected,
    ...usage,
    init_source: b.initSource ?? 'parent-data',
    ...(extra.lastResetAt ? { last_reset_at: extra.lastResetAt } : {}),
    ...(b.expiresAt ? { expires_at: b.expiresAt } : {}),
    ...(b.restrictedActions?.length ? { restricted_actions: b.restrictedActions } : {}),
    ...(b.restoredFrom ? { restored_from: b.restoredFrom, restore_status: 'restored' } : {}),
  };
}

/** Neon's AnnotationData of a branch (its `value` is empty when it has none). */
export function neonAnnotation(b: Branch): Record<string, unknown> {
  return {
    object: { type: 'console/branch', id: b.id },
    value: { ...(b.annotations ?? {}) },
    created_at: b.createdAt,
    updated_at: b.createdAt,
  };
}

/** The listing's `annotations` map: branch id → AnnotationData, for the branches that have any. */
export function neonAnnotationsMap(branches: Branch[]): Record<string, unknown> {
  return Object.fromEntries(branches.filter((b) => b.annotations).map((b) => [b.id, neonAnnotation(b)]));
}

/** Neon Endpoint object; `host` carries the port, since local computes don't listen on 5432. */
export function neonEndpoint(
  branch: Branch,
  projectId: string,
  address: ComputeAddress | undefined,
  state: 'init' | 'active' | 'idle',
): Record<string, unknown> {
  return {
    host: address ? `${address.host}:${address.port}` : '127.0.0.1',
    id: endpointIdOf(branch.id),
    project_id: projectId,
    branch_id: branch.id,
    autoscaling_limit_min_cu: 0.25,
    autoscaling_limit_max_cu: 0.25,
    region_id: 'local',
    type: 'read_write',
    current_state: state,
    settings: {},
    pooler_enabled: false,
    pooler_mode: 'transaction',
    disabled: false,
    passwordless_access: false,
    creation_source: 'neon-migrate',
    created_at: branch.createdAt,
    updated_at: branch.createdAt,
    proxy_host: '127.0.0.1',
    suspend_timeout_seconds: 0,
    provisioner: 'local',
  };
}

/** Neon Project object. */
export function neonProject(project: ProjectInfo, pgVersion = project.pgVersion ?? 17): Record<string, unknown> {
  const epoch = new Date(0).toISOString();
  const now = new Date().toISOString();
  return {
    id: project.id,
    platform_id: 'local',
    region_id: 'local',
    name: project.name,
    provisioner: 'local',
    pg_version: pgVersion,
    proxy_host: '127.0.0.1',
    branch_logical_size_limit: 0,
    branch_logical_size_limit_bytes: 0,
    store_passwords: true,
    creation_source: 'neon-migrate',
    history_retention_seconds: project.historyRetentionSeconds,
    created_at: epoch,
    updated_at: now,
    consumption_period_start: epoch,
    consumption_period_end: now,
    owner_id: 'local',
    data_storage_bytes_hour: 0,
    ...usage,
  };
}

/** Neon Role and Database objects for a branch's single owner role and database. */
export function neonRoleAndDatabase(
  branch: Branch,
  address: ComputeAddress,
): { role: Record<string, unknown>; database: Record<string, unknown> } {
  const times = { created_at: branch.createdAt, updated_at: branch.createdAt };
  return {
    role: { branch_id: branch.id, name: address.role, protected: false, ...times },
    database: { id: 1, branch_id: branch.id, name: address.database, owner_name: address.role, ...times },
  };
}
