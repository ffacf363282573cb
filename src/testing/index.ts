/**
 * `neon-migrate/testing`: the test-only parts, behind their own entry point so the main package
 * never ships them in its API. Fault injection for the local Neon-API server, a virtual clock for
 * the Neon client, and the server itself to point a NeonPlatform at.
 *
 * @example
 * ```ts
 * import { FaultPlan, startLocalServer, virtualClock } from 'neon-migrate/testing';
 * const faults = new FaultPlan().add({ method: 'POST', path: /\/branches$/, count: 1, status: 423 });
 * const server = await startLocalServer({ platform, projectDir, faults }); // platform: a local Platform
 * ```
 */
export { FaultPlan } from './fault-plan.js';
export { virtualClock } from './virtual-clock.js';
export { type LocalServer, startLocalServer, type LocalServerOptions } from '../platform/local/server/index.js';
export type { FaultRule } from '../platform/local/server/fault-hooks.js';
