/**
 * The executor seam (docs/architecture.md, "The run pipeline"): the pipeline owns safety (lock,
 * checkpoint, snapshot, verify, reversibility, gate, restore, report); an executor only knows how
 * to read a branch's applied/pending units, apply them, revert to a revision, render SQL offline
 * where it can, and fingerprint "what was tested". Our own SQL/TS files are one executor
 * (`native`); a wrapped tool (Alembic, node-pg-migrate, drizzle-kit, knex, dbmate, sqitch, any
 * command) is another, and needs no second copy of the pipeline.
 */
import type { DbClient } from '../db/connect.js';
import type { TouchedTables } from '../verify/touched.js';

/** The `runner` setting's kinds. */
export type ExecutorKind =
  | 'native'
  | 'alembic'
  | 'node-pg-migrate'
  | 'drizzle'
  | 'knex'
  | 'dbmate'
  | 'sqitch'
  | 'command';

/** One unit an executor applies: one of our migration files, or a revision of a wrapped tool. */
export interface ExecutorUnit {
  /** Our normalised version, or the tool's revision id. */
  version: string;
  name: string;
  /** SHA-256 of what runs up (the file, or the tool's revision file). */
  checksum: string;
  /** SHA-256 of what runs down, when it is a separate file; null when none is separate. */
  downChecksum: string | null;
  /** A down exists for this unit. */
  reversible: boolean;
  /** File relative to the project, for messages. */
  file?: string;
  /** The down file relative to the project, when it is a separate file. */
  downFile?: string;
}

/** The status of one unit after a run (per-migration results, never thrown half-way). */
export type UnitStatus = 'applied' | 'reverted' | 'failed' | 'partial' | 'not-run';

export interface UnitError {
  message: string;
  /** SQLSTATE, when Postgres raised it. */
  sqlState?: string;
  /** 0-based index of the statement that failed (our SQL files). */
  statementIndex?: number;
  /** `file:line:column`, the file, or the tool's command. */
  location: string;
}

export interface UnitResult {
  version: string;
  name: string;
  direction: 'up' | 'down';
  status: UnitStatus;
  durationMs: number;
  /** False when the unit ran outside a transaction (or the executor cannot tell). */
  transactional: boolean;
  statementsDone?: number;
  error?: UnitError;
}

/** What a wrapped tool did: kept in the report, secrets scrubbed. */
export interface ToolInvocation {
  /** The command line, without secrets. */
  command: string;
  exitCode: number | null;
  durationMs: number;
  /** stdout+stderr, scrubbed of the branch password and API keys, truncated to a sane size. */
  output: string;
  /** Killed because it ran past the configured limit. */
  timedOut?: boolean;
}

export interface ExecutorRunResult {
  outcome: 'succeeded' | 'failed' | 'partial';
  results: UnitResult[];
  /** The tool's revision before and after (wrapped tools), for the report. */
  revisionBefore?: string | null;
  revisionAfter?: string | null;
  tool?: ToolInvocation[];
}

/** The branch an executor works on, with the session that holds its run lock. */
export interface ExecutorTarget {
  branch: string;
  /** The branch's direct connection URI (DATABASE_URL for wrapped tools). */
  uri: string;
  /** The run session (holds the branch's advisory lock; lock_timeout/statement_timeout are set on it). */
  db: DbClient;
  runId: string;
  log?: (message: string) => void;
  /** lock_timeout / statement_timeout (Postgres duration text) for the executor's own statements. */
  timeouts: { lockTimeout: string; statementTimeout: string };
  /** Process environment for wrapped tools (PATH, the venv...). */
  env: NodeJS.ProcessEnv;
  /** A terminal for progress bars (batched backfills); without one, progress goes to `log` as lines. */
  progressStream?: NodeJS.WritableStream;
}

/** Applied and pending units on a branch, as the executor (or the tool itself) reports them. */
export interface ExecutorState {
  /** The current revision (wrapped tools) or the newest applied version (native); null when none. */
  current: string | null;
  applied: ExecutorUnit[];
  pending: ExecutorUnit[];
}

/** "What was tested": a content hash of the executor's files plus its head revision. */
export interface ExecutorFingerprint {
  hash: string;
  head: string | null;
}

/** Why an executor cannot do something (one line), or undefined when it can. */
export interface ExecutorLimits {
  down?: string;
  offlineSql?: string;
}

/** One way of applying migrations; the run pipeline drives it. */
export interface Executor {
  readonly kind: ExecutorKind;
  readonly limits: ExecutorLimits;
  /**
   * The wrapped tool's own history tables (`schema.table`): its first run creates them and no down
   * drops them, so the reversibility check ignores them when they are all that the down left behind.
   */
  readonly historyTables?: readonly string[];
  /** Validate before anything is touched (tool on PATH, files readable): UsageError/MigrationFileError, exit 2. */
  prepare(): Promise<void>;
  /** What is applied and pending on the branch. Throws when the branch cannot run (drift, partial...). */
  state(target: ExecutorTarget): Promise<ExecutorState>;
  /** Apply `units` (a prefix of the pending list, in order). */
  apply(target: ExecutorTarget, units: ExecutorUnit[]): Promise<ExecutorRunResult>;
  /** Revert `units` (applied, newest first). Only when `limits.down` is unset. */
  revert(target: ExecutorTarget, units: ExecutorUnit[]): Promise<ExecutorRunResult>;
  /** The SQL a run of `units` would execute, without connecting, where the executor can. */
  renderSql?(units: ExecutorUnit[], direction: 'up' | 'down'): Promise<string>;
  fingerprint(): Promise<ExecutorFingerprint>;
  /**
   * The tables `units` touch, for the "untouched tables are identical" check. Absent when the SQL is
   * not ours to read (wrapped tools): the pipeline then derives it from the snapshots.
   */
  touches?(units: ExecutorUnit[]): Promise<TouchedTables>;
}
