/** Picks the platform: Neon when NEON_API_KEY and NEON_PROJECT_ID are set, else the local engine. */
import type { Settings } from '../config/schema.js';
import type { Platform } from './types.js';

export interface OpenPlatformOptions {
  projectDir: string;
  env: NodeJS.ProcessEnv;
  settings: Settings;
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
  if (env.NEON_API_KEY && env.NEON_PROJECT_ID) {
    const { openNeonPlatform } = await import('./neon/index.js');
    return openNeonPlatform(options);
  }
  const { openLocalPlatform } = await import('./local/index.js');
  return openLocalPlatform(options);
}
