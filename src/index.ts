/** Library entry: the public API of neon-migrate. */
export * from './errors.js';
export * from './platform/types.js';
export { openPlatform } from './platform/open.js';
export { loadSettings, loadEnvironment, loadAllEnvironments } from './config/load.js';
export type { Settings, Environment } from './config/schema.js';
export type { MigrationContext } from './migrations/types.js';
export { migrate } from './workflow/migrate.js';
export { acceptMigration } from './workflow/accept.js';
export { migrationStatus, planMigrations } from './workflow/inspect.js';
export { recordRun, finishRun, listRuns, readApplied } from './history/store.js';
export { initProject, newMigration } from './migrations/scaffold.js';
export { connect } from './db/connect.js';
export { openPool } from './db/pool.js';
export { openLocalPlatform, LocalPlatform } from './platform/local/index.js';
