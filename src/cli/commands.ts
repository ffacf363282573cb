/** The list of command modules. Each module registers its own subcommand(s). */
import type { Command } from 'commander';
import { registerBranches } from './branches.js';
import { registerBranchesReset } from './branches-reset.js';
import { registerCheckpoints } from './checkpoints.js';
import { registerConnectionString } from './connection-string.js';
import { registerLocal } from './local.js';
import { registerPromote } from './promote.js';
import { registerReport } from './report.js';
import { registerRestore } from './restore.js';
import { registerRollback } from './rollback.js';
import { registerTest } from './test.js';

/** Attach every command to the program. */
export function registerCommands(program: Command): void {
  registerBranches(program);
  registerBranchesReset(program);
  registerConnectionString(program);
  registerRestore(program);
  registerLocal(program);
  registerTest(program);
  registerPromote(program);
  registerReport(program);
  registerRollback(program);
  registerCheckpoints(program);
}
