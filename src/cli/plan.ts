/** `neon-migrate plan [--branch B] [--down] [--to V | --steps N] [--sql] [--applied V,V]`. */
import type { Command } from 'commander';
import { action } from './context.js';
import { stepsFlag } from './up.js';

interface PlanFlags {
  branch?: string;
  down?: boolean;
  to?: string;
  steps?: string;
  sql?: boolean;
  applied?: string;
}

/** Register `plan`. */
export function registerPlan(program: Command): void {
  program
    .command('plan')
    .description('what a run would execute; with --applied, without connecting to the branch')
    .option('-b, --branch <branch>', 'branch (default: settings.defaultBranch)')
    .option('--down', 'plan a revert instead of an apply')
    .option('--to <version>', 'as for up/down')
    .option('--steps <n>', 'as for up/down')
    .option('--sql', 'print the exact SQL, in order, with the history bookkeeping')
    .option('--applied <versions>', 'comma-separated versions taken as applied ("" for none); skips connecting')
    .action(
      action(async (ctx, flags: PlanFlags) => {
        const applied =
          flags.applied === undefined
            ? undefined
            : flags.applied
                .split(',')
                .map((v) => v.trim())
                .filter(Boolean);
        // The platform is only opened when the branch must be read.
        const platform = applied === undefined ? () => ctx.platform() : undefined;
        const { planMigrations } = await import('../workflow/inspect.js');
        const r = await planMigrations(
          { projectDir: ctx.projectDir, settings: ctx.settings, platform },
          {
            direction: flags.down ? 'down' : 'up',
            branch: flags.branch,
            to: flags.to,
            steps: stepsFlag(flags.steps),
            applied,
          },
        );
        const list = r.migrations.map((m) => `  ${m.name}${m.transactional ? '' : ' [no-transaction]'}`).join('\n');
        const { renderAnalysisHuman } = await import('../analysis/render.js');
        const findings = r.analysis ? renderAnalysisHuman(r.analysis) : '';
        const human = flags.sql
          ? r.script
          : r.migrations.length
            ? `${r.direction} on ${r.branch} would run:\n${list}${findings ? `\n${findings}` : ''}`
            : `${r.direction} on ${r.branch}: nothing to do`;
        return { json: { ok: true, ...r }, human };
      }),
    );
}
