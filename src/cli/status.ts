/** `neon-migrate status [--branch B] [--accept V]`. */
import type { Command } from 'commander';
import type { StatusReport } from '../workflow/inspect.js';
import { ExitCode } from '../errors.js';
import { action } from './context.js';
import { log } from './output.js';

/** Past this many applied migrations, `status` summarises them in one line (a long history stays readable). */
const LIST_APPLIED_UP_TO = 20;

/** Human text for `status`: long applied lists summarised, everything needing attention listed. */
export function formatStatus(r: StatusReport): string {
  const lines = [
    `branch ${r.branch}: ${r.counts.applied} applied, ${r.counts.pending} pending, ${r.counts.drifted} drifted, ${r.counts.missing} missing`,
  ];
  if (r.masking)
    lines.push(`masked: the branch is masked by ${r.masking.rules} masking rule${r.masking.rules === 1 ? '' : 's'}`);
  if (r.entries.every((e) => e.kind !== 'tool'))
    lines.push(`order: ${r.ordering.used}${r.ordering.setting === 'auto' ? ' (auto)' : ''}`);
  if (r.ordering.warning) lines.push(`warning: ${r.ordering.warning}`);
  // Applied ones with nothing to say are summarised; everything else (pending, drifted, notes) is listed.
  const plain = (e: StatusReport['entries'][number]) =>
    e.state === 'applied' && !e.partial && !e.downChanged && e.notes.length === 0;
  const summarise = r.entries.filter(plain).length > LIST_APPLIED_UP_TO;
  if (summarise) {
    const applied = r.entries.filter(plain);
    lines.push(`  applied  ${applied.length} migrations, ${applied[0]!.name} … ${applied.at(-1)!.name}`);
  }
  for (const e of r.entries) {
    if (summarise && plain(e)) continue;
    const flags = [
      e.unverified ? 'unverified' : '',
      e.reversible ? '' : 'irreversible',
      e.noTransaction ? 'no-transaction' : '',
      e.outOfOrder ? 'out of order' : '',
      e.downChanged ? 'down file changed' : '',
      e.kind === 'ts' ? 'ts' : '',
    ]
      .filter(Boolean)
      .join(', ');
    lines.push(`  ${e.state.padEnd(8)} ${e.name}${flags ? ` [${flags}]` : ''}${e.appliedAt ? ` ${e.appliedAt}` : ''}`);
    if (e.partial)
      lines.push(
        `           partial: ${e.partial.direction} stopped after ${e.partial.statementsDone} statement(s) in run ${e.partial.runId ?? '?'} (${e.partial.error ?? 'no error recorded'})`,
      );
    for (const n of e.notes) lines.push(`           note: ${n}`);
  }
  for (const m of r.missing) lines.push(`  missing  ${m.name} (applied ${m.appliedAt}, file gone)`);
  for (const u of r.unfinished)
    lines.push(`${u.interrupted ? 'interrupted' : 'in progress'}: ${u.summary}${u.hint ? `; ${u.hint}` : ''}`);
  for (const b of r.backfills ?? [])
    lines.push(
      `partial backfill ${b.version} of ${b.table}: ${b.rowsDone} rows in ${b.batches} batches, up to key ${b.lastKey ?? '(none)'}; \`neon-migrate up --resume --branch ${r.branch}\` continues it`,
    );
  if (r.counts.unverified)
    lines.push(
      `${r.counts.unverified} applied migration(s) not verified on this branch (by up/down, the seed, or a run that did not finish); the promote gate only trusts migrations that passed \`neon-migrate test\``,
    );
  if (r.counts.partial)
    lines.push(
      `a migration that stopped partway blocks every run: fix the cause and run \`neon-migrate ${r.partial[0]!.direction} --resume --branch ${r.branch}\`, or \`neon-migrate rollback --branch ${r.branch}\``,
    );
  if (r.counts.drifted)
    lines.push(
      'drifted migrations block every run: restore the file, or accept with `neon-migrate status --accept <version>`',
    );
  if (r.counts.missing) lines.push('missing files block every run: restore them from version control');
  if (r.entries.some((e) => e.outOfOrder))
    lines.push('out-of-order pending migrations block every run: rename them with a newer version');
  return lines.join('\n');
}

/** Register `status`. */
export function registerStatus(program: Command): void {
  program
    .command('status')
    .description('applied, pending, drifted and missing migrations on a branch')
    .option('-b, --branch <branch>', 'branch (default: settings.defaultBranch)')
    .option(
      '--accept <version>',
      'accept a deliberate edit of an applied migration (stores its new checksum; recorded as a run)',
    )
    .action(
      action(async (ctx, flags: { branch?: string; accept?: string }) => {
        const project = { projectDir: ctx.projectDir, settings: ctx.settings, platform: () => ctx.platform(), log };
        if (flags.accept !== undefined) {
          const { acceptMigration } = await import('../workflow/accept.js');
          const r = await acceptMigration(project, { version: flags.accept, branch: flags.branch });
          return {
            json: { ok: true, accepted: r },
            human: `accepted the edited ${r.name} on branch ${r.branch} (checksum ${r.previousChecksum.slice(0, 12)} → ${r.checksum.slice(0, 12)}, run ${r.runId})`,
          };
        }
        const { migrationStatus } = await import('../workflow/inspect.js');
        const r = await migrationStatus(project, { branch: flags.branch });
        const { overdueBranches, overdueLines } = await import('../workflow/overdue.js');
        const overdue = await overdueBranches(await ctx.platform(), new Date());
        // What blocks every run (a partial migration, drift, missing files, out-of-order pending) exits 2 as the run itself would: a CI check.
        const blocked =
          r.counts.interrupted > 0 ||
          r.counts.partial > 0 ||
          r.counts.drifted > 0 ||
          r.counts.missing > 0 ||
          r.entries.some((e) => e.outOfOrder);
        return {
          json: { ok: !blocked, ...r, overdueBranches: overdue },
          human: [formatStatus(r), ...overdueLines(overdue)].join('\n'),
          exitCode: blocked ? ExitCode.usage : ExitCode.ok,
        };
      }),
    );
}
