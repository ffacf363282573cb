/** Picks the platform: Neon when NEON_API_KEY and NEON_PROJECT_ID are set, else the local engine. */
import { checkCredentials } from '../config/dotenv.js';
import type { Settings } from '../config/schema.js';
import type { Platform } from './types.js';

export interface OpenPlatformOptions {
  projectDir: string;
  env: NodeJS.ProcessEnv;
  settings: Settings;
  /** Where the engine reports housekeeping it did on its own (e.g. `local gc` at start); stderr in the CLI. */
  log?: (line: string) => void;
}

/** Open the platform the environment selects. */
export async function openPlatform(options: OpenPlatformOptions): Promise<Platform> {
  const { env } = options;
  checkCredentials(env);
  if (env.NEON_API_KEY && env.NEON_PROJECT_ID) {
    const { openNeonPlatform } = await import('./neon/index.js');
    return openNeonPlatform(options);
  }
  const { openLocalPlatform } = await import('./local/index.js');
  return openLocalPlatform(options);
}
