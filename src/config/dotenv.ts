/** dotenv loading: `.env` (or `--env-file`) supplies NEON_API_KEY / NEON_PROJECT_ID; absent → local engine. */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import dotenv from 'dotenv';
import { ConfigError } from '../errors.js';

/**
 * Merge the dotenv file under the process environment (real env vars win, as dotenv does).
 * An explicit `envFile` that does not exist is an error; a missing default `.env` is not.
 */
export function loadEnv(projectDir: string, envFile?: string, base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const file = path.resolve(projectDir, envFile ?? '.env');
  if (!existsSync(file)) {
    if (envFile) throw new ConfigError([{ file: envFile, key: '', message: 'env file not found' }], 'check the --env-file path');
    return { ...base };
  }
  const parsed = dotenv.parse(readFileSync(file));
  return { ...parsed, ...base };
}
