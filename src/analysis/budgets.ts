/** Checking measured runs against an environment's budgets (`budgets` in the environment file). */
import type { z } from 'zod';
import type { budgetsSchema } from '../config/schema.js';
import type { RunMeasurement } from './measure.js';
import { type MeasuredProblem, saferFormForStatement } from './safer-forms.js';

export type Budgets = z.output<typeof budgetsSchema>;

/** One migration's measurement, with the SQL it ran (to name the statement and its safer form). */
export interface MeasuredMigration {
  version: string;
  file?: string;
  /** The migration's statements as parsed (`SqlScript.statements[].sql`); absent for opaque runs. */
  statements?: string[];
  measurement: RunMeasurement;
}

export interface BudgetViolation {
  version: string;
  file?: string;
  table: string;
  budget: 'maxBlockedMs' | 'maxRewriteMB';
  measured: number;
  limit: number;
  /** One line: what was measured against what budget. */
  message: string;
  safer: string;
}

const MB = 1024 * 1024;

/** The safer form for the first statement naming `table` that has a specific one, or the generic advice. */
function saferFor(statements: string[] | undefined, table: string, problem: MeasuredProblem): string {
  const bare = table.slice(table.lastIndexOf('.') + 1).replace(/[^\w$]/g, '');
  const naming = (statements ?? []).filter((s) => new RegExp(`\\b${bare}\\b`, 'i').test(s));
  const specific = naming.map((s) => saferFormForStatement(s, problem));
  return (
    specific.find((s) => !s.startsWith('avoid the table rewrite') && !s.startsWith('split the change')) ??
    saferFormForStatement('', problem)
  );
}

/** Every budget a measured migration exceeded; empty when all are within budget (or none is set). */
export function checkBudgets(migrations: MeasuredMigration[], budgets: Budgets): BudgetViolation[] {
  const out: BudgetViolation[] = [];
  for (const m of migrations) {
    for (const t of m.measurement.tables) {
      const blocked = Math.max(t.maxWriteBlockedMs, t.maxReadBlockedMs);
      if (budgets.maxBlockedMs !== undefined && blocked > budgets.maxBlockedMs) {
        const what = t.maxReadBlockedMs >= t.maxWriteBlockedMs ? 'reads and writes' : 'writes';
        const mode = t.strongestMode ? ` (${t.strongestMode})` : '';
        out.push({
          version: m.version,
          ...(m.file ? { file: m.file } : {}),
          table: t.table,
          budget: 'maxBlockedMs',
          measured: blocked,
          limit: budgets.maxBlockedMs,
          message:
            `${m.version} blocked ${what} on ${t.table} for ${blocked} ms${mode}; ` +
            `budget ${budgets.maxBlockedMs} ms`,
          safer: saferFor(m.statements, t.table, 'blocked'),
        });
      }
      const size = Math.max(t.sizeBefore ?? 0, t.sizeAfter ?? 0) / MB;
      if (t.rewritten && budgets.maxRewriteMB !== undefined && size > budgets.maxRewriteMB) {
        out.push({
          version: m.version,
          ...(m.file ? { file: m.file } : {}),
          table: t.table,
          budget: 'maxRewriteMB',
          measured: Math.round(size * 10) / 10,
          limit: budgets.maxRewriteMB,
          message: `${m.version} rewrote ${t.table} (${size.toFixed(1)} MB); budget ${budgets.maxRewriteMB} MB`,
          safer: saferFor(m.statements, t.table, 'rewrite'),
        });
      }
    }
  }
  return out;
}
