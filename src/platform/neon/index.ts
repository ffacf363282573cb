/** Neon API v2 platform (built in issue 5). */
import { PlatformError } from '../../errors.js';
import type { OpenPlatformOptions } from '../open.js';
import type { Platform } from '../types.js';

/** Open the Neon platform from NEON_API_KEY / NEON_PROJECT_ID / NEON_API_HOST. */
export async function openNeonPlatform(_options: OpenPlatformOptions): Promise<Platform> {
  throw new PlatformError('the Neon platform is not built yet', 'unset NEON_API_KEY to use the local engine', 'NOT_BUILT');
}
