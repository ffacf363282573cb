/** Databases for the verify tests: one local-engine project, one fresh database per test. */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { loadSettings } from '../../src/config/load.js';
import { openLocalPlatform } from '../../src/platform/local/index.js';

export interface TestDatabases {
  /** Create an empty database and return its URI. */
  createDatabase(name: string): Promise<string>;
  stop(): Promise<void>;
}

/** Open a throwaway local-engine project (its `main` branch hosts the test databases). */
export async function startEngineDatabases(): Promise<TestDatabases> {
  const dir = mkdtempSync(path.join(tmpdir(), 'nm-verify-'));
  chmodSync(dir, 0o755);
  const platform = await openLocalPlatform({ projectDir: dir, env: process.env, settings: loadSettings(dir) });
  const uri = await platform.connectionUri('main');
  return {
    async createDatabase(name) {
      const c = new pg.Client({ connectionString: uri });
      await c.connect();
      try {
        await c.query(`CREATE DATABASE "${name}"`);
      } finally {
        await c.end();
      }
      return uri.replace(/\/neondb$/, `/${name}`);
    },
    async stop() {
      await platform.stopComputes();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
