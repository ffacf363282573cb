/** Neon API v2 platform: selected when NEON_API_KEY and NEON_PROJECT_ID are set (docs/architecture.md §4). */
import type { OpenPlatformOptions } from '../open.js';
import type { Platform } from '../types.js';
import { readNeonConfig } from './config.js';
import { NeonPlatform, type NeonPlatformOptions } from './platform.js';

export { NeonPlatform, isNeonPlatform, type NeonPlatformOptions } from './platform.js';
export { readNeonConfig, DEFAULT_NEON_API_HOST } from './config.js';
export { systemClock, type Clock } from './clock.js';

/** Open the Neon platform from NEON_API_KEY / NEON_PROJECT_ID / NEON_API_HOST (malformed → ConfigError). */
export async function openNeonPlatform(
  options: OpenPlatformOptions & { overrides?: Partial<NeonPlatformOptions> },
): Promise<Platform> {
  const config = readNeonConfig(options.env);
  return new NeonPlatform({ ...config, ...options.overrides });
}
