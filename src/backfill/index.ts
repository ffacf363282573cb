/** Batched, resumable backfills (issue 12): the public surface of src/backfill. */
export {
  BACKFILL_DIRECTIVE,
  type BackfillCallOptions,
  type BackfillSpec,
  backfillSpecFromCall,
  backfillSpecFromSql,
  isBackfillSql,
} from './spec.js';
export { type BackfillProgress, type BackfillResult, type RunBackfillOptions, runBackfill } from './run.js';
export { BACKFILLS_DDL, type BackfillRow, ensureBackfillTable, readBackfills } from './store.js';
export { AFTER_BACKFILL_DIRECTIVE, BackfillIncompleteError, contractGuard, type GuardCheck } from './guard.js';
export { type BackfillDisplay, backfillDisplay, formatBackfillResult, formatProgressLine } from './display.js';
export { type BackfillFn, backfillForContext, isBackfillMigration, runBackfillMigration } from './entry.js';
