/**
 * The promote gate (docs/architecture.md §2), read from the required environment branch's own history: every
 * migration about to be applied passed `test` there with identical checksums (up file, and the down
 * file that `rollback --strategy down` would run), after that branch
 * was refreshed from the target, and that refresh is no older than `maxRefreshAge` (the stricter of
 * the target's and the required environment's). What `test` measured there is checked against the
 * target's budgets and scaled into an estimate of the run (gate-measured.ts).
 */
import { loadEnvironment } from '../config/load.js';
import type { Environment } from '../config/schema.js';
import { withBranchDb } from '../run/scoped.js';
import { listRuns, type RunRecord } from '../history/store.js';
import { databaseSize, type TargetEstimate } from '../analysis/estimate.js';
import { describeEstimate, estimateFor, measuredOverBudget, measuredPending } from './gate-measured.js';
import type { ExecutorFingerprint, ExecutorUnit } from '../executors/types.js';

/** What the gate compares of a pending unit (an ExecutorUnit, or one of our loaded Migrations). */
export type GateUnit = Pick<ExecutorUnit, 'version' | 'name' | 'checksum'> & {
  downChecksum?: string | null;
  file?: string;
  upFile?: string;
  downFile?: string;
};
import { findBranch, lastRefreshedAt, parentOf } from './environment-branches.js';
import { durationMs, nowOf, type WorkflowContext } from './workflow-context.js';
import type { ReportMigration, RunReport } from './report.js';

export interface GateCheck {
  environment: string;
  branch: string;
  refreshedAt?: string;
  /** Run ids of the passing test runs the gate relied on. */
  passingRuns: string[];
  /** The run on the target, scaled from what this environment measured (absent when nothing was measured). */
  estimate?: TargetEstimate;
}

export interface GateResult {
  passed: boolean;
  problems: string[];
  /** Facts that did not block, e.g. a pass recorded before down checksums were (only its up file compared). */
  notes: string[];
  checks: GateCheck[];
}

const ago = (ms: number) =>
  ms >= 86_400_000
    ? `${(ms / 86_400_000).toFixed(1)}d`
    : ms >= 3_600_000
      ? `${(ms / 3_600_000).toFixed(1)}h`
      : `${Math.round(ms / 60_000)}min`;

/** A test run's row for one migration it applied. */
export interface PassRow {
  run: RunRecord;
  row: ReportMigration;
}

/** The verdict on one pending migration from the passing runs' rows for it (newest first). */
export function judgeMigration(
  m: GateUnit,
  rows: PassRow[],
  envName: string,
  fix: string,
): { pass?: RunRecord; problem?: string; note?: string } {
  const sameUp = rows.filter((x) => x.row.checksum === m.checksum);
  if (!sameUp.length) {
    return {
      problem: rows.length
        ? `${m.file ?? m.upFile ?? m.name} changed after it passed test on ${envName} (checksum differs); ${fix}`
        : `${m.name} has not passed test on ${envName} since its last refresh; ${fix}`,
    };
  }
  const down = m.downChecksum ?? null;
  // Reports written since down checksums are recorded carry the key (null = no separate down file).
  const recorded = sameUp.filter((x) => x.row.downChecksum !== undefined);
  const exact = recorded.find((x) => x.row.downChecksum === down);
  if (exact) return { pass: exact.run };
  if (recorded.length) {
    const tested = recorded[0]!.row.downChecksum;
    const what = !m.downFile
      ? `the down file of ${m.name} was removed`
      : tested === null
        ? `${m.downFile} was added`
        : `${m.downFile} changed`;
    return {
      problem: `${what} after it passed test on ${envName} (down checksum differs; rollback --strategy down would run it untested); ${fix}`,
    };
  }
  // Only passes recorded by an older version, without down checksums: compare the up file alone, and say so.
  const note = m.downFile
    ? `gate: ${m.downFile} not compared (its pass on ${envName}, run ${sameUp[0]!.run.id.slice(0, 8)}, predates down checksums)`
    : undefined;
  return { pass: sameUp[0]!.run, ...(note ? { note } : {}) };
}

/**
 * A wrapped tool's files must be what the newest passing run tested: its fingerprint covers env.py,
 * the tool's config and every revision file, so an edit after the pass is a problem (exit 3).
 */
export function fingerprintProblem(
  passing: RunRecord[],
  tested: ExecutorFingerprint,
  envName: string,
  fix: string,
): string | undefined {
  const newest = [...passing].sort((a, b) => (a.startedAt < b.startedAt ? 1 : -1))[0];
  if (!newest) return undefined;
  const runner = (newest.report as RunReport | null)?.runner;
  if (runner?.hash === tested.hash) return undefined;
  return runner
    ? `the ${runner.kind} files changed after they passed test on ${envName} (run ${newest.id.slice(0, 8)} tested files hash ${runner.hash.slice(0, 12)}, now ${tested.hash.slice(0, 12)}); ${fix}`
    : `the pass on ${envName} (run ${newest.id.slice(0, 8)}) did not record which tool files it tested; ${fix}`;
}

