/** `status --accept V`: accept a deliberate edit of an applied migration (recorded as a run). */
import { randomUUID } from 'node:crypto';
import { MigrationFileError, UsageError } from '../errors.js';
import { interruptedError, runningRecords, touchedNothing } from '../history/interrupted.js';
import { acceptChecksum, readApplied } from '../history/store.js';
import { versionArgument } from '../migrations/naming.js';
import { type MigrationProject, platformOf, projectMigrations } from '../run/run-context.js';
import { recordFinishedRun, withRunLock } from '../run/scoped.js';

export interface AcceptReport {
  runId: string;
  branch: string;
  version: string;
  name: string;
  previousChecksum: string;
  checksum: string;
}

/** Options of `acceptMigration`. */
export interface AcceptOptions {
  /** The version (or full name) of the applied migration whose edit is deliberate. */
  version: string;
  /** Defaults to settings.defaultBranch. */
  branch?: string;
  /** Wait for another run's lock instead of failing with exit 5. */
  wait?: boolean;
}

/**
 * Accept a deliberate edit of an applied migration: store the file's current checksums (recorded as a run).
 *
 * @example
 * ```ts
 * const r = await acceptMigration(ctx, { version: '20261120T101500', branch: 'dev' });
 * console.log(`${r.name}: ${r.previousChecksum} → ${r.checksum}`);
 * ```
 */
export async function acceptMigration(p: MigrationProject, options: AcceptOptions): Promise<AcceptReport> {
  const branch = options.branch ?? p.settings.defaultBranch;
  const version = versionArgument(options.version, '--accept');
  const migrations = await projectMigrations(p);
  const m = migrations.find((x) => x.version === version);
  if (!m)
    throw new UsageError(`--accept ${options.version}: no migration file has version ${version}`, {
      hint: 'run `neon-migrate status` to see the versions',
      code: 'UNKNOWN_VERSION',
    });
  const uri = await (await platformOf(p)).connectionUri(branch);
  return withRunLock(uri, { branch, wait: options.wait, timeouts: p.settings.timeouts }, async ({ db }) => {
    const interrupted = (await runningRecords(db)).find((r) => !touchedNothing(r));
    if (interrupted) throw interruptedError(interrupted, branch, 0);
    const row = (await readApplied(db)).find((a) => a.version === version);
    if (!row) {
      throw new MigrationFileError(`${m.upFile} is not applied on branch "${branch}", so there is nothing to accept`, {
        hint: 'only applied migrations can drift; run `neon-migrate up` to apply it',
        code: 'NOT_APPLIED',
      });
    }
    await acceptChecksum(db, version, m.checksum, m.downChecksum);
    const runId = randomUUID();
    const report: AcceptReport = {
      runId,
      branch,
      version,
      name: m.name,
      previousChecksum: row.checksum,
      checksum: m.checksum,
    };
    await recordFinishedRun(db, { id: runId, command: 'accept', branch }, 'succeeded', report);
    return report;
  });
}
