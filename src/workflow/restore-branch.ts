/**
 * Disaster-recovery restore on top of the platform restore: `--from-checkpoint ID|latest`, and a
 * dry run for every source that shows what the restore would lose — per-table row deltas between
 * now and the source, and the migrations that would become un-applied — computed on a temporary
 * branch at the source point, deleted afterwards.
 */
import { restoreProgress } from '../run/checkpoint-restore.js';
import { randomUUID } from 'node:crypto';
import { UsageError } from '../errors.js';
import { readApplied } from '../history/store.js';
import { recordFinishedRun, withBranchDb } from '../run/scoped.js';
import { executeRestore, type RestorePlan } from '../platform/restore-request.js';
import type { Branch, RestoreResult } from '../platform/types.js';
import { compareSnapshots, type TableDelta, takeSnapshot } from '../verify/snapshot.js';
import { type BranchLockOptions, lockBranch } from './branch-lock.js';
import { resolveCheckpoint } from './checkpoint-list.js';
import { nowOf, stamp, type WorkflowContext } from './workflow-context.js';
import type { PreviewCheck } from './verified-restore.js';
import { assertRestoreUnmasked } from '../platform/masked-limits.js';
import { assertActionAllowed } from '../run/restrictions.js';
import { snapshotNamed, withBranchAt } from '../run/checkpoint-source.js';
import { toolBranchOptions } from '../run/tool-branch.js';

export interface RestoreDryRun {
  branch: string;
  source: string;
  at?: RestorePlan['options']['at'];
  /** Tables whose rows differ between now and the source (a restore would make them look like the source). */
  deltas: TableDelta[];
  /** Applied now, not at the source: a restore un-applies them. */
  unapplied: { version: string; name: string }[];
  /** Applied at the source, not now. */
  reapplied: { version: string; name: string }[];
}

/**
 * Resolve `--from-checkpoint` into a restore from that checkpoint branch's head.
 *
 * @example
 * ```ts
 * const source = await checkpointSource(ctx, 'main', 'latest');
 * await restoreAndRecord(ctx, planRestore({ branch: 'main', fromBranch: source }));
 * ```
 */
export async function checkpointSource(ctx: WorkflowContext, branch: string, id: string): Promise<string> {
  return (await resolveCheckpoint(ctx, branch, id)).name;
}

/**
 * What a planned restore would change, measured on a temporary branch at the source point.
 *
 * @example
 * ```ts
 * const preview = await dryRunRestore(ctx, planRestore({ branch: 'main', timestamp: '2026-11-20T10:15:00Z' }));
 * console.log(renderDryRun(preview));
 * ```
 */
export async function dryRunRestore(ctx: WorkflowContext, plan: RestorePlan): Promise<RestoreDryRun> {
  await ctx.platform.getBranch(plan.target);
  const tempName = `dry-run/${plan.target}/${stamp(nowOf(ctx))}-${randomUUID().slice(0, 8)}`;
  ctx.log?.(`measuring on temporary branch ${tempName}`);
  const source = plan.options.source;
  const meta = toolBranchOptions(ctx, { kind: 'dry-run', command: 'restore --dry-run' });
  return withBranchAt(ctx, source, plan.options.at, { name: tempName, ...meta }, async () => {
    try {
      return await measureDryRun(ctx, plan, tempName);
    } finally {
      await ctx.platform
        .deleteBranch(tempName)
        .catch((err: unknown) => ctx.log?.(`could not delete ${tempName}: ${(err as Error).message}`));
    }
  });
}

/** Compare the target now with a temporary (or preview) branch at the source point. */
export async function measureDryRun(ctx: WorkflowContext, plan: RestorePlan, tempName: string): Promise<RestoreDryRun> {
  return await withBranchDb(ctx.platform, plan.target, (now) =>
    withBranchDb(ctx.platform, tempName, async (then) => {
      const [snapNow, snapThen, appliedNow, appliedThen] = [
        await takeSnapshot(now),
        await takeSnapshot(then),
        await readApplied(now),
        await readApplied(then),
      ];
      const thenVersions = new Set(appliedThen.map((a) => a.version));
      const nowVersions = new Set(appliedNow.map((a) => a.version));
      return {
        branch: plan.target,
        source: plan.options.source,
        ...(plan.options.at ? { at: plan.options.at } : {}),
        deltas: compareSnapshots(snapNow, snapThen).deltas.filter((d) => d.changed),
        unapplied: appliedNow
          .filter((a) => !thenVersions.has(a.version))
          .map((a) => ({ version: a.version, name: a.name })),
        reapplied: appliedThen
          .filter((a) => !nowVersions.has(a.version))
          .map((a) => ({ version: a.version, name: a.name })),
      };
    }),
  );
}

/**
 * Render a dry run for the terminal.
 *
 * @example
 * ```ts
 * console.log(renderDryRun(await dryRunRestore(ctx, planRestore({ branch: 'main', fromBranch: 'staging' }))));
 * ```
 */
