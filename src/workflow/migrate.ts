/**
 * `up` / `down` and `status --accept` as library functions: validate everything that can be
 * validated before connecting (gated and protected branches are refused, exit 3), take the run lock,
 * check drift, checkpoint, run, record.
 */
import { randomUUID } from 'node:crypto';
import { MigrationFileError, UsageError } from '../errors.js';
import { confirmGateSkip, environmentGate, gateRefusal, type GateSkip, resolvedGate } from '../run/branch-gate.js';
import { acceptChecksum, finishRun, readApplied, recordRun } from '../history/store.js';
import { versionArgument } from '../migrations/naming.js';
import { createCheckpoint, type MigrationProject, platformOf, projectMigrations } from '../run/run-context.js';
import { type MigrationResult, type RunOutcome, runMigrations } from '../executors/native-runner.js';
import { assertKnownTarget, type Direction, type Selection, selectMigrations, validateSelection } from '../run/select.js';
import { readPartial, resumePoint } from '../history/partial.js';
import { openRunSession } from '../run/run-lock.js';
import { assertRunnable, compareWithHistory } from '../history/compare.js';

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
}

/** Apply (`up`) or revert (`down`) migrations on a branch behind a checkpoint. */
export async function migrate(p: MigrationProject, options: MigrateOptions): Promise<MigrateReport> {
  const branch = options.branch ?? p.settings.defaultBranch;
  const startedAt = new Date().toISOString();
  const { to } = validateSelection(options);
  const migrations = await projectMigrations(p);
  assertKnownTarget(options.direction, migrations, to, options.to);
  const skipping = options.skipGate || options.viaRollback;
  // The environment files first: a refusal then opens nothing (a new local project is not even created).
  const named = environmentGate(p.projectDir, p.settings, branch);
  if (named && !skipping) throw gateRefusal(named, options.direction);
  const platform = await platformOf(p);
  // Then as the platform knows the branch: by its real name (`--branch` may be an id), and its protection.
  const gate = resolvedGate(p.projectDir, p.settings, await platform.getBranch(branch));
  if (gate && !skipping) throw gateRefusal(gate, options.direction);
  const uri = await platform.connectionUri(branch);
  const session = await openRunSession(uri, { branch, wait: options.wait, timeouts: p.settings.timeouts });
  try {
    const { db } = session;
    const state = compareWithHistory(migrations, await readApplied(db), await readPartial(db));
    const resume = options.resume ? resumePoint(state.partial, migrations, options.direction, branch) : undefined;
    assertRunnable(state, { branch, ...(resume ? { resume: options.direction } : {}) });
    const chosen = selectMigrations(options.direction, migrations, state, options);
    if (resume && chosen[0]?.version !== resume.version) {
      throw new UsageError(`--resume: the selection does not start with the migration that stopped partway (version ${resume.version})`, 'drop --to/--steps, or widen them to include it', 'RESUME_SELECTION');
    }
    const base = { command: options.direction, branch, startedAt };
    if (chosen.length === 0) {
      return { ...base, runId: null, checkpoint: null, outcome: 'nothing-to-do', results: [], finishedAt: new Date().toISOString() };
    }
    let gateSkipped: GateSkip | undefined;
    if (gate) {
      const verb = options.direction === 'up' ? 'apply' : 'revert';
      if (!options.viaRollback) await confirmGateSkip(gate, `${verb} ${chosen.length} migration(s) on ${branch} (${chosen.map((m) => m.name).join(', ')})`, p.confirm);
      gateSkipped = { ...gate, by: options.viaRollback ? 'rollback' : 'skip-gate' };
      p.log?.(`gate skipped (${gateSkipped.by}): ${gate.reason}`);
    }
    p.log?.(`taking checkpoint of ${branch}`);
    const checkpoint = (await createCheckpoint(platform, branch)).name;
    const runId = randomUUID();
    await recordRun(db, { id: runId, command: options.direction, branch, checkpoint });
    const { outcome, results } = await runMigrations({ db, branch, direction: options.direction, migrations: chosen, runId, log: p.log, ...(resume ? { resume } : {}) });
    const report: MigrateReport = { ...base, runId, checkpoint, outcome, results, finishedAt: new Date().toISOString(), ...(gateSkipped ? { gateSkipped } : {}) };
    await finishRun(db, runId, outcome, report);
    return report;
  } finally {
    await session.close();
  }
}

export interface AcceptReport {
  runId: string;
  branch: string;
  version: string;
  name: string;
  previousChecksum: string;
  checksum: string;
}

/** Accept a deliberate edit of an applied migration: store the file's current checksums (recorded as a run). */
export async function acceptMigration(p: MigrationProject, options: { version: string; branch?: string; wait?: boolean }): Promise<AcceptReport> {
  const branch = options.branch ?? p.settings.defaultBranch;
  const version = versionArgument(options.version, '--accept');
  const migrations = await projectMigrations(p);
  const m = migrations.find((x) => x.version === version);
  if (!m) throw new UsageError(`--accept ${options.version}: no migration file has version ${version}`, 'run `neon-migrate status` to see the versions', 'UNKNOWN_VERSION');
  const session = await openRunSession(await (await platformOf(p)).connectionUri(branch), { branch, wait: options.wait, timeouts: p.settings.timeouts });
  try {
    const { db } = session;
    const row = (await readApplied(db)).find((a) => a.version === version);
    if (!row) throw new MigrationFileError(`${m.upFile} is not applied on branch "${branch}", so there is nothing to accept`, 'only applied migrations can drift; run `neon-migrate up` to apply it', 'NOT_APPLIED');
    const runId = randomUUID();
    await recordRun(db, { id: runId, command: 'accept', branch });
    await acceptChecksum(db, version, m.checksum, m.downChecksum);
    const report: AcceptReport = { runId, branch, version, name: m.name, previousChecksum: row.checksum, checksum: m.checksum };
    await finishRun(db, runId, 'succeeded', report);
    return report;
  } finally {
    await session.close();
  }
}
