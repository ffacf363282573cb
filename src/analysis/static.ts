/**
 * The analysis that needs no run: lint and destructive changes of the pending SQL migrations (for
 * `plan`, and for `test`/`promote` before anything is touched). With a database (the branch before
 * the run), type changes are classified and rows at risk are counted.
 */
import type { Environment, Settings } from '../config/schema.js';
import type { Queryable } from '../verify/queryable.js';
import { classifyTypeChanges, findDestructiveChanges } from './destructive.js';
import { type LintResult, lintMigrations } from './lint.js';
import { type CountedChange, countRowsAtRisk } from './rows-at-risk.js';
import type { DestructiveChange } from './destructive.js';

/** A pending SQL migration (or the offline SQL a wrapped tool printed for one revision). */
export interface SqlMigration {
  version: string;
  name?: string;
  file: string;
  text: string;
}

export interface StaticAnalysis {
  lint: LintResult;
  destructive: (DestructiveChange | CountedChange)[];
}

/** Lint and find destructive changes; with `db`, classify type changes and count rows at risk on it. */
export async function analyzeMigrations(
  migrations: SqlMigration[],
  settings: Pick<Settings, 'lint'>,
  environment?: Pick<Environment, 'lint'>,
  db?: Queryable,
): Promise<StaticAnalysis> {
  const inputs = migrations.map((m) => ({ file: m.file, text: m.text, version: m.version }));
  const lint = await lintMigrations(inputs, settings.lint, environment?.lint);
  const found = await findDestructiveChanges(inputs);
  const destructive = db ? await countRowsAtRisk(db, await classifyTypeChanges(db, found)) : found;
  return { lint, destructive };
}
