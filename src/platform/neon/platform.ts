/** NeonPlatform: the Platform interface over the Neon API v2 (docs/architecture.md §4). */
import { EndpointType } from '@neondatabase/api-client';
import { ConflictError, PlatformError, UsageError } from '../../errors.js';
import type {
  Branch,
  ConnectionOptions,
  CreateBranchOptions,
  Platform,
  ProjectInfo,
  RestoreOptions,
  RestoreResult,
  SchemaDiffOptions,
  UpdateBranchOptions,
  CreateSnapshotOptions,
  MaskingStatus,
  Snapshot,
} from '../types.js';
import { connect } from '../../db/connect.js';
import { assertMaskable } from '../../masking/targets.js';
import { assertHeadOfMasked, assertRestoreUnmasked } from '../masked-limits.js';
import { createAnonymizedBranch, neonMaskingStatus } from './anonymized.js';
import { createNeonSnapshot, deleteNeonSnapshot, listNeonSnapshots, neonBranchFromSnapshot } from './snapshots.js';
import { checkExpiresAt, checkMayHaveChildren } from '../expiry.js';
import { checkPointInTime } from './point-in-time.js';
import { findNeonBranchByName, listNeonBranches, resolveNeonBranch, toBranch } from './branch-api.js';
import { NeonClient, type NeonClientOptions } from './client.js';
import {
  DEFAULT_OPERATION_WAIT,
  type OperationWaitPolicy,
  pendingOperationsOf,
  waitForOperations,
} from './operations.js';
import {
  branchOperationsSchema,
  compareSchemaSchema,
  connectionUriSchema,
  databasesSchema,
  type NeonBranch,
  projectSchema,
} from './schemas.js';
import { findByIdOrName } from '../find-by-ref.js';

export interface NeonPlatformOptions extends NeonClientOptions {
  operations?: Partial<OperationWaitPolicy>;
}

export class NeonPlatform implements Platform {
  readonly kind = 'neon' as const;
  readonly client: NeonClient;
  private readonly wait: OperationWaitPolicy;

  constructor(options: NeonPlatformOptions) {
    this.client = new NeonClient(options);
    this.wait = { ...DEFAULT_OPERATION_WAIT, ...options.operations };
  }

  private get projectId(): string {
    return this.client.projectId;
  }

  /** Project facts; the default branch comes from the branch list (the Project object lacks it). */
  async getProject(): Promise<ProjectInfo> {
    const { project } = await this.client.call('reading the project', projectSchema, (api) =>
      api.getProject(this.projectId),
    );
    const branches = await listNeonBranches(this.client);
    const main = branches.find((b) => b.default) ?? branches[0];
    return {
      id: project.id,
      name: project.name,
      historyRetentionSeconds: project.history_retention_seconds,
      defaultBranchId: main?.id ?? '',
      pgVersion: project.pg_version,
    };
  }

  /** Validate a point in time against the project's history window (UsageError, exit 2). */
  private async checkAt(at: CreateBranchOptions['at']): Promise<void> {
    if (!at) return;
    const retention = 'timestamp' in at ? (await this.getProject()).historyRetentionSeconds : 0;
    checkPointInTime(at, this.client.clock.now(), retention);
  }

  async listBranches(): Promise<Branch[]> {
    return (await listNeonBranches(this.client)).map(toBranch);
  }

  async getBranch(ref: string): Promise<Branch> {
    return toBranch(await resolveNeonBranch(this.client, ref));
  }

  /** Create a branch with a read-write endpoint, then wait for its operations. */
  async createBranch(options: CreateBranchOptions): Promise<Branch> {
    await this.checkAt(options.at);
    const expiresAt = options.expiresAt ? checkExpiresAt(options.expiresAt, this.client.clock.now()) : undefined;
    const branches = await listNeonBranches(this.client);
    if (branches.some((b) => b.name === options.name)) {
      throw new ConflictError(`branch "${options.name}" already exists`, {
        hint: 'pick another name or delete the existing branch',
      });
    }
    const parent = options.parent
      ? await resolveNeonBranch(this.client, options.parent)
      : (branches.find((b) => b.default) ?? (await resolveNeonBranch(this.client, 'main')));
    const schemaOnly = options.initSource === 'schema-only';
    if (!schemaOnly) checkMayHaveChildren(toBranch(parent));
    const extra = {
      ...(expiresAt ? { expires_at: expiresAt } : {}),
      ...(schemaOnly ? { init_source: 'schema-only' } : {}),
    };
    const at = options.at
      ? 'lsn' in options.at
        ? { parent_lsn: options.at.lsn }
        : { parent_timestamp: options.at.timestamp }
      : {};
    if (options.masking?.length) return this.createMasked(options, parent, { ...at, ...extra });
    const doing = `creating branch "${options.name}"`;
    let reconciled: NeonBranch | undefined;
    const created = await this.client.call(
      doing,
      branchOperationsSchema,
      (api) =>
        api.createProjectBranch(this.projectId, {
          branch: { name: options.name, parent_id: parent.id, ...at, ...extra },
          endpoints: [{ type: EndpointType.ReadWrite }],
          ...(options.annotations ? { annotation_value: options.annotations } : {}),
        }),
      async () => {
        // The answer was lost: if the branch exists, the create was applied; don't send it again.
        reconciled = await findNeonBranchByName(this.client, options.name);
        return reconciled ? { branch: reconciled, operations: [] } : undefined;
      },
    );
    const operations = reconciled ? await pendingOperationsOf(this.client, reconciled.id) : created.operations;
    await waitForOperations(this.client, operations, this.wait, doing);
    return this.getBranch(created.branch.id);
  }

