/** The list of command modules. Each module registers its own subcommand(s). */
import type { Command } from 'commander';
import { registerDiff } from './diff.js';

/** Attach every command to the program. */
export function registerCommands(program: Command): void {
  registerDiff(program);
}
