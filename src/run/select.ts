/** Choosing which migrations a run applies or reverts (`--to V`, `--steps N`). */
import { MigrationFileError, UsageError } from '../errors.js';
import { versionArgument } from '../migrations/naming.js';
import type { BranchState } from '../history/compare.js';
import type { Migration } from '../migrations/types.js';
import { unitOf } from '../executors/native.js';
import type { ExecutorState, ExecutorUnit } from '../executors/types.js';

export type Direction = 'up' | 'down';

export interface Selection {
  /** `--to`: a version (raw, normalised here). */
  to?: string;
  /** `--steps`: how many migrations. */
  steps?: number;
}

/** Validate `--to`/`--steps` (exclusive; steps a positive integer). */
export function validateSelection(sel: Selection): { to?: string; steps?: number } {
  if (sel.to !== undefined && sel.steps !== undefined)
    throw new UsageError('--to and --steps cannot be combined', { hint: 'pass one of them' });
  if (sel.steps !== undefined && (!Number.isInteger(sel.steps) || sel.steps < 1)) {
    throw new UsageError(`--steps must be a positive whole number, got ${String(sel.steps)}`, {
      hint: 'e.g. --steps 1',
      code: 'BAD_STEPS',
    });
  }
  return { to: sel.to === undefined ? undefined : versionArgument(sel.to), steps: sel.steps };
}

/** Refuse a `--to` version that no migration has (checked before connecting, and again against history). */
export function assertKnownTarget(
  direction: Direction,
  migrations: Migration[],
  to: string | undefined,
  raw: string | undefined,
  applied: string[] = [],
): void {
  if (to === undefined || (direction === 'down' && to === '0')) return;
  if (migrations.some((m) => m.version === to) || applied.includes(to)) return;
  throw new UsageError(`--to ${raw ?? to}: no migration has version ${to}`, {
    hint:
      direction === 'down'
        ? 'run `neon-migrate status` to see the versions (`--to 0` reverts everything)'
        : 'run `neon-migrate status` to see the versions',
    code: 'UNKNOWN_VERSION',
  });
}

/**
 * The units a run applies or reverts, in execution order, by position in the executor's lists
 * (pending in apply order, applied in apply order), so wrapped tools' revisions select the same
 * way as our versions. Down defaults to one step; `--to 0` reverts everything.
 */
export function selectUnits(
  direction: Direction,
  state: Pick<ExecutorState, 'applied' | 'pending'>,
  sel: Selection,
): ExecutorUnit[] {
  const { to, steps } = validateSelection(sel);
  const known = (v: string) => state.pending.some((u) => u.version === v) || state.applied.some((u) => u.version === v);
  if (to !== undefined && !(direction === 'down' && to === '0') && !known(to))
    assertKnownTarget(direction, [], to, sel.to);
  if (direction === 'up') {
    let pending = state.pending;
    if (to !== undefined) {
      const at = pending.findIndex((u) => u.version === to);
      pending = at < 0 ? [] : pending.slice(0, at + 1);
    }
    return steps !== undefined ? pending.slice(0, steps) : pending;
  }
  const applied = [...state.applied].reverse();
  let chosen: ExecutorUnit[];
  if (to === undefined) chosen = applied.slice(0, steps ?? 1);
  else if (to === '0') chosen = applied;
  else {
    const at = applied.findIndex((u) => u.version === to);
    chosen = at < 0 ? [] : applied.slice(0, at);
  }
  const irreversible = chosen.find((u) => !u.reversible);
  if (irreversible) {
    const file = irreversible.file ?? irreversible.name;
    throw new MigrationFileError(`${file} has no down migration, so it cannot be reverted`, {
      hint: file.endsWith('.ts')
        ? `export a down(ctx) from ${file}`
        : file.endsWith('up.sql')
          ? `add ${file.replace(/up\.sql$/, 'down.sql')}, or restore from the checkpoint with \`neon-migrate rollback\``
          : 'restore from the checkpoint with `neon-migrate rollback`',
      code: 'NO_DOWN',
    });
  }
  return chosen;
}

/** The migrations a run touches, in execution order (selectUnits over a branch state of our files). */
export function selectMigrations(
  direction: Direction,
  migrations: Migration[],
  state: BranchState,
  sel: Selection,
): Migration[] {
  const applied = new Set(state.entries.filter((e) => e.state !== 'pending').map((e) => e.version));
  const units = migrations.map(unitOf);
  const chosen = selectUnits(
    direction,
    {
      applied: units.filter((u) => applied.has(u.version)),
      pending: units.filter((u) => !applied.has(u.version)),
    },
    sel,
  );
  const byVersion = new Map(migrations.map((m) => [m.version, m]));
  return chosen.map((u) => byVersion.get(u.version)!);
}
