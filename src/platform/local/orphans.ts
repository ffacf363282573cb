/**
 * A neon-migrate process killed mid-operation leaves its children running: a `cp` still filling a
 * branch directory, a postgres replaying into it. Crash recovery must stop them before it removes
 * or moves that directory, or the copy keeps writing into a tree being deleted (ENOTEMPTY) or into
 * the branch that was put back. Found through /proc, so this is Linux-only; elsewhere a no-op.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** Pids of processes (other than this one) with an argument inside `dir`. */
export function processesUsing(dir: string): number[] {
  if (!existsSync('/proc/self/cmdline')) return [];
  const root = path.resolve(dir);
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    let args: string[];
    try {
      args = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
    } catch {
      continue; // exited meanwhile, or not ours to read
    }
    if (args.some((a) => a === root || a.startsWith(`${root}${path.sep}`))) pids.push(Number(entry));
  }
  return pids;
}

/** True once pid has exited (a zombie waiting for its reaper counts: it writes nothing more). */
function gone(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return true;
  }
}

/** SIGKILL every process working inside `dir` and wait (up to `timeoutMs`) until they are gone. */
export async function killProcessesUsing(dir: string, timeoutMs = 10_000): Promise<void> {
  const pids = processesUsing(dir);
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  const deadline = Date.now() + timeoutMs;
  while (pids.some((p) => !gone(p)) && Date.now() < deadline) await sleep(20);
}
