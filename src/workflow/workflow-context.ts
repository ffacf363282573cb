/** What every workflow function needs: the run context (project, settings, platform, injected I/O). */
import type { RunContext } from '../run/run-context.js';

export { nowOf, utcStamp as stamp } from '../run/run-context.js';
export { durationMs } from '../config/duration.js';

/** The context of the workflow functions (test, promote, rollback, restore...). */
export type WorkflowContext = RunContext;
