/** The list of command modules. Each module registers its own subcommand(s). */
import type { Command } from 'commander';
import { registerPromote } from './promote.js';
import { registerReport } from './report.js';
import { registerTest } from './test.js';

/** Attach every command to the program. */
export function registerCommands(program: Command): void {
  registerTest(program);
  registerPromote(program);
  registerReport(program);
}
