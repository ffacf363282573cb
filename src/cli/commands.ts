/** The list of command modules. Each module registers its own subcommand(s). */
import type { Command } from 'commander';
import { registerBranches } from './branches.js';
import { registerConnectionString } from './connection-string.js';
import { registerDiff } from './diff.js';
import { registerDown } from './down.js';
import { registerInit } from './init.js';
import { registerLocal } from './local.js';
import { registerNew } from './new.js';
import { registerPlan } from './plan.js';
import { registerRestore } from './restore.js';
import { registerStatus } from './status.js';
import { registerUp } from './up.js';

/** Attach every command to the program. */
export function registerCommands(program: Command): void {
  registerInit(program);
  registerNew(program);
  registerStatus(program);
  registerPlan(program);
  registerUp(program);
  registerDown(program);
  registerBranches(program);
  registerConnectionString(program);
  registerRestore(program);
  registerLocal(program);
  registerDiff(program);
}
