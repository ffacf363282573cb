/**
 * The analysis as the run pipeline's gates: one typed error per stop, with the exit code the issue
 * asks for. The pipeline decides when to call each (and restores before throwing an over-budget
 * or latency failure).
 */
import { GateError, MigrationFailedError, MigrationFileError } from '../errors.js';
import { describeUnapproved, type DestructiveVerdict } from './approvals.js';
import type { BudgetViolation } from './budgets.js';
import type { LatencyChange } from './latency.js';
import type { LintResult } from './lint.js';

/** Before the checkpoint (`test`): an error-level lint finding stops the run, exit 2, nothing changed. */
export function assertNoLintErrors(result: LintResult): void {
  const errors = result.findings.filter((f) => f.level === 'error');
  const first = errors[0];
  if (!first) return;
  const more = errors.length > 1 ? ` (and ${errors.length - 1} more)` : '';
  throw new MigrationFileError(`${first.file}:${first.line}: ${first.rule}: ${first.message}${more}`, {
    hint:
      `${first.safer ? `${first.safer}; ` : ''}` +
      `or add "-- neon-migrate:allow ${first.rule} because <reason>" above the statement`,
    code: 'LINT_ERROR',
  });
}

/** At `promote`: an unapproved destructive change refuses the run, exit 3, nothing touched. */
export function assertDestructiveApproved(verdict: DestructiveVerdict): void {
  if (verdict.unapproved.length === 0) return;
  const { message, hint } = describeUnapproved(verdict.unapproved);
  throw new GateError(message, { hint, code: 'DESTRUCTIVE_UNAPPROVED' });
}

/** After a measured `test` run (and after the branch was restored): over budget fails it, exit 1. */
export function overBudgetError(violations: BudgetViolation[]): MigrationFailedError | undefined {
  const first = violations[0];
  if (!first) return undefined;
  const more = violations.length > 1 ? ` (and ${violations.length - 1} more)` : '';
  return new MigrationFailedError(`over budget: ${first.message}${more}; the branch was restored`, {
    hint: `safer: ${first.safer}`,
    code: 'OVER_BUDGET',
  });
}

/** After a measured `test` run (and after the branch was restored): a p95 regression fails it, exit 1. */
export function latencyRegressionError(changes: LatencyChange[], maxPct: number): MigrationFailedError | undefined {
  const worst = changes.filter((c) => c.regressed).sort((a, b) => b.p95ChangePct - a.p95ChangePct)[0];
  if (!worst) return undefined;
  return new MigrationFailedError(
    `${worst.name}: p95 ${worst.before.p95Ms} → ${worst.after.p95Ms} ms ` +
      `(+${worst.p95ChangePct}%, limit +${maxPct}%); the branch was restored`,
    {
      hint: 'check the query plan (EXPLAIN) after the migration: a dropped or changed index is the usual cause',
      code: 'LATENCY_REGRESSION',
    },
  );
}
