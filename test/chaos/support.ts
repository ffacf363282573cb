/** Chaos-suite helpers: example projects and the built CLI, with every output kept for the secrets scan. */
import { cpSync } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';

export const REPO = path.resolve(import.meta.dirname, '../..');
const BIN = path.join(REPO, 'bin', 'neon-migrate.js');

/** Copy the repo's example project into dir (which exists); returns dir. */
export function copyProject(dir: string): string {
  for (const entry of ['migrations', 'environments', 'scripts', 'neon-migrate.json']) {
    cpSync(path.join(REPO, entry), path.join(dir, entry), { recursive: true });
  }
  return dir;
}

export interface CliRun {
  exitCode: number;
  stdout: string;
  stderr: string;
  // `any`: each command prints its own JSON document shape; tests read the fields they assert on.
  json: any;
}

/** Every stdout/stderr the chaos suite's CLI runs produced in this process (for the secrets scan). */
export const outputs: string[] = [];

/** Run the built CLI on a project: non-TTY stdin, no Neon credentials unless given, small seed. */
export async function cliRun(
  project: string,
  args: string[],
  env: Record<string, string> = {},
  cwdFlag = true,
): Promise<CliRun> {
  const base = { ...process.env };
  delete base.NEON_API_KEY;
  delete base.NEON_PROJECT_ID;
  const r = await execa('node', [BIN, ...(cwdFlag ? ['-C', project] : []), ...args], {
    reject: false,
    stdin: 'ignore',
    cwd: project,
    env: { ...base, NEON_MIGRATE_SEED_TASKS: '200', ...env },
    extendEnv: false,
    timeout: 120_000,
  });
  outputs.push(r.stdout ?? '', r.stderr ?? '');
  let json: unknown;
  if (args.includes('--json')) {
    try {
      json = JSON.parse(r.stdout);
    } catch {
      json = undefined;
    }
  }
  return { exitCode: r.exitCode ?? -1, stdout: r.stdout ?? '', stderr: r.stderr ?? '', json };
}

/**
 * Run the built CLI and SIGKILL it as soon as its stderr matches `marker` (a phase's progress line,
 * not a timed sleep). Resolves with whether it was killed, its exit code, and what it printed.
 */
export async function killAt(
  project: string,
  args: string[],
  marker: RegExp,
  env: Record<string, string> = {},
): Promise<{ killed: boolean; exitCode: number | undefined; stderr: string }> {
  const child = execa('node', [BIN, '-C', project, ...args], { reject: false, stdin: 'ignore', env });
  let stderr = '';
  let killed = false;
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
    if (!killed && marker.test(stderr)) {
      killed = true;
      child.kill('SIGKILL');
    }
  });
  const r = await child;
  outputs.push(r.stdout ?? '', stderr);
  return { killed, exitCode: r.exitCode, stderr };
}
