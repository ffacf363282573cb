/** An exclusive lock file (`lock`, holding the owner's pid) around every state mutation. */
import { setTimeout as sleep } from 'node:timers/promises';
import { closeSync, linkSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import path from 'node:path';
import { LockedError } from '../../errors.js';

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Remove a dead holder's lock file only if it is still the very file we saw: two waiters may both
 * see the same dead holder, and once the first has stolen it and taken the lock anew, a plain
 * unlink by the second would delete the live lock and let both in. Renaming is atomic, so only one
 * waiter gets a given file; a live lock taken aside by mistake is linked back (link never overwrites).
 */
function stealDeadLock(file: string, seen: string): void {
  const aside = `${file}.${process.pid}.${Date.now()}-${Math.random()}.stale`;
  try {
    renameSync(file, aside);
  } catch {
    return; // another waiter took it first
  }
  try {
    if (readFileSync(aside, 'utf8') !== seen) linkSync(aside, file);
  } catch {
    // a new lock appeared meanwhile: it stands
  } finally {
    unlinkSync(aside);
  }
}

/** Test hook: runs after a dead holder was seen, before stealing (to reproduce two waiters racing). */
export interface LockOptions {
  beforeSteal?: () => void;
}

/** Take the lock (waiting up to timeoutMs, stealing it from dead processes); returns the release function. */
export async function acquireLock(
  stateDir: string,
  timeoutMs = 10 * 60_000,
  options: LockOptions = {},
): Promise<() => void> {
  const file = path.join(stateDir, 'lock');
  const token = `${process.pid}\n${Date.now()}-${Math.random()}\n`;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const fd = openSync(file, 'wx', 0o600);
      writeSync(fd, token);
      closeSync(fd);
      return () => {
        try {
          if (readFileSync(file, 'utf8') === token) unlinkSync(file);
        } catch {
          // already gone
        }
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    let holder = NaN;
    let seen: string;
    try {
      seen = readFileSync(file, 'utf8');
      holder = Number.parseInt(seen.split('\n')[0], 10);
    } catch {
      continue; // released between our open and read
    }
    if (Number.isFinite(holder) && holder !== process.pid && !pidAlive(holder)) {
      options.beforeSteal?.();
      stealDeadLock(file, seen);
      continue;
    }
    if (Date.now() > deadline) {
      throw new LockedError(`the local engine is busy (lock ${file} held by pid ${holder})`, {
        hint: 'wait for the other neon-migrate process to finish, or remove the lock file if that process is gone',
      });
    }
    await sleep(50 + Math.random() * 100);
  }
}
