/** The shapes of loaded migrations, shared by the loader, the planner and the runner. */
import type { BackfillFn } from '../backfill/entry.js';
import type { SqlScript } from './sql.js';

/** What a TypeScript migration's `up`/`down` receives. */
export interface MigrationContext {
  /** The run's session (inside the migration's transaction unless `transaction = false`). */
  client: {
    query<R = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<{ rows: R[]; rowCount: number }>;
  };
  /** Log a line through the run's logger. */
  log(message: string): void;
  /** The branch being migrated. */
  branch: string;
  /** Run a batched, resumable backfill (src/backfill); only in a migration with `transaction = false`. */
  backfill?: BackfillFn;
}

export type MigrationFn = (ctx: MigrationContext) => Promise<void> | void;

/** A TypeScript migration module, loaded without a build step. */
export interface TsModule {
  file: string;
  up: MigrationFn;
  down?: MigrationFn;
  /** `export const transaction = false` runs it outside a transaction. */
  noTransaction: boolean;
}

/** One migration as found on disk. */
export interface Migration {
  /** Normalised version: the leading digits of the name, separators removed, leading zeros dropped. */
  version: string;
  /** The base name, e.g. `20261120T101500_add_subtasks`. */
  name: string;
  kind: 'sql' | 'ts';
  /** SHA-256 (hex) of the up file (SQL) or of the module (TS): what drift is measured against. */
  checksum: string;
  /** SHA-256 of the down file, when there is one (SQL pairs). */
  downChecksum?: string;
  /** Files relative to the project dir. */
  upFile: string;
  downFile?: string;
  up: SqlScript | TsModule;
  down?: SqlScript | TsModule;
  /** A down exists. */
  reversible: boolean;
}

/** True when a script is SQL (not a TS module). */
export function isSqlScript(s: SqlScript | TsModule): s is SqlScript {
  return 'statements' in s;
}
