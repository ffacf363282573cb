import type { MaskingRule } from '../masking/rules.js';

/**
 * The Platform interface (docs/architecture.md §4): what neon-migrate needs from Neon, satisfied both by the
 * Neon API v2 client (`platform/neon`) and by the embedded local engine (`platform/local`).
 * Branches are referred to by name or id everywhere (`ref`).
 */

/** A branch as the tool sees it (a subset of Neon's Branch object). */
export interface Branch {
  id: string;
  name: string;
  /** Parent branch id; absent for root branches. */
  parentId?: string;
  /** LSN in the parent this branch was created at. */
  parentLsn?: string;
  /** Timestamp in the parent this branch was created at (RFC 3339), when created by time. */
  parentTimestamp?: string;
  /** RFC 3339. */
  createdAt: string;
  /** The project's default branch (usually `main`). */
  default: boolean;
  protected: boolean;
  /** Neon's `current_state`: `ready`, `init`, ... */
  state: string;
  /** When the platform deletes the branch by itself (Neon's `expires_at`, RFC 3339), if set. */
  expiresAt?: string;
  /** Key/value annotations set at creation (Neon's branch annotation). */
  annotations?: Record<string, string>;
  /** `schema-only`: created with the parent's schema and no rows (Neon's `init_source`). */
  initSource?: 'parent-data' | 'schema-only';
  /** Actions Neon currently refuses on the branch, each with its reason (`restricted_actions`). */
  restrictedActions?: RestrictedAction[];
  /** The snapshot this branch was made from (Neon's `restored_from`). */
  restoredFrom?: string;
  /** Set on a masked (anonymized) branch: it is never a restore source or target. */
  masking?: BranchMasking;
}

/** What a masked branch's metadata says about its masking. */
export interface BranchMasking {
  /** How many masking rules it was made with. */
  rules: number;
}

/** The anonymization of a masked branch (Neon's AnonymizedBranchStatusResponse and masking rules). */
export interface MaskingStatus {
  /** created, initialized, initialization_error, anonymizing, anonymized, error. */
  state: string;
  rules: MaskingRule[];
  /** RFC 3339. */
  createdAt: string;
  updatedAt: string;
  failedAt?: string;
  message?: string;
  /** Columns masked by the latest run. */
  maskedColumns?: number;
}

/** A snapshot of a branch at a point (Neon's Snapshot): outlives the history window, adds no branch. */
export interface Snapshot {
  id: string;
  name: string;
  /** The branch it was taken of. */
  sourceBranchId: string;
  lsn?: string;
  /** RFC 3339. */
  createdAt: string;
  expiresAt?: string;
}

/** Options of `createSnapshot`. */
export interface CreateSnapshotOptions {
  name: string;
  /** When the platform deletes the snapshot (RFC 3339). */
  expiresAt?: string;
}

/** One entry of Neon's `restricted_actions`: e.g. `{ name: 'restore', reason: '...' }`. */
export interface RestrictedAction {
  name: string;
  reason: string;
}

/** Project-wide facts. */
export interface ProjectInfo {
  id: string;
  name: string;
  /** How far back point-in-time targets may go (Neon's `history_retention_seconds`). */
  historyRetentionSeconds: number;
  defaultBranchId: string;
  /** The PostgreSQL major the project runs (Neon's `pg_version`), when known. */
  pgVersion?: number;
}

/** Where a new branch or a restore takes its data from, in the source branch's history. */
export type PointInTime = { timestamp: string } | { lsn: string };

export interface CreateBranchOptions {
  name: string;
  /** Parent branch name or id; defaults to the default branch. */
  parent?: string;
  /** Branch from the parent's history instead of its head. */
  at?: PointInTime;
  /** Neon's `expires_at`: in the future, at most 30 days ahead; the parent must not expire itself. */
  expiresAt?: string;
  /** Annotations stored with the branch (at most 50 string values). */
  annotations?: Record<string, string>;
  /** `schema-only`: a new root branch with the parent's schema and empty tables. */
  initSource?: 'parent-data' | 'schema-only';
  /**
   * Create it masked (Neon's `branch_anonymized`): these rules are applied, and done, before the
   * branch is returned; nothing else connects to it before.
   */
  masking?: MaskingRule[];
}

/** What `updateBranch` changes; omitted fields stay as they are. */
export interface UpdateBranchOptions {
  /** A new expiry, or null to remove it. */
  expiresAt?: string | null;
  protected?: boolean;
}

export interface RestoreOptions {
  /** Source branch name or id. Equal to the target for a restore from its own history. */
  source: string;
  /** A point in the source's history; omitted = the source's head. */
  at?: PointInTime;
  /** Keep the pre-restore state as a branch with this name (required for a self-restore). */
  preserveUnderName?: string;
  /** Progress lines of a restore that takes a while (the CLI prints them on stderr). */
  progress?: (line: string) => void;
}

export interface RestoreResult {
  branch: Branch;
  /** The branch holding the pre-restore state, when preserved. */
  backup?: Branch;
}

export interface ConnectionOptions {
  /** Pooled (PgBouncer-style) URI for apps; migrations always use direct. */
  pooled?: boolean;
  database?: string;
  role?: string;
}

/** The operations neon-migrate needs from a Neon project. */
export interface Platform {
  readonly kind: 'local' | 'neon';
  /** True when opening this platform created its project (a new local project, which `seedIfCreated` seeds). */
  readonly created?: boolean;
  getProject(): Promise<ProjectInfo>;
  listBranches(): Promise<Branch[]>;
  /** Resolve a branch by name or id; throws BranchNotFoundError with the known names. */
  getBranch(ref: string): Promise<Branch>;
  createBranch(options: CreateBranchOptions): Promise<Branch>;
  /** Refuses the default branch, protected branches and branches with children. */
  deleteBranch(ref: string): Promise<void>;
  /** Change a branch's expiry or protection (Neon's rules on expiry apply). */
  updateBranch(ref: string, options: UpdateBranchOptions): Promise<Branch>;
  /** Restore `target` from a source branch's head or history (docs/architecture.md §4). */
  restoreBranch(target: string, options: RestoreOptions): Promise<RestoreResult>;
  /** A connection URI for the branch; starts its compute when needed. */
  connectionUri(ref: string, options?: ConnectionOptions): Promise<string>;
  /** Schema difference between two branches (name or id) as a unified diff text; empty when equal. */
  diffSchemas(from: string, to: string, options?: SchemaDiffOptions): Promise<string>;
  /** Release resources held by this client (servers, sockets); never stops computes. */
  close(): Promise<void>;
  /** A masked branch's anonymization status and rules; undefined for a branch that is not masked. */
  maskingStatus?(ref: string): Promise<MaskingStatus | undefined>;
  /** Snapshot a branch's head (absent where the platform has no snapshots). */
  createSnapshot?(branch: string, options: CreateSnapshotOptions): Promise<Snapshot>;
  listSnapshots?(): Promise<Snapshot[]>;
  deleteSnapshot?(id: string): Promise<void>;
  /**
   * A new branch holding the snapshot's data (Neon's restore with `finalize_restore: false`): a
   * preview nothing points at yet; the tool restores the real branch from it once verified.
   */
  branchFromSnapshot?(
    snapshotId: string,
    options: Pick<CreateBranchOptions, 'name' | 'expiresAt' | 'annotations'>,
  ): Promise<Branch>;
}

/** Options of `diffSchemas`. */
export interface SchemaDiffOptions {
  /** The database to compare (default: neondb). */
  database?: string;
}
