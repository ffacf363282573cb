/** Bridges the CLI context to the workflow library, and shared output for run reports. */
import { Option } from 'commander';
import { ExitCode } from '../errors.js';
import type { WorkflowContext } from '../workflow/workflow-context.js';
import type { RunReport } from '../workflow/report.js';
import type { ReportFormat } from '../workflow/render.js';
import type { CliContext } from './context.js';
import { type CommandOutput, log } from './output.js';

/** The workflow context of a CLI invocation (opens the platform). */
export async function workflowContext(ctx: CliContext): Promise<WorkflowContext> {
  return {
    projectDir: ctx.projectDir,
    settings: ctx.settings,
    env: ctx.env,
    platform: await ctx.platform(),
    log,
    confirm: ctx.confirm,
    ...progressOf(ctx),
  };
}

/** Progress bars go to stderr when it is a terminal and the output is not JSON; otherwise lines. */
export function progressOf(ctx: CliContext): { progressStream?: NodeJS.WritableStream } {
  return process.stderr.isTTY && !ctx.options.json ? { progressStream: process.stderr } : {};
}

/**
 * Refuse an unknown or malformed environment and broken migration files before the platform opens:
 * opening it creates and seeds a new local project, which bad input must not do.
 */
export async function validateBeforeOpening(ctx: CliContext, environment: string): Promise<void> {
  // imported here, not at the top: registering commands (and --help) must stay free of the parser
  const [{ loadEnvironment }, { projectMigrations }] = await Promise.all([
    import('../config/load.js'),
    import('../run/run-context.js'),
  ]);
  loadEnvironment(ctx.projectDir, ctx.settings, environment);
  // A wrapped tool's files are checked by its executor (prepare), before anything is touched.
  const native = typeof ctx.settings.runner === 'string' && ctx.settings.runner === 'native';
  if (native) await projectMigrations(ctx);
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
export async function reportOutput(
  report: RunReport,
  reportFile: string,
  format: string,
  extra: Record<string, unknown> = {},
): Promise<CommandOutput> {
  const { renderReport } = await import('../workflow/render.js');
  return {
    json: { ok: report.outcome !== 'failed', reportFile, ...extra, report },
    human: renderReport(report, format as ReportFormat, { reportFile }),
    exitCode: report.outcome === 'failed' ? ExitCode.migrationFailed : ExitCode.ok,
  };
}
