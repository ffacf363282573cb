/** `neon-migrate new <name> [--ts]`: create the next migration. */
import type { Command } from 'commander';
import { action } from './context.js';

/** Register `new`. */
export function registerNew(program: Command): void {
  program
    .command('new')
    .description('create the next migration: an SQL up/down pair, or a TypeScript data migration with --ts')
    .argument('<name>', 'what the migration does, e.g. add_subtasks')
    .option('--ts', 'a TypeScript module exporting up(ctx) and down(ctx)')
    .action(
      action(async (ctx, name: string, flags: { ts?: boolean }) => {
        const { newMigration } = await import('../migrations/scaffold.js');
        const r = await newMigration(ctx.projectDir, ctx.settings, name, { ts: flags.ts });
        return { json: { ok: true, ...r }, human: r.files.map((f) => `created ${f}`).join('\n') };
      }),
    );
}
