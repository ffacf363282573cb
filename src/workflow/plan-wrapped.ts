/**
 * `plan` for a wrapped tool (Alembic, knex, sqitch...): the pending revisions as the tool itself
 * reports them on the branch, and the SQL it would run where it can print it offline
 * (`alembic upgrade --sql`, `sqitch deploy --log-only`...). Nothing is applied.
 */
import { UsageError } from '../errors.js';
import { projectExecutor } from '../executors/project-executor.js';
import { platformOf, type MigrationProject } from '../run/run-context.js';
import { withBranchDb } from '../run/scoped.js';
import { selectUnits } from '../run/select.js';
import type { PlanOptions, PlanReport } from './inspect.js';

/** Plan a run of the project's wrapped tool on `branch` (it reads the branch; `--applied` is for our own files). */
export async function planWrapped(
  p: Omit<MigrationProject, 'platform'> & { platform?: MigrationProject['platform'] },
  branch: string,
  options: PlanOptions,
): Promise<PlanReport> {
  const env = p.env ?? process.env;
  const executor = await projectExecutor({ ...p, env });
  if (options.applied !== undefined || !p.platform) {
    throw new UsageError(
      `--applied plans our own migration files; a ${executor.kind} project is planned from the branch`,
      {
        hint: `drop --applied: the tool's own history on the branch says what is pending`,
        code: 'PLAN_OFFLINE',
      },
    );
  }
  await executor.prepare();
  const platform = await platformOf({ platform: p.platform });
  const units = await withBranchDb(platform, branch, async (db, uri) => {
    const target = { branch, uri, db, runId: 'plan', log: p.log, timeouts: p.settings.timeouts, env };
    return selectUnits(options.direction, await executor.state(target), options);
  });
  const why = executor.limits.offlineSql ?? `the ${executor.kind} runner cannot print its SQL offline`;
  const script = !units.length
    ? '-- nothing to do'
    : executor.renderSql
      ? await executor.renderSql(units, options.direction)
      : `-- ${why}`;
  return {
    branch,
    direction: options.direction,
    connected: true,
    migrations: units.map((u) => ({ version: u.version, name: u.name, kind: 'tool', transactional: false, sql: [] })),
    script,
  };
}
