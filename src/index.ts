/** Library entry: the public API of neon-migrate. */
export * from './errors.js';
export * from './platform/types.js';
export { openPlatform } from './platform/open.js';
export { loadSettings, loadEnvironment, loadAllEnvironments } from './config/load.js';
export type { Settings, Environment } from './config/schema.js';
