/**
 * The analysis section of a run report (issue 11): per migration its lint findings, destructive
 * changes (with rows at risk and approval), and what was measured on the branch; then budget
 * violations and workload latency. Plain data, saved in the JSON report as `analysis`.
 */
import type { Approval } from './approvals.js';
import type { BudgetViolation } from './budgets.js';
import type { LatencyChange } from './latency.js';
import type { AllowedFinding, AllowProblem, LintFinding } from './lint.js';
import type { RunMeasurement } from './measure.js';
import type { CountedChange } from './rows-at-risk.js';
import type { DestructiveChange } from './destructive.js';

/** A destructive change as reported: rows at risk when counted, approval when approved. */
export type ReportedDestructiveChange = (DestructiveChange | CountedChange) & { approval?: Approval };

export interface MigrationAnalysis {
  version: string;
  name?: string;
  file?: string;
  lint: LintFinding[];
  /** Findings suppressed by `-- neon-migrate:allow`, with the reason. */
  allowed: AllowedFinding[];
  allowProblems: AllowProblem[];
  destructive: ReportedDestructiveChange[];
  /** Measured on the branch during `test`; absent for static analysis (`plan`). */
  measurement?: RunMeasurement;
}

export interface AnalysisReport {
  analysisVersion: 1;
  migrations: MigrationAnalysis[];
  budgetViolations: BudgetViolation[];
  latency: LatencyChange[];
  /** Error-level lint findings (stop `test` with exit 2). */
  lintErrors: number;
  /** Destructive changes without approval (stop `promote` with exit 3). */
  unapprovedDestructive: number;
}

/** The pieces a run has gathered; every part is optional so `plan` (static) and `test` (measured) share it. */
export interface AnalysisParts {
  migrations: { version: string; name?: string; file?: string }[];
  lint?: { findings: LintFinding[]; allowed: AllowedFinding[]; allowProblems: AllowProblem[] };
  /** All destructive changes: unapproved ones plus approved ones carrying `approval`. */
  destructive?: ReportedDestructiveChange[];
  measurements?: { version: string; measurement: RunMeasurement }[];
  budgetViolations?: BudgetViolation[];
  latency?: LatencyChange[];
}

/** Group a run's findings and measurements per migration (by version, or by file for lint). */
export function buildAnalysisReport(parts: AnalysisParts): AnalysisReport {
  const belongs = (m: { version: string; file?: string }, x: { version?: string; file?: string }) =>
    x.version !== undefined ? x.version === m.version : x.file !== undefined && x.file === m.file;
  const migrations: MigrationAnalysis[] = parts.migrations.map((m) => {
    const measurement = parts.measurements?.find((x) => x.version === m.version)?.measurement;
    return {
      ...m,
      lint: (parts.lint?.findings ?? []).filter((f) => belongs(m, f)),
      allowed: (parts.lint?.allowed ?? []).filter((f) => belongs(m, f)),
      allowProblems: (parts.lint?.allowProblems ?? []).filter((p) => p.file === m.file),
      destructive: (parts.destructive ?? []).filter((d) => belongs(m, d)),
      ...(measurement ? { measurement } : {}),
    };
  });
  return {
    analysisVersion: 1,
    migrations,
    budgetViolations: parts.budgetViolations ?? [],
    latency: parts.latency ?? [],
    lintErrors: (parts.lint?.findings ?? []).filter((f) => f.level === 'error').length,
    unapprovedDestructive: (parts.destructive ?? []).filter((d) => !d.approval && !d.lossless).length,
  };
}
