/** `neon-migrate init`: scaffold a project (never overwrites). */
import type { Command } from 'commander';
import { action } from './context.js';

/** Register `init`. */
export function registerInit(program: Command): void {
  program
    .command('init')
    .description('scaffold neon-migrate.json, environments/, migrations/ and scripts/')
    .action(
      action(async (ctx) => {
        const { initProject } = await import('../migrations/scaffold.js');
        const r = initProject(ctx.projectDir);
        const found = r.detected
          ? [
              `found ${r.detected.evidence}: runner "${typeof r.detected.runner === 'string' ? r.detected.runner : Object.keys(r.detected.runner)[0]}"`,
            ]
          : [];
        const human = [
          ...found,
          ...r.created.map((f) => `created ${f}`),
          ...r.kept.map((f) => `kept    ${f} (exists)`),
        ].join('\n');
        return { json: { ok: true, ...r }, human };
      }),
    );
}
