/** The list of command modules. Each module registers its own subcommand(s). */
import type { Command } from 'commander';
import { registerBaseline } from './baseline.js';
import { registerBranches } from './branches.js';
import { registerBranchesReset } from './branches-reset.js';
import { registerCheckpoints } from './checkpoints.js';
import { registerConnectionString } from './connection-string.js';
import { registerDiff } from './diff.js';
import { registerDown } from './down.js';
import { registerInit } from './init.js';
import { registerLocal } from './local.js';
import { registerNew } from './new.js';
import { registerPlan } from './plan.js';
import { registerPromote } from './promote.js';
import { registerReport } from './report.js';
import { registerRestore } from './restore.js';
import { registerRollback } from './rollback.js';
import { registerStatus } from './status.js';
import { registerTest } from './test.js';
import { registerUp } from './up.js';

/** Attach every command to the program. */
export function registerCommands(program: Command): void {
  registerInit(program);
  registerNew(program);
  registerStatus(program);
  registerPlan(program);
  registerUp(program);
  registerDown(program);
  registerBaseline(program);
  registerTest(program);
  registerPromote(program);
  registerRollback(program);
  registerRestore(program);
  registerCheckpoints(program);
  registerBranches(program);
  registerBranchesReset(program);
  registerConnectionString(program);
  registerLocal(program);
  registerDiff(program);
  registerReport(program);
}
