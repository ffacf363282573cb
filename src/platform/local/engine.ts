/** LocalPlatform: the Platform interface over local PostgreSQL clusters, plus compute controls for the CLI. */
import { rmSync } from 'node:fs';
import { ConflictError, PlatformError } from '../../errors.js';
import { diffText } from '../../verify/catalog-text.js';
import type {
  Branch,
  ConnectionOptions,
  CreateBranchOptions,
  Platform,
  ProjectInfo,
  RestoreOptions,
  RestoreResult,
  RestrictedAction,
  SchemaDiffOptions,
  CreateSnapshotOptions,
  MaskingStatus,
  Snapshot,
  UpdateBranchOptions,
} from '../types.js';
import { type BackupMeta, takeBaseBackup } from './backup.js';
import { schemaText } from './catalog-schema.js';
import { checkNewName, preparePoint, resolveBranch, toBranch } from './branch-ops.js';
import { applyBranchUpdate, newBranchMeta } from './branch-meta.js';
import { adminQuery, runningPid } from './cluster.js';
import { pickPort } from './ports.js';
import { ensureRunning, isServing, stopCompute } from './computes.js';
import { type EngineContext, handleFor } from './engine-context.js';
import { acquireLock } from './lock.js';
import { adopt } from './materialize.js';
import { restoreBranchLocked } from './restore.js';
import { makeSchemaOnly } from './schema-only.js';
import { makeMasked } from './masking.js';
import { assertHeadOfMasked } from '../masked-limits.js';
import { branchFromSnapshotLocked, createSnapshotLocked, deleteSnapshotLocked, toSnapshot } from './snapshots.js';
import { recoverInterruptedRestore } from './restore-journal.js';
import { type BranchRecord, type EngineState, newId, readState, writeState } from './state.js';

/** One branch's compute as `local status` shows it. */
export interface ComputeStatus {
  id: string;
  name: string;
  port: number;
  /** `pointer`: not materialized yet; `running`; `stopped`. */
  compute: 'pointer' | 'running' | 'stopped';
  pid?: number;
}

export class LocalPlatform implements Platform {
  readonly kind = 'local' as const;

  constructor(
    private readonly ctx: EngineContext,
    /** True when this open created the project (the caller may seed demo data). */
    readonly created: boolean,
  ) {}

  private state(): EngineState {
    const s = readState(this.ctx.stateDir);
    if (!s)
      throw new PlatformError(`local engine state missing in ${this.ctx.stateDir}`, {
        hint: 'run the command again to create a fresh local project',
        code: 'STATE_MISSING',
      });
    return s;
  }

  /** Run a mutation under the engine lock on freshly read state; saves the state afterwards. */
  private async mutate<T>(fn: (state: EngineState) => Promise<T>): Promise<T> {
    const release = await acquireLock(this.ctx.stateDir);
    try {
      const state = this.state();
      await recoverInterruptedRestore(this.ctx, state);
      try {
        return await fn(state);
      } finally {
        writeState(this.ctx.stateDir, state);
      }
    } finally {
      release();
    }
  }

  async getProject(): Promise<ProjectInfo> {
    const s = this.state();
    const def = s.branches.find((b) => b.default);
    return {
      id: s.project.id,
      name: s.project.name,
      historyRetentionSeconds: this.ctx.retentionSeconds,
      defaultBranchId: def?.id ?? '',
      pgVersion: s.project.pgMajor ?? 17,
    };
  }

  async listBranches(): Promise<Branch[]> {
    return this.state().branches.map(toBranch);
  }

  async getBranch(ref: string): Promise<Branch> {
    return toBranch(resolveBranch(this.state(), ref));
  }

  async createBranch(options: CreateBranchOptions): Promise<Branch> {
    return this.mutate(async (state) => {
      checkNewName(state, options.name);
      const parent = options.parent ? resolveBranch(state, options.parent) : state.branches.find((b) => b.default);
      if (!parent) throw new PlatformError('the project has no default branch', { code: 'STATE_INVALID' });
      const meta = newBranchMeta(toBranch(parent), options);
      if (options.at) assertHeadOfMasked(toBranch(parent));
      const point = await preparePoint(this.ctx, state, parent, options.at);
      const record: BranchRecord = {
        id: newId('br'),
        name: options.name,
        parentId: parent.id,
        createdAt: new Date().toISOString(),
        default: false,
        protected: false,
        port: await pickPort(new Set(state.branches.map((b) => b.port)), this.ctx.stateDir),
        status: 'pointer',
        target: point.target,
        ...meta,
      };
      if ('lsn' in point.target) record.parentLsn = point.target.lsn;
      else record.parentTimestamp = point.target.timestamp;
      const c = handleFor(this.ctx, state, record);
      try {
        await adopt(
          this.ctx.runAs,
          handleFor(this.ctx, state, parent).paths,
          c.paths,
          point.backup,
          state.project.walSegmentBytes,
          point.throughSegno,
        );
      } catch (err) {
        rmSync(c.paths.root, { recursive: true, force: true });
        throw err;
      }
      state.branches.push(record);
      if (record.initSource === 'schema-only') await makeSchemaOnly(this.ctx, state, record);
      if (options.masking?.length) await makeMasked(this.ctx, state, record, options.masking);
      return toBranch(record);
    });
  }

