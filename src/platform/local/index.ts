/** The embedded local engine (issue 2). */
import { PlatformError } from '../../errors.js';
import type { OpenPlatformOptions } from '../open.js';
import type { Platform } from '../types.js';

/** Open the local engine for a project. */
export async function openLocalPlatform(_options: OpenPlatformOptions): Promise<Platform> {
  throw new PlatformError('the local engine is not built yet', undefined, 'NOT_BUILT');
}
