/** `neon-migrate test --branch <env>`: checkpoint → apply → verify → reversibility → report; restore on failure. */
import type { Command } from 'commander';
import { UsageError } from '../errors.js';
import { action } from './context.js';
import { collect, formatOption, reportOutput, validateBeforeOpening, workflowContext } from './workflow-bridge.js';

/** Register `test`. */
export function registerTest(program: Command): void {
  program
    .command('test')
    .description(
      'run the pending migrations on an environment branch (dev, staging) behind a checkpoint, verify, and restore on failure',
    )
    .requiredOption('-b, --branch <env>', 'environment name or its branch (from environments/)')
    .option('--fresh', 'first refresh the branch from its parent (the old state is kept as a backup branch)')
    .option('--run <command>', 'a check command run with DATABASE_URL set to the branch (repeatable)', collect, [])
    .option('--wait', 'wait for another run on the branch instead of failing (exit 5)')
    .option('--resume', 'continue an interrupted test run (apply what is left, verify, check reversibility, record)')
    .option('--schema-only', 'run on a schema-only copy of the branch (its schema, no rows); data checks are skipped')
    .argument('[command...]', 'after `--`: a command that is the migration (run with DATABASE_URL set to the branch)')
    .addOption(formatOption())
    .action(
      action(
        async (
          ctx,
          command: string[],
          opts: {
            branch: string;
            fresh?: boolean;
            run: string[];
            format: string;
            wait?: boolean;
            resume?: boolean;
            schemaOnly?: boolean;
          },
        ) => {
          await validateBeforeOpening(ctx, opts.branch);
          // Only after `--`: a stray word must not silently become a command that runs.
          if (command.length && !process.argv.includes('--')) {
            throw new UsageError(`unexpected argument "${command[0]}"`, {
              hint: 'to run a command as the migration, put it after `--`: test --branch dev -- <command>',
            });
          }
          const oneOff = command.length ? { command } : {};
          const { runTest } = await import('../workflow/test.js');
          const result = await runTest(await workflowContext(ctx), {
            branch: opts.branch,
            fresh: opts.fresh,
            run: opts.run,
            wait: opts.wait,
            resume: opts.resume,
            ...(opts.schemaOnly ? { schemaOnly: true } : {}),
            ...oneOff,
          });
          return reportOutput(result.report, result.reportFile, opts.format, {
            createdBranch: result.createdBranch,
            refresh: result.refresh ?? null,
          });
        },
      ),
    );
}
