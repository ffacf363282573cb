/** An exclusive lock file (`lock`, holding the owner's pid) around every state mutation. */
import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
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

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Take the lock (waiting up to timeoutMs, stealing it from dead processes); returns the release function. */
export async function acquireLock(stateDir: string, timeoutMs = 10 * 60_000): Promise<() => void> {
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
    try {
      holder = Number.parseInt(readFileSync(file, 'utf8').split('\n')[0], 10);
    } catch {
      continue; // released between our open and read
    }
    if (Number.isFinite(holder) && holder !== process.pid && !pidAlive(holder)) {
      try {
        unlinkSync(file);
      } catch {
        // another waiter stole it first
      }
      continue;
    }
    if (Date.now() > deadline) {
      throw new LockedError(`the local engine is busy (lock ${file} held by pid ${holder})`, 'wait for the other neon-migrate process to finish, or remove the lock file if that process is gone');
    }
    await sleep(50 + Math.random() * 100);
  }
}
