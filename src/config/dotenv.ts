/** dotenv loading: `.env` (or `--dotenv`, alias `--env-file`) supplies NEON_API_KEY / NEON_PROJECT_ID; absent → local engine. */
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import dotenv from 'dotenv';
import { ConfigError } from '../errors.js';

/**
 * Merge the dotenv file under the process environment (real env vars win, as dotenv does).
 * An explicit `envFile` that does not exist is an error; a missing default `.env` is not.
 */
export function loadEnv(
  projectDir: string,
  envFile?: string,
  base: NodeJS.ProcessEnv = process.env,
): NodeJS.ProcessEnv {
  const file = path.resolve(projectDir, envFile ?? '.env');
  if (!existsSync(file)) {
    if (envFile) {
      const problem = { file: envFile, key: '', message: `env file not found (looked for ${file})` };
      throw new ConfigError([problem], { hint: 'check the --dotenv path (relative to the project folder)' });
    }
    return { ...base };
  }
  if (!statSync(file).isFile()) {
    const problem = { file: envFile ?? '.env', key: '', message: `${file} is not a file` };
    throw new ConfigError([problem], { hint: 'point --dotenv at a dotenv file (KEY=value lines)' });
  }
  const parsed = dotenv.parse(readFileSync(file));
  return { ...parsed, ...base };
}

/**
 * Neon credentials are all or nothing: NEON_API_KEY without NEON_PROJECT_ID (or the reverse) used
 * to select the local engine silently, so a CI job meant for Neon migrated a throwaway cluster.
 */
export function checkCredentials(env: NodeJS.ProcessEnv): void {
  const key = Boolean(env.NEON_API_KEY?.trim());
  const project = Boolean(env.NEON_PROJECT_ID?.trim());
  if (key === project) return;
  const [set, missing] = key ? ['NEON_API_KEY', 'NEON_PROJECT_ID'] : ['NEON_PROJECT_ID', 'NEON_API_KEY'];
  throw new ConfigError(
    [
      {
        file: 'environment',
        key: missing,
        message: `is not set while ${set} is (Neon needs both, the local engine neither)`,
      },
    ],
    { hint: `set ${missing} too (shell or .env) to use Neon, or unset ${set} to use the local engine` },
  );
}
