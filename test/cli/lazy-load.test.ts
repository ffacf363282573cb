/**
 * The CLI loads heavy modules only in the commands that need them (issue 15: `--help` must start
 * instantly). Checked by module, not by time: a loader hook in the child lists every module the
 * built CLI (`npm run build` first) resolves, and `--help` must not reach the drivers, the parser,
 * tsx, zod, the Neon API client or the engine.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const BIN = path.resolve(import.meta.dirname, '../../bin/neon-migrate.js');
const HEAVY = [
  'zod',
  'libpg-query',
  'tsx',
  '@neondatabase/serverless',
  '@neondatabase/api-client',
  'pg',
  'ws',
  'execa',
  '/dist/platform/',
  '/dist/workflow/',
  '/dist/migrations/',
];
const dir = mkdtempSync(path.join(tmpdir(), 'nm-lazy-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The URLs of the modules a CLI run resolves. */
function modulesLoadedBy(args: string[]): string[] {
  const hook = path.join(dir, 'hook.mjs');
  const resolver = `export async function resolve(s, c, next) { const r = await next(s, c); process.stderr.write('MODULE ' + r.url + '\\n'); return r; }`;
  writeFileSync(
    hook,
    `import { register } from 'node:module';\nregister('data:text/javascript,' + encodeURIComponent(${JSON.stringify(resolver)}));\n`,
  );
  const r = spawnSync(process.execPath, ['--import', hook, BIN, ...args], { cwd: dir, encoding: 'utf8' });
  expect(r.status).toBe(0);
  return r.stderr
    .split('\n')
    .filter((l) => l.startsWith('MODULE '))
    .map((l) => l.slice('MODULE '.length));
}

describe('lazy loading in the CLI', () => {
  it("--help and a subcommand's --help load none of the heavy modules", () => {
    for (const args of [['--help'], ['up', '--help'], ['branches', 'create', '--help']]) {
      const loaded = modulesLoadedBy(args);
      expect(loaded.some((u) => u.includes('/dist/cli/main.js'))).toBe(true);
      const heavy = loaded.filter((u) => HEAVY.some((h) => u.includes(h.startsWith('/') ? h : `/node_modules/${h}/`)));
      expect(heavy, `${args.join(' ')} loaded: ${heavy.join(', ')}`).toEqual([]);
    }
  });
});
