/** The engine lock: stealing from a dead holder never breaks a lock another waiter just took. */
import { mkdtempSync, readdirSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LockedError } from '../../src/errors.js';
import { acquireLock } from '../../src/platform/local/lock.js';

/** A pid that is certainly not running (beyond the kernel's pid_max). */
const DEAD_PID = 4_194_305;

describe('engine lock', () => {
  let dir: string;
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('steals the lock of a dead process', async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'nm-lock-'));
    writeFileSync(path.join(dir, 'lock'), `${DEAD_PID}\nold\n`);
    const release = await acquireLock(dir, 1_000);
    expect(readFileSync(path.join(dir, 'lock'), 'utf8').split('\n')[0]).toBe(String(process.pid));
    release();
    expect(readdirSync(dir)).toEqual([]);
  });

  it('two waiters seeing the same dead holder: the later one leaves the new live lock alone', async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'nm-lock-'));
    const file = path.join(dir, 'lock');
    writeFileSync(file, `${DEAD_PID}\nold\n`);
    // the other waiter (a live process: our parent) steals the dead lock first and takes it anew
    const live = `${process.ppid}\nother-waiter\n`;
    let raced = false;
    const beforeSteal = () => {
      if (raced) return;
      raced = true;
      unlinkSync(file);
      writeFileSync(file, live);
    };
    await expect(acquireLock(dir, 300, { beforeSteal })).rejects.toBeInstanceOf(LockedError);
    expect(raced).toBe(true);
    expect(readFileSync(file, 'utf8')).toBe(live);
    expect(readdirSync(dir)).toEqual(['lock']);
  });
});
