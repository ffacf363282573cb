/**
 * Scratch branches (`scratch/<branch>/...`, made by the reversibility check) live only while the run
 * that made them holds `<branch>`'s run lock. Whoever holds that lock later therefore knows any left
 * over belong to a run that died (killed during the check), and removes them with their computes.
 */
import type { Platform } from '../platform/types.js';

/** Delete the scratch branches of `branch`; the caller must hold its run lock. Returns their names. */
export async function sweepScratchBranches(
  platform: Platform,
  branch: string,
  log?: (line: string) => void,
): Promise<string[]> {
  const prefix = `scratch/${branch}/`;
  const left = (await platform.listBranches()).filter((b) => b.name.startsWith(prefix));
  const removed: string[] = [];
  for (const b of left) {
    try {
      await platform.deleteBranch(b.id);
      removed.push(b.name);
      log?.(`removed ${b.name}, left behind by an interrupted run`);
    } catch (err) {
      log?.(`could not remove leftover ${b.name}: ${(err as Error).message}`);
    }
  }
  return removed;
}
