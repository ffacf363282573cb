/** Choosing which migrations a run applies or reverts (`--to V`, `--steps N`). */
import { MigrationFileError, UsageError } from '../errors.js';
import { compareVersions, versionArgument } from './naming.js';
import type { BranchState } from './state.js';
import type { Migration } from './types.js';

export type Direction = 'up' | 'down';

export interface Selection {
  /** `--to`: a version (raw, normalised here). */
  to?: string;
  /** `--steps`: how many migrations. */
  steps?: number;
}

/** Validate `--to`/`--steps` (exclusive; steps a positive integer). */
export function validateSelection(sel: Selection): { to?: string; steps?: number } {
  if (sel.to !== undefined && sel.steps !== undefined) throw new UsageError('--to and --steps cannot be combined', 'pass one of them');
  if (sel.steps !== undefined && (!Number.isInteger(sel.steps) || sel.steps < 1)) {
    throw new UsageError(`--steps must be a positive whole number, got ${String(sel.steps)}`, 'e.g. --steps 1', 'BAD_STEPS');
  }
  return { to: sel.to === undefined ? undefined : versionArgument(sel.to), steps: sel.steps };
}

/** Refuse a `--to` version that no migration has (checked before connecting, and again against history). */
export function assertKnownTarget(direction: Direction, migrations: Migration[], to: string | undefined, raw: string | undefined, applied: string[] = []): void {
  if (to === undefined || (direction === 'down' && to === '0')) return;
  if (migrations.some((m) => m.version === to) || applied.includes(to)) return;
  throw new UsageError(
    `--to ${raw ?? to}: no migration has version ${to}`,
    direction === 'down' ? 'run `neon-migrate status` to see the versions (`--to 0` reverts everything)' : 'run `neon-migrate status` to see the versions',
    'UNKNOWN_VERSION',
  );
}

/** The migrations a run touches, in execution order. Down defaults to one step. */
export function selectMigrations(direction: Direction, migrations: Migration[], state: BranchState, sel: Selection): Migration[] {
  const { to, steps } = validateSelection(sel);
  assertKnownTarget(direction, migrations, to, sel.to, state.applied.map((a) => a.version));
  const appliedVersions = new Set(state.entries.filter((e) => e.state !== 'pending').map((e) => e.version));
  // Migrations are in run order (the `ordering` setting): `--to` is a position in that order.
  const position = new Map(migrations.map((m, i) => [m.version, i]));
  const upTo = (m: Migration) => (to === undefined ? true : position.has(to) ? position.get(m.version)! <= position.get(to)! : compareVersions(m.version, to) <= 0);
  if (direction === 'up') {
    let pending = migrations.filter((m) => !appliedVersions.has(m.version));
    if (to !== undefined) pending = pending.filter(upTo);
    if (steps !== undefined) pending = pending.slice(0, steps);
    return pending;
  }
  const applied = migrations.filter((m) => appliedVersions.has(m.version)).reverse();
  const chosen = to !== undefined ? applied.filter((m) => to === '0' || !upTo(m)) : applied.slice(0, steps ?? 1);
  const irreversible = chosen.find((m) => !m.reversible);
  if (irreversible) {
    throw new MigrationFileError(
      `${irreversible.upFile} has no down migration, so it cannot be reverted`,
      irreversible.kind === 'ts' ? `export a down(ctx) from ${irreversible.upFile}` : `add ${irreversible.upFile.replace(/up\.sql$/, 'down.sql')}, or restore from the checkpoint with \`neon-migrate rollback\``,
      'NO_DOWN',
    );
  }
  return chosen;
}
