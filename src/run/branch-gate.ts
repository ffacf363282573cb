/**
 * The gate in front of plain `up` / `down` runs: a branch that an environment gates (one with
 * `requires`, e.g. `main` behind `staging`) or that the platform protects only changes through
 * `promote` / `rollback`, unless the caller skips the gate explicitly and confirms (README "Exit codes", exit 3).
 */
import { loadAllEnvironments } from '../config/load.js';
import type { Settings } from '../config/schema.js';
import { GateError, notConfirmed, UsageError } from '../errors.js';
import type { Branch } from '../platform/types.js';
import type { Direction } from './select.js';

/** Why a branch is closed to plain runs. */
export interface BranchGate {
  branch: string;
  /** One line, e.g. `main is gated by environments/prod.json (requires staging)`. */
  reason: string;
}

/** How a gated run went ahead anyway (recorded in the run's report and history). */
export interface GateSkip extends BranchGate {
  /** `--skip-gate` (confirmed), or `rollback --strategy down`, the sanctioned way to revert. */
  by: 'skip-gate' | 'rollback';
}

/**
 * The gate of a branch from the environment files, before anything connects. Every environment
 * file is read: a broken one could be the one gating the branch, so it is an error, not a pass.
 */
export function environmentGate(projectDir: string, settings: Settings, branch: string): BranchGate | undefined {
  const gated = loadAllEnvironments(projectDir, settings).find((e) => e.branch === branch && e.requires.length > 0);
  return gated
    ? { branch, reason: `${branch} is gated by ${gated.file} (requires ${gated.requires.join(', ')})` }
    : undefined;
}

/** The gate of a branch as the platform resolved it: its environment (by real name) or its protection. */
export function resolvedGate(projectDir: string, settings: Settings, branch: Branch): BranchGate | undefined {
  return (
    environmentGate(projectDir, settings, branch.name) ??
    (branch.protected ? { branch: branch.name, reason: `${branch.name} is a protected branch` } : undefined)
  );
}

/** The refusal of a plain run on a gated branch: one line naming the gate and the ways forward. */
export function gateRefusal(gate: BranchGate, direction: Direction): GateError {
  const sanctioned =
    direction === 'up' ? 'use `neon-migrate promote`' : `use \`neon-migrate rollback --branch ${gate.branch}\``;
  return new GateError(`${direction} on ${gate.branch} refused: ${gate.reason}`, {
    hint: `${sanctioned}, or pass --skip-gate to ${direction === 'up' ? 'apply' : 'revert'} anyway; nothing was changed`,
    code: 'BRANCH_GATED',
  });
}

/** Ask to skip the gate: no confirm callback is a usage error (exit 2), a "no" is a refusal (exit 3). */
export async function confirmGateSkip(
  gate: BranchGate,
  question: string,
  confirm: ((q: string) => Promise<boolean>) | undefined,
): Promise<void> {
  const full = `${gate.reason}; skip the gate and ${question}?`;
  if (!confirm)
    throw new UsageError(`confirmation needed: ${full}`, {
      hint: 'pass --yes to confirm',
      code: 'CONFIRMATION_REQUIRED',
    });
  if (!(await confirm(full))) throw notConfirmed(`skipping the gate of ${gate.branch}`);
}
