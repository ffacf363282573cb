/** Running the built CLI from the bench, timed as a whole process (startup included, as a user sees it). */
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const BIN = path.join(REPO, 'bin', 'neon-migrate.js');

/** Run the CLI in `cwd`; returns seconds and stdout; throws with stderr when it fails. */
export function cli(
  cwd: string,
  args: string[],
  env: NodeJS.ProcessEnv = process.env,
): { seconds: number; stdout: string } {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const seconds = (performance.now() - t0) / 1000;
  if (r.status !== 0)
    throw new Error(
      `neon-migrate ${args.join(' ')} exited ${r.status}: ${(r.stderr || r.stdout).trim().split('\n').slice(-3).join(' / ')}`,
    );
  return { seconds, stdout: r.stdout };
}

/** Seconds a whole command takes (any exit code accepted). */
export function timeCommand(
  file: string,
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): number {
  const t0 = performance.now();
  const r = spawnSync(file, args, { cwd: options.cwd, env: options.env ?? process.env, stdio: 'ignore' });
  if (r.error) throw r.error;
  return (performance.now() - t0) / 1000;
}

/** A scratch copy of the repository's example project (settings, environments, migrations, scripts). */
export function copyExample(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'nm-bench-example-'));
  // the engine's clusters run as an unprivileged user that must traverse the project dir
  chmodSync(dir, 0o755);
  for (const entry of ['neon-migrate.json', 'environments', 'migrations', 'scripts'])
    cpSync(path.join(REPO, entry), path.join(dir, entry), { recursive: true });
  return dir;
}

/** Env for CLI runs: the example seed size from NEON_MIGRATE_SEED_TASKS (default: the seed's own 100000). */
export function benchEnv(): NodeJS.ProcessEnv {
  return { ...process.env, NEON_MIGRATE_DEBUG: '' };
}