  /** A masked branch: the rules are checked on the parent first, then Neon creates and anonymizes it. */
  private async createMasked(
    options: CreateBranchOptions,
    parent: NeonBranch,
    branch: Record<string, unknown>,
  ): Promise<Branch> {
    const rules = options.masking ?? [];
    if (options.at) assertHeadOfMasked(toBranch(parent));
    const db = await connect(await this.connectionUri(parent.id));
    try {
      await assertMaskable(async <R>(sql: string, params: unknown[]) => (await db.query<R>(sql, params)).rows, rules);
    } finally {
      await db.close();
    }
    try {
      const id = await createAnonymizedBranch(this.client, this.wait, {
        name: options.name,
        parentId: parent.id,
        branch,
        ...(options.annotations ? { annotations: options.annotations } : {}),
        rules,
      });
      return await this.getBranch(id);
    } catch (err) {
      // a branch whose anonymization failed may hold original values: it does not stay
      const left = await findNeonBranchByName(this.client, options.name).catch(() => undefined);
      if (left && (err as { code?: string }).code === 'MASKING_FAILED')
        await this.deleteBranch(left.id).catch(() => undefined);
      throw err;
    }
  }

  /** The anonymization status of a masked branch (undefined for other branches). */
  async maskingStatus(ref: string): Promise<MaskingStatus | undefined> {
    return neonMaskingStatus(this.client, (await resolveNeonBranch(this.client, ref)).id);
  }

  /** Delete a branch; refuses the default branch, protected branches and branches with children. */
  async deleteBranch(ref: string): Promise<void> {
    const branches = await listNeonBranches(this.client);
    const branch = findByIdOrName(branches, ref);
    if (branch.default)
      throw new ConflictError(`branch "${branch.name}" is the project's default branch and cannot be deleted`, {
        code: 'BRANCH_IS_DEFAULT',
      });
    if (branch.protected)
      throw new ConflictError(`branch "${branch.name}" is protected and cannot be deleted`, {
        hint: 'unprotect it in the Neon console first',
        code: 'BRANCH_PROTECTED',
      });
    const children = branches.filter((b) => b.parent_id === branch.id).map((b) => b.name);
    if (children.length) {
      throw new ConflictError(
        `branch "${branch.name}" has child branches (${children.join(', ')}) and cannot be deleted`,
        { hint: 'delete the children first', code: 'BRANCH_HAS_CHILDREN' },
      );
    }
    const doing = `deleting branch "${branch.name}"`;
    const answer = await this.client.send(doing, (api) =>
      api.deleteProjectBranch({ projectId: this.projectId, branchId: branch.id }),
    );
    if (answer && typeof answer === 'object') {
      const { operations } = branchOperationsSchema.pick({ operations: true }).parse(answer);
      await waitForOperations(this.client, operations, this.wait, doing);
    }
  }

  /** Change a branch's expiry (null removes it) or protection (PATCH /branches/{id}). */
  async updateBranch(ref: string, options: UpdateBranchOptions): Promise<Branch> {
    const branch = await resolveNeonBranch(this.client, ref);
    const expiresAt =
      typeof options.expiresAt === 'string' ? checkExpiresAt(options.expiresAt, this.client.clock.now()) : undefined;
    const doing = `updating branch "${branch.name}"`;
    const updated = await this.client.call(doing, branchOperationsSchema, (api) =>
      api.updateProjectBranch(this.projectId, branch.id, {
        branch: {
          ...(options.expiresAt !== undefined ? { expires_at: expiresAt ?? null } : {}),
          ...(options.protected !== undefined ? { protected: options.protected } : {}),
        },
      }),
    );
    await waitForOperations(this.client, updated.operations, this.wait, doing);
    return this.getBranch(branch.id);
  }