  async deleteBranch(ref: string): Promise<void> {
    await this.mutate(async (state) => {
      const b = resolveBranch(state, ref);
      if (b.default)
        throw new ConflictError(`branch "${b.name}" is the project's default branch and cannot be deleted`, {
          hint: 'make another branch the default first',
          code: 'BRANCH_IS_DEFAULT',
        });
      // the project's root cannot go; a schema-only branch is a root Neon deletes like any other
      if (!b.parentId && b.initSource !== 'schema-only' && !b.restoredFrom)
        throw new ConflictError(`branch "${b.name}" is a root branch and cannot be deleted`, {
          code: 'BRANCH_IS_ROOT',
        });
      if (b.protected)
        throw new ConflictError(`branch "${b.name}" is protected and cannot be deleted`, {
          hint: 'remove its protection first',
          code: 'BRANCH_PROTECTED',
        });
      const children = state.branches.filter((x) => x.parentId === b.id);
      if (children.length) {
        throw new ConflictError(
          `branch "${b.name}" has child branches (${children.map((x) => x.name).join(', ')}) and cannot be deleted`,
          { hint: 'delete its children first', code: 'BRANCH_HAS_CHILDREN' },
        );
      }
      await stopCompute(this.ctx, state, b);
      rmSync(handleFor(this.ctx, state, b).paths.root, { recursive: true, force: true });
      state.branches = state.branches.filter((x) => x.id !== b.id);
    });
  }

  async updateBranch(ref: string, options: UpdateBranchOptions): Promise<Branch> {
    return this.mutate(async (state) => {
      const b = resolveBranch(state, ref);
      const hasChildren = state.branches.some((x) => x.parentId === b.id);
      applyBranchUpdate(b, options, hasChildren);
      return toBranch(b);
    });
  }

  /**
   * Set the actions Neon would currently refuse on a branch, with their reasons (Neon sets these
   * itself; locally `local restrict` does, to rehearse them). An empty list clears them.
   */
  async setRestrictedActions(ref: string, actions: RestrictedAction[]): Promise<Branch> {
    return this.mutate(async (state) => {
      const b = resolveBranch(state, ref);
      if (actions.length) b.restrictedActions = actions.map((a) => ({ name: a.name, reason: a.reason }));
      else delete b.restrictedActions;
      return toBranch(b);
    });
  }

  /**
   * Delete the branches and snapshots whose expiry has passed (Neon's background job; every open
   * runs it). A branch that cannot be deleted (children, protection) stays and is reported.
   */
  async expireBranches(now = new Date()): Promise<{ deleted: string[]; kept: { name: string; reason: string }[] }> {
    const due = this.state().branches.filter((b) => b.expiresAt && Date.parse(b.expiresAt) <= now.getTime());
    const out = { deleted: [] as string[], kept: [] as { name: string; reason: string }[] };
    for (const b of due) {
      try {
        await this.deleteBranch(b.id);
        out.deleted.push(b.name);
      } catch (err) {
        out.kept.push({ name: b.name, reason: (err as Error).message });
      }
    }
    const snaps = (this.state().snapshots ?? []).filter((x) => x.expiresAt && Date.parse(x.expiresAt) <= now.getTime());
    for (const x of snaps) {
      await this.deleteSnapshot(x.id);
      out.deleted.push(x.name);
    }
    return out;
  }

  async createSnapshot(branch: string, options: CreateSnapshotOptions): Promise<Snapshot> {
    return this.mutate((state) => createSnapshotLocked(this.ctx, state, branch, options));
  }

  async listSnapshots(): Promise<Snapshot[]> {
    return (this.state().snapshots ?? []).map(toSnapshot);
  }

  async deleteSnapshot(id: string): Promise<void> {
    await this.mutate(async (state) => deleteSnapshotLocked(state, id));
  }

  async branchFromSnapshot(
    snapshotId: string,
    options: Pick<CreateBranchOptions, 'name' | 'expiresAt' | 'annotations'>,
  ): Promise<Branch> {
    return this.mutate((state) => branchFromSnapshotLocked(this.ctx, state, snapshotId, options));
  }

