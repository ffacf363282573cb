/** Verification: integrity snapshots, catalog fingerprints, structural checks, assertions, user commands. */
export * from './assertions.js';
export * from './checks.js';
export * from './fingerprint.js';
export * from './queryable.js';
export * from './fingerprint-diff.js';
export * from './snapshot.js';
export * from './touched.js';
export * from './user-commands.js';
export * from './verify.js';
