/** The list of command modules. Each module registers its own subcommand(s). */
import type { Command } from 'commander';
import { registerBranches } from './branches.js';
import { registerConnectionString } from './connection-string.js';
import { registerDiff } from './diff.js';
import { registerLocal } from './local.js';
import { registerRestore } from './restore.js';

/** Attach every command to the program. */
export function registerCommands(program: Command): void {
  registerBranches(program);
  registerConnectionString(program);
  registerRestore(program);
  registerLocal(program);
  registerDiff(program);
}
