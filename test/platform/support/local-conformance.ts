/** The Platform conformance suite against the embedded local engine, for one PostgreSQL major. */
import { rmSync } from 'node:fs';
import { settingsSchema } from '../../../src/config/schema.js';
import { openLocalPlatform } from '../../../src/platform/local/index.js';
import { describePlatformConformance } from '../conformance.js';
import { tempProject } from '../helpers.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Register the suite for the local engine running `postgresVersion`. */
export function describeLocalConformance(postgresVersion: 17 | 18): void {
  describePlatformConformance(`local engine (PostgreSQL ${postgresVersion})`, async () => {
    const dir = tempProject();
    const platform = await openLocalPlatform({
      projectDir: dir,
      env: process.env,
      settings: settingsSchema.parse({ postgresVersion }),
    });
    return {
      platform,
      // issue 13's cases run once, through local serve on this same engine (test/neon/conformance.test.ts)
      skipServedCases: true,
      killCompute: async (ref) => {
        const pid = platform.computePid(ref);
        if (!pid) throw new Error(`compute of ${ref} is not running`);
        process.kill(pid, 'SIGKILL');
        while (platform.computePid(ref) !== undefined) await sleep(20);
      },
      dispose: async () => {
        await platform.stopComputes();
        await platform.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  });
}
