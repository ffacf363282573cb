/**
 * `up` / `down` and `status --accept` as library functions: validate everything that can be
 * validated before connecting, take the run lock, check drift, checkpoint, run, record.
 */
import { randomUUID } from 'node:crypto';
import { MigrationFileError, UsageError } from '../errors.js';
import { acceptChecksum, finishRun, readApplied, recordRun } from './history.js';
import { versionArgument } from './naming.js';
import { createCheckpoint, type MigrationProject, platformOf, projectMigrations } from './project.js';
import { type MigrationResult, type RunOutcome, runMigrations } from './runner.js';
import { assertKnownTarget, type Direction, type Selection, selectMigrations, validateSelection } from './select.js';
import { readPartial, resumePoint } from './partial.js';
import { openRunSession } from './session.js';
import { assertRunnable, compareWithHistory } from './state.js';

export interface MigrateOptions extends Selection {
  direction: Direction;
  /** Defaults to settings.defaultBranch. */
  branch?: string;
  /** Wait for another run's lock instead of failing with exit 5. */
  wait?: boolean;
  /** Continue the migration that stopped partway, from the statement that failed (see partial.ts). */
  resume?: boolean;
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
}

/** Apply (`up`) or revert (`down`) migrations on a branch behind a checkpoint. */
export async function migrate(p: MigrationProject, options: MigrateOptions): Promise<MigrateReport> {
  const branch = options.branch ?? p.settings.defaultBranch;
  const startedAt = new Date().toISOString();
  const { to } = validateSelection(options);
  const migrations = await projectMigrations(p);
  assertKnownTarget(options.direction, migrations, to, options.to);
  const platform = await platformOf(p);
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
    p.log?.(`taking checkpoint of ${branch}`);
    const checkpoint = (await createCheckpoint(platform, branch)).name;
    const runId = randomUUID();
    await recordRun(db, { id: runId, command: options.direction, branch, checkpoint });
    const { outcome, results } = await runMigrations({ db, branch, direction: options.direction, migrations: chosen, runId, log: p.log, ...(resume ? { resume } : {}) });
    const report: MigrateReport = { ...base, runId, checkpoint, outcome, results, finishedAt: new Date().toISOString() };
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