/** Check one required environment against the pending migrations. */
async function checkRequired(
  ctx: WorkflowContext,
  target: Environment,
  requiredName: string,
  pending: GateUnit[],
  problems: string[],
  notes: string[],
  tested?: ExecutorFingerprint,
): Promise<GateCheck> {
  const req = loadEnvironment(ctx.projectDir, ctx.settings, requiredName);
  const check: GateCheck = { environment: req.name, branch: req.branch, passingRuns: [] };
  const fix = `run \`neon-migrate test --branch ${req.name} --fresh\``;
  if (parentOf(ctx, req) !== target.branch) {
    problems.push(
      `${req.name} is refreshed from ${parentOf(ctx, req)}, not from ${target.branch} (${req.file}: parent)`,
    );
    return check;
  }
  const branch = await findBranch(ctx, req.branch);
  if (!branch) {
    problems.push(`branch ${req.branch} does not exist, so nothing passed test on ${req.name}; ${fix}`);
    return check;
  }
  await withBranchDb(ctx.platform, req.branch, async (db) => {
    check.refreshedAt = await lastRefreshedAt(ctx, branch, target.branch, db);
    if (!check.refreshedAt) {
      problems.push(`cannot tell when ${req.branch} was last refreshed from ${target.branch}; ${fix}`);
      return;
    }
    const age = nowOf(ctx).getTime() - Date.parse(check.refreshedAt);
    // Both files may set maxRefreshAge (the example sets it on staging): the stricter one applies, never silently the looser.
    const limit = durationMs(req.maxRefreshAge) < durationMs(target.maxRefreshAge) ? req : target;
    if (age > durationMs(limit.maxRefreshAge)) {
      problems.push(
        `${req.branch} was refreshed from ${target.branch} ${ago(age)} ago, more than maxRefreshAge ${limit.maxRefreshAge} (${limit.file}); ${fix}`,
      );
    }
    const runs = (await listRuns(db, { command: 'test', status: 'succeeded', limit: 500 })).filter(
      (r) => r.branch === req.branch && r.startedAt >= check.refreshedAt!,
    );
    for (const m of pending) {
      const rows = runs.flatMap((run): PassRow[] => {
        const row = ((run.report as RunReport | null)?.migrations ?? []).find(
          (x) => x.version === m.version && x.status === 'applied',
        );
        return row ? [{ run, row }] : [];
      });
      const verdict = judgeMigration(m, rows, req.name, fix);
      if (verdict.problem) problems.push(verdict.problem);
      if (verdict.note) notes.push(verdict.note);
      if (verdict.pass && !check.passingRuns.includes(verdict.pass.id)) check.passingRuns.push(verdict.pass.id);
    }
    const passing = runs.filter((r) => check.passingRuns.includes(r.id));
    const edited = tested ? fingerprintProblem(passing, tested, req.name, fix) : undefined;
    if (edited) problems.push(edited);
    const measured = measuredPending(
      passing,
      pending.map((m) => m.version),
    );
    problems.push(...measuredOverBudget(measured, target.budgets, target.file, req.name));
    if (measured.length) {
      const targetBytes = await withBranchDb(ctx.platform, target.branch, (t) => databaseSize(t));
      check.estimate = estimateFor(measured, await databaseSize(db), targetBytes);
      notes.push(describeEstimate(check.estimate, target.branch, req.name));
    }
    // The production gate needs the full check: a schema-only round trip proves nothing about the data.
    const schemaOnly = runs.find(
      (r) => check.passingRuns.includes(r.id) && (r.report as RunReport | null)?.reversibility?.mode === 'schema',
    );
    if (schemaOnly) {
      problems.push(
        `${req.name} proved reversibility on the schema only (run ${schemaOnly.id.slice(0, 8)}); promote needs checks.reversibility "data" in ${req.file}`,
      );
    }
  });
  return check;
}

/** Evaluate the gate for promoting `pending` to the target environment. */
export async function checkGate(
  ctx: WorkflowContext,
  target: Environment,
  required: string[],
  pending: GateUnit[],
  /** A wrapped tool's fingerprint of what is about to run (compared with what the pass tested). */
  tested?: ExecutorFingerprint,
): Promise<GateResult> {
  const problems: string[] = [];
  const notes: string[] = [];
  const checks: GateCheck[] = [];
  for (const name of required) checks.push(await checkRequired(ctx, target, name, pending, problems, notes, tested));
  return { passed: problems.length === 0, problems, notes, checks };
}
