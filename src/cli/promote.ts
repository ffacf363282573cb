/** `neon-migrate promote [--from staging] [--to main]`: the gated production run. */
import type { Command } from 'commander';
import { action } from './context.js';
import { collect, formatOption, reportOutput, validateBeforeOpening, workflowContext } from './workflow-bridge.js';

/** Register `promote`. */
export function registerPromote(program: Command): void {
  program
    .command('promote')
    .description('apply to production only what passed test on the required environment (exit 3 when the gate refuses)')
    .option('--from <env>', 'one of the target\'s "requires" (every required environment is checked either way)')
    .option('--to <env>', 'target environment or branch (default: the default branch)')
    .option('--run <command>', 'a check command run with DATABASE_URL set to the target (repeatable)', collect, [])
    .option('--wait', 'wait for another run on the branch instead of failing (exit 5)')
    .option('--resume', 'continue an interrupted promote (apply what is left, verify, record)')
    .option(
      '--allow-destructive <version>',
      'approve the destructive changes of this migration version (repeatable; recorded)',
      collect,
      [],
    )
    .addOption(formatOption())
    .action(
      action(
        async (
          ctx,
          opts: {
            from?: string;
            to?: string;
            run: string[];
            format: string;
            wait?: boolean;
            resume?: boolean;
            allowDestructive: string[];
          },
        ) => {
          await validateBeforeOpening(ctx, opts.to ?? ctx.settings.defaultBranch);
          const { runPromote } = await import('../workflow/promote.js');
          const result = await runPromote(await workflowContext(ctx), opts);
          return reportOutput(result.report, result.reportFile, opts.format, { gate: result.gate ?? null });
        },
      ),
    );
}
