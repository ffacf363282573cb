/** `neon-migrate baseline [--branch B] [--from TOOL|none] [--to V] [--dry-run] [--wait]`. */
import type { Command } from 'commander';
import type { BaselineOptions, BaselineReport } from '../workflow/baseline.js';
import { action } from './context.js';
import { log } from './output.js';

/** Past this many, the adopted migrations are summarised in one line. */
const LIST_UP_TO = 20;

function formatBaseline(r: BaselineReport): string {
  const from = 'tool' in r.source ? `${r.source.tool}'s ${r.source.table}` : `--to ${r.source.to}`;
  const head = r.dryRun
    ? `branch ${r.branch} (dry run, nothing written)`
    : `branch ${r.branch} · checkpoint ${r.checkpoint} · run ${r.runId}`;
  const lines = [
    head,
    `adopted ${r.adopted.length} migration(s) from ${from} without running them; ${r.pending.length} pending`,
  ];
  const list = (state: string, ms: { name: string }[]) => {
    if (ms.length > LIST_UP_TO)
      lines.push(`  ${state.padEnd(8)} ${ms.length} migrations, ${ms[0]!.name} … ${ms.at(-1)!.name}`);
    else for (const m of ms) lines.push(`  ${state.padEnd(8)} ${m.name}`);
  };
  list('adopted', r.adopted);
  for (const m of r.pending) lines.push(`  pending  ${m.name}`);
  if (r.pending.length)
    lines.push(`next: \`neon-migrate test\` or \`neon-migrate up --branch ${r.branch}\` applies the pending ones`);
  return lines.join('\n');
}

/** Register `baseline`. */
export function registerBaseline(program: Command): void {
  program
    .command('baseline')
    .description('adopt a database whose history another tool wrote: record what it applied, without running anything')
    .option('-b, --branch <branch>', 'branch to adopt (default: settings.defaultBranch)')
    .option(
      '--from <tool>',
      "read this tool's table when several exist (diesel, golang-migrate, dbmate, sqlx, flyway, node-pg-migrate, knex, alembic), or none to ignore them",
    )
    .option(
      '--to <version>',
      'with no history table: record every migration up to and including this version as applied',
    )
    .option('--dry-run', 'check and show what would be recorded; write nothing')
    .option('--wait', 'wait for another run on the branch instead of failing (exit 5)')
    .action(
      action(async (ctx, flags: BaselineOptions) => {
        const { baseline } = await import('../workflow/baseline.js');
        const r = await baseline(
          { projectDir: ctx.projectDir, settings: ctx.settings, platform: () => ctx.platform(), log },
          flags,
        );
        return { json: { ok: true, ...r }, human: formatBaseline(r) };
      }),
    );
}
