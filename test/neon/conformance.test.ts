/**
 * The foundation's Platform conformance suite, unchanged, against NeonPlatform talking to
 * `local serve` (through the validating proxy: every answer must conform to Neon's OpenAPI spec).
 */
import { afterAll, expect } from 'vitest';
import { describePlatformConformance } from '../platform/conformance.js';
import { type NeonFixture, startNeonFixture } from './support/fixture.js';

let fixture: NeonFixture | undefined;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describePlatformConformance('NeonPlatform over local serve', async () => {
  fixture = await startNeonFixture();
  const f = fixture;
  return {
    platform: f.neon(),
    killCompute: async (ref) => {
      const branch = await f.local.getBranch(ref);
      const pid = f.local.computePid?.(branch.id);
      if (!pid) throw new Error(`compute of ${ref} is not running`);
      process.kill(pid, 'SIGKILL');
      while (f.local.computePid?.(branch.id) !== undefined) await sleep(20);
    },
    dispose: async () => {
      // Checked here, before the proxy closes: no answer of the server may break the spec.
      expect(f.proxy.problems).toEqual([]);
      expect(f.proxy.checked).toBeGreaterThan(20);
      await f.dispose();
    },
  };
});

afterAll(() => {
  fixture = undefined;
});