  async maskingStatus(ref: string): Promise<MaskingStatus | undefined> {
    const m = resolveBranch(this.state(), ref).masking;
    if (!m) return undefined;
    return {
      state: m.state,
      rules: m.rules.map((r) => ({ ...r })),
      createdAt: m.createdAt,
      updatedAt: m.updatedAt,
      maskedColumns: m.maskedColumns,
    };
  }

  async restoreBranch(target: string, options: RestoreOptions): Promise<RestoreResult> {
    return this.mutate((state) => restoreBranchLocked(this.ctx, state, target, options));
  }

  async connectionUri(ref: string, options: ConnectionOptions = {}): Promise<string> {
    const b = await this.startCompute(ref);
    const s = this.state();
    const role = options.role ?? 'neondb_owner';
    if (role !== 'neondb_owner')
      throw new PlatformError(`unknown role "${role}" on the local engine`, {
        hint: 'the local engine has the role neondb_owner only',
        code: 'UNKNOWN_ROLE',
        status: 404,
      });
    const database = encodeURIComponent(options.database ?? 'neondb');
    return `postgresql://neondb_owner:${encodeURIComponent(s.project.ownerPassword)}@127.0.0.1:${b.port}/${database}`;
  }

  /** Start (materializing or restarting as needed) a branch's compute; returns its record. */
  async startCompute(ref: string): Promise<BranchRecord> {
    const quick = resolveBranch(this.state(), ref);
    if (await isServing(this.ctx, this.state(), quick)) return quick;
    return this.mutate(async (state) => {
      const b = resolveBranch(state, ref);
      await ensureRunning(this.ctx, state, b);
      return { ...b };
    });
  }

  /** Stop one branch's compute, or all of them (ref omitted). Returns the names stopped. */
  async stopComputes(ref?: string): Promise<string[]> {
    return this.mutate(async (state) => {
      const targets = ref ? [resolveBranch(state, ref)] : state.branches;
      const stopped: string[] = [];
      for (const b of targets) {
        if (b.status === 'ready' && runningPid(handleFor(this.ctx, state, b).paths) !== undefined) {
          await stopCompute(this.ctx, state, b);
          stopped.push(b.name);
        }
      }
      return stopped;
    });
  }

  /** Every branch's compute state. */
  async computeStatus(): Promise<ComputeStatus[]> {
    const s = this.state();
    return s.branches.map((b) => {
      const pid = b.status === 'ready' ? runningPid(handleFor(this.ctx, s, b).paths) : undefined;
      return {
        id: b.id,
        name: b.name,
        port: b.port,
        compute: b.status === 'pointer' ? 'pointer' : pid ? 'running' : 'stopped',
        ...(pid ? { pid } : {}),
      };
    });
  }

  /** The branch's current WAL LSN (starts its compute). */
  async currentLsn(ref: string): Promise<string> {
    const b = await this.startCompute(ref);
    const [{ lsn }] = await adminQuery<{ lsn: string }>(
      handleFor(this.ctx, this.state(), b),
      'SELECT pg_current_wal_lsn()::text AS lsn',
    );
    return lsn;
  }

  /** Take an online base backup of a branch now (starts its compute); returns the backup's label. */
  async backupNow(ref: string): Promise<BackupMeta> {
    return this.mutate(async (state) => {
      const b = resolveBranch(state, ref);
      await ensureRunning(this.ctx, state, b);
      return takeBaseBackup(handleFor(this.ctx, state, b));
    });
  }

  /** Where a branch's files live (for diagnostics and tests). */
  branchDir(ref: string): string {
    const s = this.state();
    return handleFor(this.ctx, s, resolveBranch(s, ref)).paths.root;
  }

  /** The postmaster pid of a running compute (tests use it to kill one). */
  computePid(ref: string): number | undefined {
    const s = this.state();
    return runningPid(handleFor(this.ctx, s, resolveBranch(s, ref)).paths);
  }

  /** Schema difference between two branches, from their catalogs (there is no pg_dump here). */
  async diffSchemas(from: string, to: string, options: SchemaDiffOptions = {}): Promise<string> {
    const db = options.database ? { database: options.database } : {};
    const [a, b] = [await this.getBranch(from), await this.getBranch(to)];
    const texts = await Promise.all([a, b].map(async (x) => schemaText(await this.connectionUri(x.id, db))));
    return diffText(texts[0]!, texts[1]!, [a.name, b.name]);
  }

  async close(): Promise<void> {
    // computes keep running across CLI invocations; nothing held here
  }
}