export function renderDryRun(d: RestoreDryRun): string {
  const at = d.at ? ('timestamp' in d.at ? ` at ${d.at.timestamp}` : ` at LSN ${d.at.lsn}`) : '';
  const out = [
    `dry run: restoring ${d.branch} from ${d.source === d.branch ? 'its own history' : d.source}${at} would change:`,
  ];
  if (!d.deltas.length) out.push('  no table data changes');
  const w = Math.max(0, ...d.deltas.map((x) => x.table.length));
  for (const x of d.deltas) {
    const now = x.rowsBefore ?? 0;
    const then = x.rowsAfter ?? 0;
    const what =
      x.rowsBefore === null
        ? 'table comes back'
        : x.rowsAfter === null
          ? 'table disappears'
          : then === now
            ? 'same count, different rows'
            : `${then - now > 0 ? '+' : ''}${then - now} rows`;
    out.push(
      `  ${x.table.padEnd(w)}  ${String(x.rowsBefore ?? '—').padStart(8)} → ${String(x.rowsAfter ?? '—').padEnd(8)}  ${what}`,
    );
  }
  out.push(
    d.unapplied.length
      ? `  migrations un-applied: ${d.unapplied.map((m) => m.name).join(', ')}`
      : '  no migration would be un-applied',
  );
  if (d.reapplied.length) out.push(`  migrations applied again: ${d.reapplied.map((m) => m.name).join(', ')}`);
  out.push('  nothing was changed (the temporary branch was deleted)');
  return out.join('\n');
}

export interface RestoreDone {
  branch: Branch;
  source: string;
  at: RestorePlan['options']['at'] | null;
  /** The branch holding the pre-restore state. */
  backup?: Branch;
  /** The checks and dry-run figures of the preview the restore was verified on (absent with verify: false). */
  preview?: PreviewCheck;
}

/**
 * Run a planned restore under the branch's run lock (exit 5 when another run holds it, unless
 * `wait`), verified first on a preview (workflow/verified-restore.ts; `verify: false` skips it),
 * and record it in the restored branch's history.
 *
 * @example
 * ```ts
 * const done = await restoreAndRecord(ctx, planRestore({ branch: 'main', timestamp: '2026-11-20T10:15:00Z' }));
 * console.log(`restored ${done.branch.name}; previous state kept as ${done.backup?.name}`);
 * ```
 */
export async function restoreAndRecord(
  ctx: WorkflowContext,
  plan: RestorePlan,
  options: BranchLockOptions & { verify?: boolean } = {},
): Promise<RestoreDone> {
  if (plan.options.source === plan.target && !plan.options.at)
    throw new UsageError('restore needs a source', {
      hint: 'pass --from-checkpoint, --from-branch, --timestamp or --lsn',
      code: 'RESTORE_ARGS',
    });
  assertActionAllowed(await ctx.platform.getBranch(plan.target), 'restore');
  const source = (await ctx.platform.listBranches()).find(
    (b) => b.id === plan.options.source || b.name === plan.options.source,
  );
  if (source) assertRestoreUnmasked({ name: plan.target }, source);
  const lock = await lockBranch(ctx, plan.target, options);
  let result: Awaited<ReturnType<typeof executeRestore>>;
  let preview: PreviewCheck | undefined;
  try {
    if (options.verify === false) {
      // Released right before the restore: it restarts the branch's compute, ending every session on it.
      await lock.release();
      result = await restoreFromSource(ctx, plan);
    } else {
      const { verifiedRestore } = await import('./verified-restore.js');
      ({ result, check: preview } = await verifiedRestore(ctx, plan, () => lock.release()));
    }
  } finally {
    await lock.release();
  }
  const done: RestoreDone = {
    branch: result.branch,
    source: plan.options.source,
    at: plan.options.at ?? null,
    ...(result.backup ? { backup: result.backup } : {}),
    ...(preview ? { preview } : {}),
  };
  await withBranchDb(ctx.platform, plan.target, (db) =>
    recordFinishedRun(db, { command: 'restore', branch: plan.target }, 'succeeded', {
      source: done.source,
      at: done.at,
      backup: done.backup?.name ?? null,
      verifiedOn: preview?.preview ?? null,
    }),
  );
  return done;
}

/** The unverified restore: from a branch or point directly; from a snapshot through a branch made of it. */
async function restoreFromSource(ctx: WorkflowContext, plan: RestorePlan): Promise<RestoreResult> {
  if (!(await snapshotNamed(ctx.platform, plan.options.source))) return executeRestore(ctx.platform, plan, ctx.log);
  const temp = `restore/${plan.target}/${stamp(nowOf(ctx))}-${randomUUID().slice(0, 8)}`;
  const meta = toolBranchOptions(ctx, { kind: 'preview', command: 'restore' });
  return withBranchAt(ctx, plan.options.source, undefined, { name: temp, ...meta }, async () => {
    try {
      return await ctx.platform.restoreBranch(plan.target, {
        ...plan.options,
        source: temp,
        ...restoreProgress(ctx),
      });
    } finally {
      await ctx.platform.deleteBranch(temp).catch(() => undefined);
    }
  });
}
