/** Post-apply verification (docs/architecture.md §2): one function running every check and collecting the results. */
import { type AssertionFile, type AssertionResult, runAssertions } from './assertions.js';
import { findInvalidIndexes, findOrphanedRows, type InvalidIndex, type OrphanedRows } from './checks.js';
import { type CatalogFingerprint, takeFingerprint } from './fingerprint.js';
import type { Queryable } from './queryable.js';
import { compareSnapshots, type IntegritySnapshot, type TableDelta, takeSnapshot } from './snapshot.js';
import { addCascadingReferrers, isTouched, type TouchedTables } from './touched.js';
import { type CommandResult, runUserCommands } from './user-commands.js';

export interface VerifyInput {
  db: Queryable;
  before: IntegritySnapshot;
  fingerprintBefore: CatalogFingerprint;
  touched: TouchedTables;
  assertionFiles: AssertionFile[];
  appliedVersions: string[];
  commands: string[];
  /** DATABASE_URL for the commands. */
  databaseUrl: string;
  cwd: string;
  env?: NodeJS.ProcessEnv;
  /** The catalog fingerprint after apply, when the caller took it already. */
  fingerprintAfter?: CatalogFingerprint;
}

export interface VerificationResult {
  passed: boolean;
  after: IntegritySnapshot;
  fingerprintAfter: CatalogFingerprint;
  /** Tables no migration touched that changed anyway. */
  untouchedChanged: TableDelta[];
  /** Why the untouched-tables check could not be applied, when it could not. */
  untouchedSkipped?: string;
  orphans: OrphanedRows[];
  invalidIndexes: InvalidIndex[];
  assertions: AssertionResult[];
  commands: CommandResult[];
  /** One line per failed check. */
  failures: string[];
}

/** Run every post-apply check; never throws for a failed check, only for a broken connection. */
export async function verifyAfterApply(input: VerifyInput): Promise<VerificationResult> {
  const { db } = input;
  const after = await takeSnapshot(db);
  const fingerprintAfter = input.fingerprintAfter ?? (await takeFingerprint(db));
  const touched: TouchedTables = { names: new Set(input.touched.names), opaqueReason: input.touched.opaqueReason };
  for (const [table, hash] of Object.entries(fingerprintAfter.tables)) {
    if (input.fingerprintBefore.tables[table] !== hash) touched.names.add(table);
  }
  await addCascadingReferrers(db, touched);
  const comparison = compareSnapshots(input.before, after);
  const untouchedChanged = touched.opaqueReason
    ? []
    : comparison.deltas.filter((d) => d.changed && !isTouched(touched, d.table));
  const orphans = await findOrphanedRows(db);
  const invalidIndexes = await findInvalidIndexes(db);
  const assertions = await runAssertions(db, input.assertionFiles, input.appliedVersions);
  const commands = await runUserCommands(input.commands, input.databaseUrl, input.cwd, input.env);

  const failures: string[] = [
    ...untouchedChanged.map(
      (d) => `table ${d.table} changed (${d.rowsBefore ?? 0} → ${d.rowsAfter ?? 0} rows) but no migration touched it`,
    ),
    ...orphans.map((o) => `${o.orphans} rows of ${o.table} have no parent in ${o.references} (${o.constraint})`),
    ...invalidIndexes.map((i) => `index ${i.index} on ${i.table} is invalid`),
    ...assertions.filter((a) => !a.passed).map((a) => `assertion failed: ${a.name} (${a.file}): ${a.detail}`),
    ...commands.filter((c) => !c.passed).map((c) => `command failed with exit ${c.exitCode}: ${c.command}`),
  ];
  return {
    passed: failures.length === 0,
    after,
    fingerprintAfter,
    untouchedChanged,
    untouchedSkipped: touched.opaqueReason,
    orphans,
    invalidIndexes,
    assertions,
    commands,
    failures,
  };
}
