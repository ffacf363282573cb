/**
 * One temporary directory per test run, as TMPDIR for every worker and every CLI the tests start,
 * removed at the end: each test engine is a set of real clusters (up to 1.5 GB), and leaving them
 * behind filled this machine's disk after a few dozen runs.
 */
import { chmodSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { killProcessesUsing, processesUsing } from '../../src/platform/local/orphans.js';
import { gcOrphans, gcReport, listRegistered, type RegisteredCluster } from '../../src/platform/local/registry.js';
import { systemDir } from '../../src/platform/local/system-dir.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Point TMPDIR at a fresh directory; the returned teardown stops what still runs there and removes it. */
export default function setup(): () => Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'neon-migrate-tests-'));
  // the cluster user must traverse it to reach the clusters inside
  chmodSync(dir, 0o755);
  process.env.TMPDIR = dir;
  return async () => {
    if (process.env.KEEP_TEST_TMP) return;
    // computes a test left running: a fast shutdown first (SIGINT to the postmaster), then SIGKILL
    for (const pid of processesUsing(dir)) {
      try {
        process.kill(pid, 'SIGINT');
      } catch {
        // gone already
      }
    }
    for (let i = 0; i < 50 && processesUsing(dir).length; i++) await sleep(100);
    await killProcessesUsing(dir);
    if (existsSync(dir)) rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
    // clusters this run's projects kept in the system dir (projects the cluster user could not reach)
    const ours = (c: RegisteredCluster) => c.projectDir === dir || c.projectDir.startsWith(`${dir}${path.sep}`);
    const removed = await gcOrphans(systemDir(), ours);
    if (removed.length)
      process.stderr.write(`test teardown: ${gcReport(removed)} (a test left them; use \`local destroy\`)\n`);
    const left = listRegistered().filter(ours);
    if (left.length)
      throw new Error(
        `test teardown: ${left.length} cluster folder(s) of this run remain: ${left.map((c) => c.clusterRoot).join(', ')}`,
      );
  };
}
