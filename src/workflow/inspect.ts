/** `status` and `plan` as library functions: read-only views of a branch (or of a given applied set). */
import { randomUUID } from 'node:crypto';
import { withBranchDb } from '../run/scoped.js';
import { runnerKind } from '../executors/index.js';
import { projectExecutor } from '../executors/project-executor.js';
import type { ExecutorUnit } from '../executors/types.js';
import { UsageError } from '../errors.js';
import { finishRunSql, HISTORY_DDL, insertRunSql, readApplied, type AppliedRow } from '../history/store.js';
import { describeOrdering, type OrderingInfo, versionArgument } from '../migrations/naming.js';
import { readPartial } from '../history/partial.js';
import { describeInterrupted, interruptedError, runningRecords } from '../history/interrupted.js';
import type { DbClient } from '../db/connect.js';
import { type MigrationProject, platformOf, projectMigrations } from '../run/run-context.js';
import { type Direction, type Selection, selectMigrations, validateSelection } from '../run/select.js';
import { RUN_LOCK_KEY } from '../run/run-lock.js';
import { assertRunnable, type BranchState, compareWithHistory, type StatusEntry } from '../history/compare.js';
import { joinStatements, migrationSteps } from '../executors/native-steps.js';
import { isSqlScript, type Migration } from '../migrations/types.js';
import type { AnalysisReport } from '../analysis/report.js';
import { loadAllEnvironments } from '../config/load.js';
import { readBackfills } from '../backfill/store.js';

/** A run left `running` on the branch: interrupted (its process is gone) or still in progress. */
export interface UnfinishedRun {
  id: string;
  command: string;
  startedAt: string;
  checkpoint: string | null;
  phase: string | null;
  /** False while its process still holds the branch's run lock. */
  interrupted: boolean;
  /** One line: what it did and how to resolve it. */
  summary: string;
  hint?: string;
}

export interface StatusReport extends Omit<BranchState, 'applied'> {
  branch: string;
  counts: {
    applied: number;
    pending: number;
    drifted: number;
    missing: number;
    partial: number;
    irreversible: number;
    unverified: number;
    interrupted: number;
  };
  /** Runs left `running` on the branch. */
  unfinished: UnfinishedRun[];
  /** Batched backfills that started and did not finish (a killed run): `up --resume` continues them. */
  backfills?: UnfinishedBackfill[];
  /** The order the migrations run in, and a warning when the history mixes version styles. */
  ordering: OrderingInfo;
  /** Set when the branch is masked (anonymized): by how many rules. */
  masking?: { rules: number };
}

async function branchState(
  p: MigrationProject,
  branch: string,
  migrations: Migration[],
): Promise<BranchState & { unfinished: UnfinishedRun[]; backfills: UnfinishedBackfill[] }> {
  return withBranchDb(await platformOf(p), branch, async (db) => ({
    ...compareWithHistory(migrations, await readApplied(db), await readPartial(db)),
    unfinished: await unfinishedRuns(db, branch),
    backfills: (await readBackfills(db))
      .filter((b) => !b.finishedAt)
      .map((b) => ({
        version: b.version,
        table: b.table,
        rowsDone: b.rowsDone,
        batches: b.batches,
        lastKey: b.lastKey,
      })),
  }));
}

/** A batched backfill a run started and did not finish. */
export interface UnfinishedBackfill {
  version: string;
  table: string;
  rowsDone: number;
  batches: number;
  /** The last key done; the next batch starts after it. */
  lastKey: string | null;
}

/** Runs left `running`; the run lock tells the dead (interrupted) from the live. */
async function unfinishedRuns(db: DbClient, branch: string): Promise<UnfinishedRun[]> {
  const running = await runningRecords(db);
  if (!running.length) return [];
  const got = await db.query<{ ok: boolean }>(`SELECT pg_try_advisory_lock(${RUN_LOCK_KEY}) AS ok`);
  const free = Boolean(got.rows[0]?.ok);
  if (free) await db.query(`SELECT pg_advisory_unlock(${RUN_LOCK_KEY})`);
  return Promise.all(
    running.map(async (r) => {
      const applied = (await db.query(`SELECT 1 FROM neon_migrate.applied WHERE run_id = $1`, [r.id])).rowCount;
      const base = {
        id: r.id,
        command: r.command,
        startedAt: r.startedAt,
        checkpoint: r.checkpoint,
        phase: r.phase ?? null,
      };
      if (!free)
        return {
          ...base,
          interrupted: false,
          summary: `run ${r.id.slice(0, 8)} (${r.command}) is in progress (${r.phase ?? 'starting'})`,
        };
      const refusal = interruptedError(r, branch, applied);
      return {
        ...base,
        interrupted: true,
        summary: describeInterrupted(r, applied),
        ...(refusal.hint ? { hint: refusal.hint } : {}),
      };
    }),
  );
}

