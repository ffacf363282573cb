/** Bridges the CLI context to the workflow library, and shared output for run reports. */
import { Option } from 'commander';
import { ExitCode } from '../errors.js';
import type { WorkflowContext } from '../workflow/context.js';
import type { RunReport } from '../workflow/report.js';
import { type ReportFormat, renderReport } from '../workflow/render.js';
import type { CliContext } from './context.js';
import { type CommandOutput, log } from './output.js';

/** The workflow context of a CLI invocation (opens the platform). */
export async function workflowContext(ctx: CliContext): Promise<WorkflowContext> {
  return { projectDir: ctx.projectDir, settings: ctx.settings, env: ctx.env, platform: await ctx.platform(), log, confirm: ctx.confirm };
}

/** `--format human|markdown`. */
export function formatOption(): Option {
  return new Option('--format <format>', 'report format on stdout').choices(['human', 'markdown']).default('human');
}

/** `--run <command>`, repeatable. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** A run report as CommandOutput: exit 1 when the run failed (and was rolled back). */
export function reportOutput(report: RunReport, reportFile: string, format: string, extra: Record<string, unknown> = {}): CommandOutput {
  return {
    json: { ok: report.outcome !== 'failed', reportFile, ...extra, report },
    human: renderReport(report, format as ReportFormat, { reportFile }),
    exitCode: report.outcome === 'failed' ? ExitCode.migrationFailed : ExitCode.ok,
  };
}
