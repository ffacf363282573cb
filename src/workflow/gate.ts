/**
 * The promote gate (DESIGN §4), read from the required environment branch's own history: every
 * migration about to be applied passed `test` there with an identical checksum, after that branch
 * was refreshed from the target, and that refresh is no older than `maxRefreshAge` (the stricter of
 * the target's and the required environment's).
 */
import { loadEnvironment } from '../config/load.js';
import type { Environment } from '../config/schema.js';
import { connect } from '../db/connect.js';
import { listRuns } from '../migrations/history.js';
import type { Migration } from '../migrations/types.js';
import { findBranch, lastRefreshedAt, parentOf } from './branches.js';
import { durationMs, nowOf, type WorkflowContext } from './context.js';
import type { RunReport } from './report.js';

export interface GateCheck {
  environment: string;
  branch: string;
  refreshedAt?: string;
  /** Run ids of the passing test runs the gate relied on. */
  passingRuns: string[];
}

export interface GateResult {
  passed: boolean;
  problems: string[];
  checks: GateCheck[];
}

const ago = (ms: number) => (ms >= 86_400_000 ? `${(ms / 86_400_000).toFixed(1)}d` : ms >= 3_600_000 ? `${(ms / 3_600_000).toFixed(1)}h` : `${Math.round(ms / 60_000)}min`);

/** Check one required environment against the pending migrations. */
async function checkRequired(ctx: WorkflowContext, target: Environment, requiredName: string, pending: Migration[], problems: string[]): Promise<GateCheck> {
  const req = loadEnvironment(ctx.projectDir, ctx.settings, requiredName);
  const check: GateCheck = { environment: req.name, branch: req.branch, passingRuns: [] };
  const fix = `run \`neon-migrate test --branch ${req.name} --fresh\``;
  if (parentOf(ctx, req) !== target.branch) {
    problems.push(`${req.name} is refreshed from ${parentOf(ctx, req)}, not from ${target.branch} (${req.file}: parent)`);
    return check;
  }
  const branch = await findBranch(ctx, req.branch);
  if (!branch) {
    problems.push(`branch ${req.branch} does not exist, so nothing passed test on ${req.name}; ${fix}`);
    return check;
  }
  const db = await connect(await ctx.platform.connectionUri(req.branch));
  try {
    check.refreshedAt = await lastRefreshedAt(ctx, branch, target.branch, db);
    if (!check.refreshedAt) {
      problems.push(`cannot tell when ${req.branch} was last refreshed from ${target.branch}; ${fix}`);
      return check;
    }
    const age = nowOf(ctx).getTime() - Date.parse(check.refreshedAt);
    // Both files may set maxRefreshAge (the example sets it on staging): the stricter one applies, never silently the looser.
    const limit = durationMs(req.maxRefreshAge) < durationMs(target.maxRefreshAge) ? req : target;
    if (age > durationMs(limit.maxRefreshAge)) {
      problems.push(`${req.branch} was refreshed from ${target.branch} ${ago(age)} ago, more than maxRefreshAge ${limit.maxRefreshAge} (${limit.file}); ${fix}`);
    }
    const runs = (await listRuns(db, { command: 'test', status: 'succeeded', limit: 500 })).filter(
      (r) => r.branch === req.branch && r.startedAt >= check.refreshedAt!,
    );
    for (const m of pending) {
      let sawOtherChecksum = false;
      const passing = runs.find((r) => {
        const row = ((r.report as RunReport | null)?.migrations ?? []).find((x) => x.version === m.version && x.status === 'applied');
        if (row && row.checksum !== m.checksum) sawOtherChecksum = true;
        return row?.checksum === m.checksum;
      });
      if (passing) {
        if (!check.passingRuns.includes(passing.id)) check.passingRuns.push(passing.id);
      } else if (sawOtherChecksum) {
        problems.push(`${m.upFile} changed after it passed test on ${req.name} (checksum differs); ${fix}`);
      } else {
        problems.push(`${m.name} has not passed test on ${req.name} since its last refresh; ${fix}`);
      }
    }
  } finally {
    await db.close();
  }
  return check;
}

/** Evaluate the gate for promoting `pending` to the target environment. */
export async function checkGate(ctx: WorkflowContext, target: Environment, required: string[], pending: Migration[]): Promise<GateResult> {
  const problems: string[] = [];
  const checks: GateCheck[] = [];
  for (const name of required) checks.push(await checkRequired(ctx, target, name, pending, problems));
  return { passed: problems.length === 0, problems, checks };
}