/**
 * Applied, pending, drifted and missing migrations on a branch (the CLI's `status`).
 *
 * @example
 * ```ts
 * const status = await migrationStatus(ctx, { branch: 'main' });
 * if (status.counts.drifted || status.counts.missing) console.warn("history and files disagree");
 * ```
 */
export async function migrationStatus(p: MigrationProject, options: { branch?: string } = {}): Promise<StatusReport> {
  const branch = options.branch ?? p.settings.defaultBranch;
  const report =
    runnerKind(p.settings.runner) !== 'native' ? await wrappedStatus(p, branch) : await nativeStatus(p, branch);
  const { masking } = await (await platformOf(p)).getBranch(branch);
  return masking ? { ...report, masking: { rules: masking.rules } } : report;
}

/** `status` of a project running its own migration files. */
async function nativeStatus(p: MigrationProject, branch: string): Promise<StatusReport> {
  // read-only: a TS migration with a cached shape is not imported (tsx costs ~1 s)
  const migrations = await projectMigrations(p, { importTs: false });
  const { entries, missing, partial, unfinished, backfills } = await branchState(p, branch, migrations);
  const count = (s: string) => entries.filter((e) => e.state === s).length;
  return {
    branch,
    entries,
    missing,
    partial,
    unfinished,
    ...(backfills.length ? { backfills } : {}),
    counts: {
      applied: count('applied'),
      pending: count('pending'),
      drifted: count('drifted'),
      missing: missing.length,
      partial: partial.length,
      irreversible: entries.filter((e) => !e.reversible).length,
      unverified: entries.filter((e) => e.unverified).length,
      interrupted: unfinished.filter((u) => u.interrupted).length,
    },
    ordering: describeOrdering(
      p.settings.ordering ?? 'auto',
      migrations.map((m) => m.version),
    ),
  };
}

/** `status` of a project whose runner is a wrapped tool: applied and pending as the tool reports them. */
async function wrappedStatus(p: MigrationProject, branch: string): Promise<StatusReport> {
  const env = p.env ?? process.env;
  const executor = await projectExecutor({ ...p, env });
  await executor.prepare();
  return withBranchDb(await platformOf(p), branch, async (db, uri) => {
    const target = { branch, uri, db, runId: 'status', log: p.log, timeouts: p.settings.timeouts, env };
    const state = await executor.state(target);
    const unfinished = await unfinishedRuns(db, branch);
    const entry = (u: ExecutorUnit, s: 'applied' | 'pending'): StatusEntry => ({
      version: u.version,
      name: u.name,
      kind: 'tool',
      state: s,
      reversible: u.reversible,
      noTransaction: false,
      file: u.file ?? u.name,
      notes: [],
    });
    const entries = [
      ...state.applied.map((u) => entry(u, 'applied')),
      ...state.pending.map((u) => entry(u, 'pending')),
    ];
    return {
      branch,
      entries,
      missing: [],
      partial: [],
      unfinished,
      counts: {
        applied: state.applied.length,
        pending: state.pending.length,
        drifted: 0,
        missing: 0,
        partial: 0,
        irreversible: entries.filter((e) => !e.reversible).length,
        unverified: 0,
        interrupted: unfinished.filter((u) => u.interrupted).length,
      },
      ordering: describeOrdering('auto', []),
    };
  });
}

export interface PlanOptions extends Selection {
  direction: Direction;
  branch?: string;
  /** Plan against these applied versions instead of connecting to the branch. */
  applied?: string[];
}

export interface PlannedMigration {
  version: string;
  name: string;
  /** `tool`: a wrapped tool's revision (its SQL is in the plan's script, where the tool can print it). */
  kind: 'sql' | 'ts' | 'tool';
  transactional: boolean;
  /** The SQL sent for this migration, in order (TS code shown as a comment). */
  sql: string[];
}

export interface PlanReport {
  branch: string;
  direction: Direction;
  /** False when `applied` was given and the branch was not contacted. */
  connected: boolean;
  migrations: PlannedMigration[];
  /** The whole run as one script: lock, history, each migration's steps, the run record. */
  script: string;
  /** Lint findings and destructive changes of the SQL about to run up (the branch's environment's lint levels). */
  analysis?: AnalysisReport;
}

/** An applied set given by hand: assume the stored checksums equal the files (no drift known). */
function givenState(migrations: Migration[], versions: string[]): BranchState {
  const rows: AppliedRow[] = versions.map((raw) => {
    const version = versionArgument(raw, '--applied');
    const m = migrations.find((x) => x.version === version);
    return {
      version,
      name: m?.name ?? version,
      checksum: m?.checksum ?? '',
      downChecksum: m?.downChecksum ?? null,
      kind: m?.kind ?? 'sql',
      appliedAt: '',
      durationMs: 0,
      runId: null,
    };
  });
  return compareWithHistory(migrations, rows);
}

/**
 * The exact SQL a run would execute, in order, including the history bookkeeping.
 *
 * @example
 * ```ts
 * const plan = await planMigrations(ctx, { direction: 'up', applied: ['20261120T101500'] }); // offline
 * for (const m of plan.migrations) console.log(`-- ${m.name}\n${m.sql.join('\n')}`);
 * ```
 */
