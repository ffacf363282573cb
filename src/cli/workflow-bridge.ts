/** Bridges the CLI context to the workflow library, and shared output for run reports. */
import { Option } from 'commander';
import { loadEnvironment } from '../config/load.js';
import { ExitCode } from '../errors.js';
import { projectMigrations } from '../run/run-context.js';
import type { WorkflowContext } from '../workflow/workflow-context.js';
import type { RunReport } from '../workflow/report.js';
import { type ReportFormat, renderReport } from '../workflow/render.js';
import type { CliContext } from './context.js';
import { type CommandOutput, log } from './output.js';

/** The workflow context of a CLI invocation (opens the platform). */
export async function workflowContext(ctx: CliContext): Promise<WorkflowContext> {
  return { projectDir: ctx.projectDir, settings: ctx.settings, env: ctx.env, platform: await ctx.platform(), log, confirm: ctx.confirm };
}

/**
 * Refuse an unknown or malformed environment and broken migration files before the platform opens:
 * opening it creates and seeds a new local project, which bad input must not do.
 */
export async function validateBeforeOpening(ctx: CliContext, environment: string): Promise<void> {
  loadEnvironment(ctx.projectDir, ctx.settings, environment);
  await projectMigrations(ctx);
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
