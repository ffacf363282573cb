/**
 * The safety analysis inside a guarded run (docs/architecture.md, "The run pipeline"): before the
 * checkpoint, lint (error level: exit 2) and destructive changes (promote: unapproved is exit 3,
 * nothing touched); during `test`, each migration applied under the measuring probe; after the
 * apply, the environment's budgets (over budget: the run fails and is restored, exit 1).
 */
import type { Environment, Settings } from '../config/schema.js';
import type { DbClient } from '../db/connect.js';
import type { Approvals } from '../analysis/approvals.js';
import { destructiveVerdict } from '../analysis/approvals.js';
import { type BudgetViolation, checkBudgets } from '../analysis/budgets.js';
import {
  assertDestructiveApproved,
  assertNoLintErrors,
  latencyRegressionError,
  overBudgetError,
} from '../analysis/gates.js';
import {
  compareLatency,
  DEFAULT_MAX_P95_REGRESSION_PCT,
  type QueryTiming,
  timeQueries,
  type WorkloadQuery,
} from '../analysis/latency.js';
import { type RunMeasurement, measureRun, tablesToProbe } from '../analysis/measure.js';
import {
  type AnalysisParts,
  type AnalysisReport,
  buildAnalysisReport,
  type ReportedDestructiveChange,
} from '../analysis/report.js';
import { analyzeMigrations, type SqlMigration } from '../analysis/static.js';
import type { Executor, ExecutorRunResult, ExecutorTarget, ExecutorUnit, UnitResult } from '../executors/types.js';
import { NativeExecutor } from '../executors/native.js';
import { isSqlScript } from '../migrations/types.js';

/** How a guarded run analyses: which environment's rules, approvals (promote), measuring (test). */
export interface AnalysisOptions {
  settings: Pick<Settings, 'lint'>;
  environment: Environment;
  /** Promote: destructive changes must be approved (flags and the environment's `approve`). */
  approvals?: Approvals;
  /** Test: apply each migration under the measuring probe and check the budgets. */
  measure: boolean;
  /** Test: workload queries (`checks.queries`), timed before and after the migrations. */
  queries?: WorkloadQuery[];
}

/** What the analysis gathered during a run. */
export class RunAnalysis {
  private parts: AnalysisParts;
  private readonly sql: SqlMigration[];
  readonly measurements: { version: string; measurement: RunMeasurement }[] = [];
  private latencyBefore?: QueryTiming[];

  constructor(
    private readonly options: AnalysisOptions,
    private readonly executor: Executor,
    units: ExecutorUnit[],
  ) {
    this.parts = { migrations: units.map((u) => ({ version: u.version, name: u.name, file: u.file })) };
    this.sql = units.flatMap((u) => sqlOf(executor, u));
  }

  /** Lint and destructive changes, before anything is touched; throws the gate's refusal. */
  async beforeTouch(db: DbClient): Promise<void> {
    if (!this.sql.length) return;
    const found = await analyzeMigrations(this.sql, this.options.settings, this.options.environment, db);
    let destructive: ReportedDestructiveChange[] = found.destructive;
    if (this.options.approvals) {
      const verdict = destructiveVerdict(found.destructive, this.options.approvals);
      destructive = [...verdict.unapproved, ...verdict.approved, ...verdict.lossless];
      this.parts = { ...this.parts, lint: found.lint, destructive };
      assertNoLintErrors(found.lint);
      assertDestructiveApproved(verdict);
      return;
    }
    this.parts = { ...this.parts, lint: found.lint, destructive };
    assertNoLintErrors(found.lint);
  }

  /** Apply units one at a time under the probe (test); stops at the first failure, like the executor. */
  async applyMeasured(target: ExecutorTarget, units: ExecutorUnit[]): Promise<ExecutorRunResult> {
    const results: UnitResult[] = [];
    let outcome: ExecutorRunResult['outcome'] = 'succeeded';
    for (const u of units) {
      if (outcome !== 'succeeded') {
        results.push({
          version: u.version,
          name: u.name,
          direction: 'up',
          status: 'not-run',
          durationMs: 0,
          transactional: true,
        });
        continue;
      }
      const sql = this.sql.find((s) => s.version === u.version);
      const tables = await tablesToProbe(target.db, u.file ?? u.name, sql?.text);
      const { result, measurement } = await measureRun(target.uri, tables, () => this.executor.apply(target, [u]), {
        statsSession: target.db,
      });
      this.measurements.push({ version: u.version, measurement });
      results.push(...result.results);
      outcome = result.outcome;
    }
    this.parts = { ...this.parts, measurements: this.measurements };
    return { outcome, results };
  }

  /** This run times workload queries before and after (test, with `checks.queries`). */
  get timesQueries(): boolean {
    return this.options.measure && Boolean(this.options.queries?.length);
  }

  /** Time the workload queries before anything is applied. */
  async timeQueriesBefore(db: DbClient): Promise<void> {
    if (this.timesQueries) this.latencyBefore = await timeQueries(db, this.options.queries!);
  }

  /** Time them again after the apply; a p95 regression over the budget is a failure line. */
  async latencyRegression(db: DbClient): Promise<string | undefined> {
    if (!this.latencyBefore || !this.options.queries) return undefined;
    const maxPct = this.options.environment.budgets.maxP95RegressionPct ?? DEFAULT_MAX_P95_REGRESSION_PCT;
    const changes = compareLatency(this.latencyBefore, await timeQueries(db, this.options.queries), maxPct);
    this.parts = { ...this.parts, latency: changes };
    return latencyRegressionError(changes, maxPct)?.message;
  }

  /** The environment's budgets against what was measured: a failure line, or undefined. */
  overBudget(): string | undefined {
    const budgets = this.options.environment.budgets;
    if (!budgets || !this.measurements.length) return undefined;
    const violations: BudgetViolation[] = checkBudgets(
      this.measurements.map((m) => ({
        ...m,
        file: this.sql.find((s) => s.version === m.version)?.file,
        statements: statementsOf(this.executor, m.version),
      })),
      budgets,
    );
    this.parts = { ...this.parts, budgetViolations: violations };
    return overBudgetError(violations)?.message;
  }

  /** The analysis section of the report. */
  report(): AnalysisReport {
    return buildAnalysisReport(this.parts);
  }
}

/** The SQL text of a unit, where neon-migrate can read it (our SQL files). */
function sqlOf(executor: Executor, u: ExecutorUnit): SqlMigration[] {
  if (!(executor instanceof NativeExecutor)) return [];
  const m = executor.migration(u);
  return isSqlScript(m.up) ? [{ version: u.version, name: u.name, file: m.upFile, text: m.up.text }] : [];
}

function statementsOf(executor: Executor, version: string): string[] | undefined {
  if (!(executor instanceof NativeExecutor)) return undefined;
  const m = executor.migrations.find((x) => x.version === version);
  return m && isSqlScript(m.up) ? m.up.statements.map((s) => s.sql) : undefined;
}