  /** Restore `target` from a source's head or history, keeping the old state under a backup name. */
  async restoreBranch(target: string, options: RestoreOptions): Promise<RestoreResult> {
    const branch = await resolveNeonBranch(this.client, target);
    const source = options.source === target ? branch : await resolveNeonBranch(this.client, options.source);
    assertRestoreUnmasked(toBranch(branch), toBranch(source));
    const at = options.at
      ? 'lsn' in options.at
        ? { source_lsn: options.at.lsn }
        : { source_timestamp: options.at.timestamp }
      : {};
    const preserve = options.preserveUnderName;
    await this.checkAt(options.at);
    if (source.id === branch.id && !preserve) {
      // Neon's rule: a restore from the branch's own history must keep the old state somewhere.
      throw new PlatformError(
        `preserve_under_name is required when restoring branch "${branch.name}" from its own history`,
        { hint: 'pass a backup name (preserveUnderName)', code: 'PRESERVE_NAME_REQUIRED', status: 400 },
      );
    }
    const doing = `restoring branch "${branch.name}" from "${source.name}"`;
    let reconciled = false;
    const restored = await this.client.call(
      doing,
      branchOperationsSchema,
      (api) =>
        api.restoreProjectBranch(this.projectId, branch.id, {
          source_branch_id: source.id,
          ...at,
          ...(preserve ? { preserve_under_name: preserve } : {}),
        }),
      async () => {
        // The answer was lost: a backup under the name, or a new reset time once the branch's running
        // operations are done, shows the restore was applied; don't send it again. A running
        // operation alone proves nothing (it may be a compute start).
        await waitForOperations(this.client, await pendingOperationsOf(this.client, branch.id), this.wait, doing);
        const now = await resolveNeonBranch(this.client, branch.id);
        const backup = preserve ? await findNeonBranchByName(this.client, preserve) : undefined;
        reconciled = Boolean(backup) || (now.last_reset_at !== undefined && now.last_reset_at !== branch.last_reset_at);
        return reconciled ? { branch: now, operations: [] } : undefined;
      },
    );
    const operations = reconciled ? await pendingOperationsOf(this.client, branch.id) : restored.operations;
    await waitForOperations(this.client, operations, this.wait, doing);
    const after = await this.getBranch(branch.id);
    return preserve ? { branch: after, backup: await this.getBranch(preserve) } : { branch: after };
  }

  /** Direct (or pooled) connection URI from Neon's connection_uri endpoint. */
  async connectionUri(ref: string, options: ConnectionOptions = {}): Promise<string> {
    const branch = await resolveNeonBranch(this.client, ref);
    let { database, role } = options;
    if (!database || !role) {
      const { databases } = await this.client.call(`listing databases of "${branch.name}"`, databasesSchema, (api) =>
        api.listProjectBranchDatabases(this.projectId, branch.id),
      );
      const db = databases.find((d) => d.name === (database ?? 'neondb')) ?? databases[0];
      if (!db)
        throw new UsageError(`branch "${branch.name}" has no database`, { hint: 'create one in the Neon console' });
      database ??= db.name;
      role ??= db.owner_name;
    }
    const { uri } = await this.client.call(
      `getting the connection URI of "${branch.name}"`,
      connectionUriSchema,
      (api) =>
        api.getConnectionUri({
          projectId: this.projectId,
          branch_id: branch.id,
          database_name: database,
          role_name: role,
          pooled: Boolean(options.pooled),
        }),
    );
    return uri;
  }

  /** Schema difference between two branches (Neon's compare_schema), as a unified diff text. */
  async diffSchemas(from: string, to: string, options: SchemaDiffOptions = {}): Promise<string> {
    const base = await resolveNeonBranch(this.client, from);
    const compared = await resolveNeonBranch(this.client, to);
    const { diff } = await this.client.call(
      `comparing schemas of "${base.name}" and "${compared.name}"`,
      compareSchemaSchema,
      (api) =>
        api.getProjectBranchSchemaComparison({
          projectId: this.projectId,
          branchId: compared.id,
          base_branch_id: base.id,
          db_name: options.database ?? 'neondb',
        }),
    );
    return diff ?? '';
  }

  createSnapshot(branch: string, options: CreateSnapshotOptions): Promise<Snapshot> {
    return createNeonSnapshot(this.client, this.wait, branch, options);
  }

  listSnapshots(): Promise<Snapshot[]> {
    return listNeonSnapshots(this.client);
  }

  deleteSnapshot(id: string): Promise<void> {
    return deleteNeonSnapshot(this.client, this.wait, id);
  }

  async branchFromSnapshot(
    snapshotId: string,
    options: Pick<CreateBranchOptions, 'name' | 'expiresAt' | 'annotations'>,
  ): Promise<Branch> {
    const branch = await neonBranchFromSnapshot(this.client, this.wait, snapshotId, options);
    // the snapshot restore takes no expiry: set it afterwards (annotations are set at creation only)
    return options.expiresAt ? this.updateBranch(branch.id, { expiresAt: options.expiresAt }) : branch;
  }

  async close(): Promise<void> {
    // Nothing is held open: axios uses per-request sockets.
  }
}

/** Re-export for callers that only hold a Platform. */
export function isNeonPlatform(platform: Platform): platform is NeonPlatform {
  return platform instanceof NeonPlatform;
}
