/**
 * Run reports: what every workflow run (test, promote, rollback, restore) writes to
 * `.neon-migrate/reports/<run id>.json` and records in the branch's `neon_migrate.runs`.
 */
import {
  accessSync,
  constants,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { redactSecrets, UsageError } from '../errors.js';
import type { IntegritySnapshot } from '../verify/snapshot.js';
import type { VerificationResult } from '../verify/verify.js';
import type { ReportRestore } from '../run/checkpoint-restore.js';
import type { AnalysisReport } from '../analysis/report.js';
import type { ReportReversibility } from '../run/reversibility.js';
import type { ReportSchemaOnly } from './schema-only.js';

export type { ReportRestore, ReportReversibility };

export type WorkflowCommand = 'test' | 'promote' | 'rollback' | 'restore';
/** passed: applied and verified · failed: something failed and the branch was restored · nothing-to-do. */
export type RunOutcomeName = 'passed' | 'failed' | 'nothing-to-do';

export interface ReportMigration {
  version: string;
  name: string;
  checksum: string;
  /** The down file's checksum when tested (the promote gate compares it); null: no separate down file; absent: a report from before down checksums were recorded. */
  downChecksum?: string | null;
  direction: 'up' | 'down';
  status: string;
  durationMs: number;
  error?: string;
}

/** The verification result as reported: everything but the raw after-state (kept in `integrity`). */
export type ReportVerification = Omit<VerificationResult, 'after' | 'fingerprintAfter'>;

export interface RunReport {
  reportVersion: 1;
  runId: string;
  command: WorkflowCommand;
  branch: string;
  environment?: string;
  platform: 'local' | 'neon';
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  outcome: RunOutcomeName;
  /** One line: why the run failed. */
  failure?: string;
  checkpoint?: string;
  /** When the branch was last refreshed from its parent (test runs; the promote gate reads it). */
  refreshedAt?: string;
  parent?: string;
  timings: { phase: string; ms: number }[];
  migrations: ReportMigration[];
  integrity: { before?: IntegritySnapshot; after?: IntegritySnapshot };
  verification?: ReportVerification;
  reversibility?: ReportReversibility;
  /** A wrapped tool's "what was tested": a hash of its files (revisions, env.py, config) and its head. */
  runner?: { kind: string; hash: string; head: string | null };
  restore?: ReportRestore;
  /** Lint findings, destructive changes, and what was measured per migration (test, promote). */
  analysis?: AnalysisReport;
  /** A schema-only test: the copy it ran on, and that data checks were skipped (issue 13). */
  schemaOnly?: ReportSchemaOnly;
  /** The run's branch is masked (anonymized) with this many rules; a failure there is not restored. */
  masking?: { rules: number };
  /** Free-form facts (gate details, dry-run deltas...). */
  notes: string[];
}

/** Measures phases of a run for the report's timings. */
export { PhaseTimer } from '../run/phase-timer.js';

/**
 * The reports directory of a project.
 *
 * @example
 * ```ts
 * const dir = reportsDir(projectDir); // <project>/.neon-migrate/reports
 * ```
 */
export function reportsDir(projectDir: string): string {
  return path.join(projectDir, '.neon-migrate', 'reports');
}

/**
 * Refuse a run whose report could not be written, before it touches anything: a run that applies
 * and then cannot save its report would otherwise stay unrecorded.
 */
export function assertReportsWritable(projectDir: string): void {
  const dir = reportsDir(projectDir);
  try {
    mkdirSync(dir, { recursive: true });
    accessSync(dir, constants.W_OK);
    if (!statSync(dir).isDirectory()) throw new Error('not a directory');
  } catch (err) {
    throw new UsageError(
      `cannot write run reports to ${path.relative(projectDir, dir) || dir}: ${(err as Error).message}`,
      { hint: 'make .neon-migrate/reports a writable directory; nothing was changed', code: 'REPORTS_UNWRITABLE' },
    );
  }
}

/** Write a report as JSON (secrets redacted); returns its path relative to the project. */
export function saveReport(projectDir: string, report: RunReport): string {
  const dir = reportsDir(projectDir);
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${report.runId}.json`);
  writeFileSync(file, `${redactSecrets(JSON.stringify(report, null, 2))}\n`);
  return path.relative(projectDir, file);
}

/**
 * Read a saved report by run id (or `latest`).
 *
 * @example
 * ```ts
 * const report = loadReport(projectDir, 'latest');
 * console.log(renderReport(report, 'markdown'));
 * ```
 */
export function loadReport(projectDir: string, id: string): RunReport {
  const dir = reportsDir(projectDir);
  const files = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.json')) : [];
  let file: string | undefined;
  if (id === 'latest') {
    file = files.sort((a, b) => statSync(path.join(dir, a)).mtimeMs - statSync(path.join(dir, b)).mtimeMs).at(-1);
  } else {
    file = files.find((f) => f === `${id}.json`) ?? files.find((f) => f.startsWith(id));
  }
  if (!file) {
    throw new UsageError(id === 'latest' ? 'no run reports yet' : `no report for run "${id}"`, {
      hint: files.length
        ? `reports are in ${path.relative(projectDir, dir)}/`
        : 'run `neon-migrate test --branch dev` first',
      code: 'UNKNOWN_REPORT',
    });
  }
  const full = path.join(dir, file);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(full, 'utf8'));
  } catch (err) {
    throw new UsageError(`report ${path.relative(projectDir, full)} is not JSON: ${(err as Error).message}`, {
      hint: 'reports are written by test, promote, rollback and restore; remove the damaged file',
      code: 'UNKNOWN_REPORT',
    });
  }
  const checked = reportShape.safeParse(raw);
  if (!checked.success) {
    throw new UsageError(`report ${path.relative(projectDir, full)} is not a run report`, {
      hint: 'reports are written by test, promote, rollback and restore; remove the damaged file',
      code: 'UNKNOWN_REPORT',
    });
  }
  // The fields every renderer reads are checked; the rest is this version's own output.
  return checked.data as unknown as RunReport;
}

/** The shape every saved report has (the renderers read these fields). */
const reportShape = z
  .object({
    reportVersion: z.literal(1),
    runId: z.string(),
    command: z.string(),
    branch: z.string(),
    outcome: z.enum(['passed', 'failed', 'nothing-to-do']),
    startedAt: z.string(),
    timings: z.array(z.object({ phase: z.string(), ms: z.number() })),
    migrations: z.array(z.object({ version: z.string(), name: z.string(), status: z.string() }).passthrough()),
    notes: z.array(z.string()),
  })
  .passthrough();
