/** The list of command modules. Each module registers its own subcommand(s). */
import type { Command } from 'commander';
import { registerDown } from './down.js';
import { registerInit } from './init.js';
import { registerNew } from './new.js';
import { registerPlan } from './plan.js';
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
}
