/** `neon-migrate up [--branch B] [--to V | --steps N] [--wait] [--skip-gate]`. */
import type { Command } from 'commander';
import { UsageError } from '../errors.js';
import type { MigrateReport } from '../workflow/migrate.js';
import type { Direction } from '../run/select.js';
import { action, type CliContext } from './context.js';
import { log, type CommandOutput } from './output.js';
import { progressOf } from './workflow-bridge.js';

export interface RunFlags {
  branch?: string;
  to?: string;
  steps?: string;
  wait?: boolean;
  resume?: boolean;
  skipGate?: boolean;
}

/** Parse `--steps` strictly (commander hands over text). */
export function stepsFlag(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  if (!/^-?\d+$/.test(raw.trim()))
    throw new UsageError(`--steps must be a positive whole number, got "${raw}"`, {
      hint: 'e.g. --steps 1',
      code: 'BAD_STEPS',
    });
  return Number(raw);
}

/** Human text for a run report. */
export function formatRun(r: MigrateReport): string {
  if (r.outcome === 'nothing-to-do') return `branch ${r.branch}: nothing to ${r.command === 'up' ? 'apply' : 'revert'}`;
  const lines = [`branch ${r.branch} · checkpoint ${r.checkpoint} · run ${r.runId}`];
  if (r.gateSkipped)
    lines.push(
      `gate skipped (${r.gateSkipped.by === 'rollback' ? 'rollback' : '--skip-gate'}): ${r.gateSkipped.reason}; recorded in the run's history`,
    );
  for (const m of r.results) {
    const err = m.error ? `  ${m.error.location}: ${m.error.message}` : '';
    const time = m.status === 'not-run' ? '' : ` (${Math.round(m.durationMs)} ms)`;
    lines.push(`  ${m.status.padEnd(8)} ${m.name}${time}${err}`);
  }
  const failed = r.results.find((m) => m.status === 'failed' || m.status === 'partial');
  const undo = `neon-migrate rollback --branch ${r.branch}`;
  // Outside a transaction nothing is rolled back: say what stayed.
  if (failed?.status === 'failed' && failed.transactional)
    lines.push(
      `${failed.name} failed and was rolled back; the migrations before it stay ${r.command === 'up' ? 'applied' : 'reverted'}. Undo the whole run: ${undo}`,
    );
  if (failed?.status === 'failed' && !failed.transactional)
    lines.push(
      `${failed.name} ran outside a transaction and failed at its first statement, so nothing was rolled back (a failed CREATE INDEX CONCURRENTLY leaves an INVALID index); the migrations before it stay ${r.command === 'up' ? 'applied' : 'reverted'}. Undo the whole run: ${undo}`,
    );
  if (failed?.status === 'partial') {
    const at = failed.error?.statementIndex;
    const where =
      at === undefined
        ? `failed at ${failed.error?.location}; what it did before that took effect`
        : `stopped at statement ${at + 1}; the statements before it took effect`;
    lines.push(
      `${failed.name} ran outside a transaction and ${where}. Fix the cause and continue: neon-migrate ${r.command} --resume --branch ${r.branch}; or undo: ${undo}`,
    );
  }
  return lines.join('\n');
}

/** Shared action of `up` and `down`. */
export async function runCommand(ctx: CliContext, direction: Direction, flags: RunFlags): Promise<CommandOutput> {
  const { migrate } = await import('../workflow/migrate.js');
  const report = await migrate(
    {
      ...{
        projectDir: ctx.projectDir,
        settings: ctx.settings,
        platform: () => ctx.platform(),
        log,
        confirm: ctx.confirm,
      },
      ...progressOf(ctx),
    },
    {
      direction,
      branch: flags.branch,
      to: flags.to,
      steps: stepsFlag(flags.steps),
      wait: flags.wait,
      resume: flags.resume,
      skipGate: flags.skipGate,
    },
  );
  const failed = report.outcome === 'failed' || report.outcome === 'partial';
  return { json: { ok: !failed, ...report }, human: formatRun(report), exitCode: failed ? 1 : 0 };
}

/** Register `up`. */
export function registerUp(program: Command): void {
  program
    .command('up')
    .description('apply pending migrations (behind a checkpoint branch)')
    .option('-b, --branch <branch>', 'branch to migrate (default: settings.defaultBranch)')
    .option('--to <version>', 'apply up to and including this version')
    .option('--steps <n>', 'apply at most N migrations')
    .option('--wait', 'wait for another run on the branch instead of failing (exit 5)')
    .option('--resume', 'continue a no-transaction migration that stopped partway, from the statement that failed')
    .option(
      '--skip-gate',
      'apply to a gated (e.g. main behind staging) or protected branch anyway; asks for confirmation, recorded in the history',
    )
    .action(action((ctx, flags: RunFlags) => runCommand(ctx, 'up', flags)));
}
