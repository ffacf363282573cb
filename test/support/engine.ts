/** One local engine per test file, with a fresh branch (of an empty `main`) per test. */
import { chmodSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { settingsSchema } from '../../src/config/schema.js';
import { type LocalPlatform, openLocalPlatform } from '../../src/platform/local/index.js';

export interface TestEngine {
  platform: LocalPlatform;
  /** Create a branch of `main` and return its URI (starts its compute). */
  branch(name: string): Promise<string>;
  /** Names of every branch (checkpoints included). */
  branchNames(): Promise<string[]>;
  close(): Promise<void>;
}

/** Open an engine in a temp directory the cluster user can reach. */
export async function openTestEngine(): Promise<TestEngine> {
  const dir = mkdtempSync(path.join(tmpdir(), 'nm-mig-engine-'));
  chmodSync(dir, 0o755);
  const platform = await openLocalPlatform({ projectDir: dir, env: process.env, settings: settingsSchema.parse({}) });
  return {
    platform,
    branch: async (name) => {
      await platform.createBranch({ name, parent: 'main' });
      return platform.connectionUri(name);
    },
    branchNames: async () => (await platform.listBranches()).map((b) => b.name),
    close: async () => {
      await platform.stopComputes();
      await platform.close();
    },
  };
}
