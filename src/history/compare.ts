/**
 * Comparing the files on disk with a branch's history: applied, pending, drifted (edited after
 * apply), missing (applied but gone from disk), and out-of-order pending migrations.
 */
import { MigrationFileError } from '../errors.js';
import type { AppliedRow } from './store.js';
import { partialError, type PartialRow } from './partial.js';
import type { Direction } from '../run/select.js';
import type { Migration } from '../migrations/types.js';

export type MigrationState = 'applied' | 'pending' | 'drifted';

export interface StatusEntry {
  version: string;
  name: string;
  /** `tool`: a revision of a wrapped tool (Alembic...), read through the tool itself. */
  kind: 'sql' | 'ts' | 'tool';
  state: MigrationState;
  reversible: boolean;
  noTransaction: boolean;
  appliedAt?: string;
  /** Applied, but no guarded run (test, promote) has verified it on this branch. */
  unverified?: boolean;
  /** Applied, and the down file changed since (not blocking: the down has not run). */
  downChanged?: boolean;
  /** Pending but older than the newest applied migration. */
  outOfOrder?: boolean;
  /** It stopped partway outside a transaction (see partial.ts); blocks every run until resumed or undone. */
  partial?: PartialRow;
  file: string;
  notes: string[];
}

export interface MissingEntry {
  version: string;
  name: string;
  appliedAt: string;
}

export interface BranchState {
  entries: StatusEntry[];
  missing: MissingEntry[];
  applied: AppliedRow[];
  partial: PartialRow[];
}

/** Join files and history into one view. */
export function compareWithHistory(
  migrations: Migration[],
  applied: AppliedRow[],
  partial: PartialRow[] = [],
): BranchState {
  const byVersion = new Map(applied.map((a) => [a.version, a]));
  const partialOf = new Map(partial.map((p) => [p.version, p]));
  const onDisk = new Set(migrations.map((m) => m.version));
  // The files are in run order (the `ordering` setting): a pending file before an applied one is out of order.
  const lastAppliedIndex = migrations.reduce((last, m, i) => (byVersion.has(m.version) ? i : last), -1);
  const entries = migrations.map((m, index): StatusEntry => {
    const a = byVersion.get(m.version);
    const notes = 'notes' in m.up ? [...m.up.notes, ...(m.down && 'notes' in m.down ? m.down.notes : [])] : [];
    const p = partialOf.get(m.version);
    const base = {
      version: m.version,
      name: m.name,
      kind: m.kind,
      reversible: m.reversible,
      noTransaction: m.up.noTransaction,
      file: m.upFile,
      notes,
      ...(p ? { partial: p } : {}),
    };
    if (!a) {
      const outOfOrder = index < lastAppliedIndex;
      return { ...base, state: 'pending', ...(outOfOrder ? { outOfOrder } : {}) };
    }
    const state: MigrationState = a.checksum === m.checksum ? 'applied' : 'drifted';
    const downChanged = m.kind === 'sql' && (a.downChecksum ?? undefined) !== m.downChecksum;
    const unverified = !a.verifiedBy;
    return {
      ...base,
      state,
      appliedAt: a.appliedAt,
      ...(downChanged ? { downChanged } : {}),
      ...(unverified ? { unverified } : {}),
    };
  });
  const missing = applied
    .filter((a) => !onDisk.has(a.version))
    .map((a) => ({ version: a.version, name: a.name, appliedAt: a.appliedAt }));
  return { entries, missing, applied, partial };
}

/**
 * Throw when a migration that stopped partway, drift, missing files or out-of-order pending
 * migrations block a run (exit 2). `resume` lets a partial migration of that direction through.
 */
export function assertRunnable(state: BranchState, context: { branch?: string; resume?: Direction } = {}): void {
  for (const p of state.partial) {
    if (p.direction === context.resume) continue;
    const e = state.entries.find((x) => x.version === p.version);
    throw partialError(p, e?.file ?? p.name, context.branch ?? '<branch>');
  }
  const drifted = state.entries.find((e) => e.state === 'drifted');
  if (drifted) {
    throw new MigrationFileError(`drift: ${drifted.file} changed after it was applied (version ${drifted.version})`, {
      hint: `restore the file as applied, or accept the change with \`neon-migrate status --accept ${drifted.version}\``,
      code: 'DRIFT',
    });
  }
  const missing = state.missing[0];
  if (missing) {
    throw new MigrationFileError(
      `missing: migration ${missing.name} (version ${missing.version}) is applied on the branch but its file is gone`,
      {
        hint: 'restore the file from version control (a migration that ran must stay in migrations/)',
        code: 'MISSING_FILE',
      },
    );
  }
  const late = state.entries.find((e) => e.outOfOrder);
  if (late) {
    throw new MigrationFileError(
      `out of order: ${late.file} (version ${late.version}) is older than the newest applied migration`,
      {
        hint: 'rename it with a version newer than the last applied one (`neon-migrate new` picks one)',
        code: 'OUT_OF_ORDER',
      },
    );
  }
}
