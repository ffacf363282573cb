import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { pickPort } from '../../src/platform/local/ports.js';

describe('local compute ports', () => {
  it("reserves ports below the ephemeral range, never handing one engine's port to another live engine", async () => {
    const a = mkdtempSync(path.join(os.tmpdir(), 'nm-ports-a-'));
    const b = mkdtempSync(path.join(os.tmpdir(), 'nm-ports-b-'));
    const mine = new Set<number>();
    for (let i = 0; i < 20; i++) mine.add(await pickPort(mine, a));
    for (const port of mine) {
      expect(port).toBeGreaterThanOrEqual(20000);
      expect(port).toBeLessThan(32768);
      expect(readFileSync(path.join(os.tmpdir(), 'neon-migrate-ports', String(port)), 'utf8')).toBe(a);
    }
    for (let i = 0; i < 20; i++) expect(mine.has(await pickPort(new Set(), b))).toBe(false);
    rmSync(a, { recursive: true });
    rmSync(b, { recursive: true });
  });

  it('takes over the reservation of an engine whose state is gone', async () => {
    const gone = path.join(os.tmpdir(), `nm-ports-gone-${process.pid}`);
    const owner = mkdtempSync(path.join(os.tmpdir(), 'nm-ports-c-'));
    const dir = path.join(os.tmpdir(), 'neon-migrate-ports');
    // Reserve every port of the range for a project that no longer exists: picking must still succeed.
    const ports: number[] = [];
    for (let p = 20000; p < 32000; p++) ports.push(p);
    for (const p of ports) {
      try {
        writeFileSync(path.join(dir, String(p)), gone, { flag: 'wx' });
      } catch {
        // already reserved by a live engine of another test: leave it alone
      }
    }
    const port = await pickPort(new Set(), owner);
    expect(readFileSync(path.join(dir, String(port)), 'utf8')).toBe(owner);
    rmSync(owner, { recursive: true });
  });
});
