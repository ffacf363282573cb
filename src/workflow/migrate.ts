/**
 * `up` / `down` as configurations of the run pipeline: validate everything that can be validated
 * before connecting (gated and protected branches are refused, exit 3), then lock, check drift,
 * checkpoint, run, record.
 */
import { UsageError } from '../errors.js';
import { runnerKind } from '../executors/index.js';
import { NativeExecutor } from '../executors/native.js';
import { projectExecutor } from '../executors/project-executor.js';
import type { MigrationResult, RunOutcome } from '../executors/native-runner.js';
import { confirmGateSkip, environmentGate, gateRefusal, type GateSkip, resolvedGate } from '../run/branch-gate.js';
import { guardDestructiveDown, inspectDown } from '../run/destructive-down.js';
import { runPipeline } from '../run/pipeline.js';
import { type MigrationProject, platformOf, projectMigrations } from '../run/run-context.js';
import { assertKnownTarget, type Direction, type Selection, selectUnits, validateSelection } from '../run/select.js';

export interface MigrateOptions extends Selection {
  direction: Direction;
  /** Defaults to settings.defaultBranch. */
  branch?: string;
  /** Wait for another run's lock instead of failing with exit 5. */
  wait?: boolean;
  /** Continue the migration that stopped partway, from the statement that failed (see partial.ts). */
  resume?: boolean;
  /** Run on a gated or protected branch anyway, after confirmation (`project.confirm`); the report records it. */
  skipGate?: boolean;
  /** Set by `rollback --strategy down`: the sanctioned, already confirmed way to revert a gated branch (recorded too). */
  viaRollback?: boolean;
  /** Set by `rollback --strategy down` of an interrupted run: that run's id (marked `undone`). */
  resolves?: string;
}

export interface MigrateReport {
  runId: string | null;
  command: Direction;
  branch: string;
  /** The checkpoint branch taken before the run (null when there was nothing to do). */
  checkpoint: string | null;
  outcome: RunOutcome | 'nothing-to-do';
  results: MigrationResult[];
  startedAt: string;
  finishedAt: string;
  /** Present when the branch is gated or protected and the run went ahead anyway. */
  gateSkipped?: GateSkip;
  /** How long each phase of the run took. */
  timings?: { phase: string; ms: number }[];
}

/**
 * Apply (`up`) or revert (`down`) migrations on a branch behind a checkpoint (the CLI's `up`/`down`).
 * A failed migration is a result (`outcome: 'failed'`), not a throw; the checkpoint stays for `runRollback`.
 *
 * @example
 * ```ts
 * const up = await migrate(ctx, { direction: 'up', branch: 'dev', to: '20261120T101500' });
 * if (up.outcome === 'failed') console.error(up.results.find((r) => r.error));
 * await migrate(ctx, { direction: 'down', branch: 'dev', steps: 1 });
 * ```
 */
export async function migrate(p: MigrationProject, options: MigrateOptions): Promise<MigrateReport> {
  const branch = options.branch ?? p.settings.defaultBranch;
  const startedAt = new Date().toISOString();
  const { to } = validateSelection(options);
  const native = runnerKind(p.settings.runner) === 'native';
  const migrations = native ? await projectMigrations(p) : [];
  if (native) assertKnownTarget(options.direction, migrations, to, options.to);
  const skipping = options.skipGate || options.viaRollback;
  // The environment files first: a refusal then opens nothing (a new local project is not even created).
  const named = environmentGate(p.projectDir, p.settings, branch);
  if (named && !skipping) throw gateRefusal(named, options.direction);
  const platform = await platformOf(p);
  // Then as the platform knows the branch: by its real name (`--branch` may be an id), and its protection.
  const gate = resolvedGate(p.projectDir, p.settings, await platform.getBranch(branch));
  if (gate && !skipping) throw gateRefusal(gate, options.direction);
  const env = p.env ?? process.env;
  const executor = native
    ? new NativeExecutor(p.projectDir, migrations, options.resume ? { resume: options.direction } : {})
    : await projectExecutor({ ...p, env });
  await executor.prepare();
  let gateSkipped: GateSkip | undefined;
  let report: MigrateReport | undefined;
  const base = { command: options.direction, branch, startedAt };
  const run = await runPipeline(
    { ...p, env, platform },
    {
      command: options.direction,
      branch,
      executor,
      direction: options.direction,
      wait: options.wait,
      resume: options.resume,
      ...(options.resolves ? { resolves: options.resolves } : {}),
      select: (state, info) => {
        const chosen = selectUnits(options.direction, state, options);
        const resume = executor instanceof NativeExecutor ? executor.resumeAt : undefined;
        if (options.resume && !resume && !info.resumedRun) {
          throw new UsageError(
            `--resume: no migration stopped partway and no ${options.direction} run was interrupted on branch "${branch}"`,
            { hint: `run \`neon-migrate ${options.direction}\` without --resume`, code: 'NOTHING_TO_RESUME' },
          );
        }
        if (resume && chosen[0]?.version !== resume.version) {
          throw new UsageError(
            `--resume: the selection does not start with the migration that stopped partway (version ${resume.version})`,
            { hint: 'drop --to/--steps, or widen them to include it', code: 'RESUME_SELECTION' },
          );
        }
        return chosen;
      },
      beforeTouch: async (chosen, db) => {
        const notes: string[] = [];
        if (options.direction === 'down' && !options.viaRollback && executor instanceof NativeExecutor) {
          const destruction = await inspectDown(
            db,
            chosen.map((u) => executor.migration(u)),
          );
          const confirmed = await guardDestructiveDown(destruction, { branch, to: options.to, confirm: p.confirm });
          if (confirmed) {
            notes.push(confirmed);
            p.log?.(confirmed);
          }
        }
        if (!gate) return notes;
        const verb = options.direction === 'up' ? 'apply' : 'revert';
        const what = `${verb} ${chosen.length} migration(s) on ${branch} (${chosen.map((m) => m.name).join(', ')})`;
        if (!options.viaRollback) await confirmGateSkip(gate, what, p.confirm);
        gateSkipped = { ...gate, by: options.viaRollback ? 'rollback' : 'skip-gate' };
        p.log?.(`gate skipped (${gateSkipped.by}): ${gate.reason}`);
        return notes;
      },
      report: (r) => {
        report = {
          ...base,
          runId: r.runId,
          checkpoint: r.checkpoint ?? null,
          outcome: r.applied?.outcome ?? 'succeeded',
          results: r.applied?.results ?? [],
          finishedAt: new Date().toISOString(),
          timings: r.timer.timings,
          ...(gateSkipped ? { gateSkipped } : {}),
        };
        return report;
      },
    },
  );
  if (report) return report;
  return {
    ...base,
    runId: null,
    checkpoint: null,
    outcome: 'nothing-to-do',
    results: [],
    finishedAt: new Date().toISOString(),
    timings: run.timer.timings,
  };
}
