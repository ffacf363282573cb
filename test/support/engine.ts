/** One local engine per test file, with a fresh branch (of an empty `main`) per test. */
import { chmodSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type Settings, settingsSchema } from '../../src/config/schema.js';
import { type LocalPlatform, openLocalPlatform } from '../../src/platform/local/index.js';

export interface TestEngine {
  platform: LocalPlatform;
  /** The engine's project directory. */
  dir: string;
  /** Create a branch of `main` and return its URI (starts its compute). */
  branch(name: string): Promise<string>;
  /** Names of every branch (checkpoints included). */
  branchNames(): Promise<string[]>;
  close(): Promise<void>;
}

/** Open an engine in a temp directory the cluster user can reach (settings such as `postgresVersion` optional). */
export async function openTestEngine(settings: Partial<Settings> = {}): Promise<TestEngine> {
  const dir = mkdtempSync(path.join(tmpdir(), 'nm-mig-engine-'));
  chmodSync(dir, 0o755);
  const platform = await openLocalPlatform({
    projectDir: dir,
    env: process.env,
    settings: settingsSchema.parse(settings),
  });
  return {
    platform,
    dir,
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
