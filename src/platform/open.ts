/** Picks the platform: Neon when NEON_API_KEY and NEON_PROJECT_ID are set, else the local engine. */
import { checkCredentials } from '../config/dotenv.js';
import type { Settings } from '../config/schema.js';
import { ConfigError } from '../errors.js';
import type { Platform } from './types.js';

export interface OpenPlatformOptions {
  projectDir: string;
  env: NodeJS.ProcessEnv;
  settings: Settings;
  /** Where the engine reports housekeeping it did on its own (e.g. `local gc` at start); stderr in the CLI. */
  log?: (line: string) => void;
}

/** Refuse a Neon project whose `pg_version` differs from the `postgresVersion` setting (the SQL would be read with another grammar). */
export function assertProjectMajor(projectMajor: number | undefined, setting: number): void {
  if (projectMajor === undefined || projectMajor === setting) return;
  throw new ConfigError([
    {
      file: 'neon-migrate.json',
      key: 'postgresVersion',
      message: `is ${setting} but the Neon project runs PostgreSQL ${projectMajor}; set it to ${projectMajor}`,
    },
  ]);
}

/**
 * Open the platform the environment selects.
 *
 * @example
 * ```ts
 * const platform = await openPlatform({ projectDir, env: process.env, settings: loadSettings(projectDir) });
 * try {
 *   console.log((await platform.listBranches()).map((b) => b.name));
 * } finally {
 *   await platform.close();
 * }
 * ```
 */
export async function openPlatform(options: OpenPlatformOptions): Promise<Platform> {
  const { env } = options;
  checkCredentials(env);
  if (env.NEON_API_KEY && env.NEON_PROJECT_ID) {
    const { openNeonPlatform } = await import('./neon/index.js');
    const platform = await openNeonPlatform(options);
    // Only when the settings name a major: then the parser and the project must agree.
    if (options.settings.postgresVersion !== undefined)
      assertProjectMajor((await platform.getProject()).pgVersion, options.settings.postgresVersion);
    return platform;
  }
  const { openLocalPlatform } = await import('./local/index.js');
  return openLocalPlatform(options);
}
