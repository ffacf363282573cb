/** `neon-migrate report [RUN_ID|latest]`: show a saved run report. */
import type { Command } from 'commander';
import type { ReportFormat } from '../workflow/render.js';
import { action } from './context.js';
import { formatOption } from './workflow-bridge.js';

/** Register `report`. */
export function registerReport(program: Command): void {
  program
    .command('report')
    .description('show a saved run report (.neon-migrate/reports/)')
    .argument('[run-id]', 'run id (or a prefix), or "latest"', 'latest')
    .addOption(formatOption())
    .action(
      action(async (ctx, id: string, opts: { format: ReportFormat }) => {
        const [{ loadReport }, { renderHuman, renderMarkdown }] = await Promise.all([
          import('../workflow/report.js'),
          import('../workflow/render.js'),
        ]);
        const report = loadReport(ctx.projectDir, id);
        return { json: report, human: opts.format === 'markdown' ? renderMarkdown(report) : renderHuman(report) };
      }),
    );
}