export async function planMigrations(
  p: Omit<MigrationProject, 'platform'> & { platform?: MigrationProject['platform'] },
  options: PlanOptions,
): Promise<PlanReport> {
  const branch = options.branch ?? p.settings.defaultBranch;
  validateSelection(options);
  if (runnerKind(p.settings.runner) !== 'native') {
    const { planWrapped } = await import('./plan-wrapped.js');
    return planWrapped(p, branch, options);
  }
  // read-only: a TS migration with a cached shape is not imported (tsx costs ~1 s)
  const migrations = await projectMigrations(p, { importTs: false });
  const connected = options.applied === undefined;
  if (connected && !p.platform)
    throw new UsageError('plan needs the branch or --applied', {
      hint: 'pass --applied with the applied versions to plan offline',
      code: 'PLAN_OFFLINE',
    });
  const state =
    connected && p.platform
      ? await branchState({ ...p, platform: p.platform }, branch, migrations)
      : givenState(migrations, options.applied ?? []);
  assertRunnable(state, { branch });
  const chosen = selectMigrations(options.direction, migrations, state, options);
  // A real run gets a fresh id; this one only makes the bookkeeping SQL concrete.
  const runId = randomUUID();
  const planned = chosen.map((m, i): PlannedMigration => {
    // as the runner does: every commit but the last without waiting for the WAL flush
    const steps = migrationSteps(m, options.direction, runId, { asyncCommit: i < chosen.length - 1 });
    return {
      version: m.version,
      name: m.name,
      kind: m.kind,
      transactional: !(options.direction === 'up' ? m.up : m.down)!.noTransaction,
      sql: steps.map((s) =>
        s.kind === 'code'
          ? `-- ${s.file}: ${s.fn}(ctx) runs TypeScript code here`
          : s.kind === 'backfill'
            ? `-- ${s.file}: runs as a batched backfill (one transaction per key range), statement:\n${isSqlScript(s.migration.up) ? s.migration.up.statements.map((x) => x.sql).join(';\n') : ''}`
            : s.sql,
      ),
    };
  });
  const t = p.settings.timeouts;
  const stmt = (sql: string) => joinStatements([sql]);
  const prelude = [
    stmt(`SELECT pg_try_advisory_lock(${RUN_LOCK_KEY})`),
    stmt(
      `SELECT set_config('lock_timeout', '${t.lockTimeout}', false), set_config('statement_timeout', '${t.statementTimeout}', false)`,
    ),
    stmt(HISTORY_DDL),
    `-- checkpoint branch checkpoint/${branch}/<UTC stamp> is created here, through the platform`,
    stmt(
      insertRunSql({ id: runId, command: options.direction, branch, checkpoint: `checkpoint/${branch}/<UTC stamp>` }),
    ),
  ];
  const finale = [
    stmt(finishRunSql(runId, 'succeeded', { note: 'the run report' })),
    stmt(`SELECT pg_advisory_unlock(${RUN_LOCK_KEY})`),
  ];
  const body = planned.flatMap((m) => [
    `-- ${m.name} (${options.direction}${m.transactional ? '' : ', no transaction'})`,
    ...m.sql.map((s, i) =>
      m.kind === 'ts' && s.startsWith('-- ') && s.includes('runs TypeScript code')
        ? s
        : m.transactional && m.kind === 'sql' && i === 0
          ? s
          : stmt(s),
    ),
  ]);
  const script = chosen.length ? [...prelude, ...body, ...finale].join('\n') : '-- nothing to do';
  const analysis = options.direction === 'up' ? await staticAnalysis(p, branch, chosen) : undefined;
  return {
    branch,
    direction: options.direction,
    connected,
    migrations: planned,
    script,
    ...(analysis ? { analysis } : {}),
  };
}

/** Lint and destructive changes of the SQL files about to run, as `test` would report them (nothing runs). */
async function staticAnalysis(
  p: Pick<MigrationProject, 'projectDir' | 'settings'>,
  branch: string,
  chosen: Migration[],
): Promise<AnalysisReport | undefined> {
  const sql = chosen.flatMap((m) =>
    isSqlScript(m.up) ? [{ version: m.version, name: m.name, file: m.upFile, text: m.up.text }] : [],
  );
  if (!sql.length) return undefined;
  const environment = loadAllEnvironments(p.projectDir, p.settings).find((e) => e.branch === branch);
  // Loaded here, not at the top: `status` shares this module and needs neither squawk nor the parser's checks.
  const [{ analyzeMigrations }, { buildAnalysisReport }] = await Promise.all([
    import('../analysis/static.js'),
    import('../analysis/report.js'),
  ]);
  const found = await analyzeMigrations(sql, p.settings, environment);
  return buildAnalysisReport({
    migrations: chosen.map((m) => ({ version: m.version, name: m.name, file: m.upFile })),
    lint: found.lint,
    destructive: found.destructive,
  });
}
