/** Crash recovery's orphan sweep: children of a killed process that still work inside a branch dir. */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { killProcessesUsing, processesUsing } from '../../src/platform/local/orphans.js';

const dir = mkdtempSync(path.join(tmpdir(), 'nm-orphans-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.runIf(process.platform === 'linux')('orphan sweep', () => {
  it('finds a process with an argument inside the dir, kills it and waits until it is gone; leaves others alone', async () => {
    const inside = path.join(dir, 'branch', 'data');
    const outside = path.join(dir, 'branch-sibling');
    writeFileSync(path.join(dir, 'f'), '');
    const worker = spawn('sh', ['-c', 'sleep 60', 'sh', inside], { stdio: 'ignore' });
    const bystander = spawn('sh', ['-c', 'sleep 60', 'sh', outside], { stdio: 'ignore' });
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      worker.on('exit', (_code, signal) => resolve(signal)),
    );
    try {
      await new Promise((r) => setTimeout(r, 200));
      expect(processesUsing(path.join(dir, 'branch'))).toEqual([worker.pid]);
      await killProcessesUsing(path.join(dir, 'branch'));
      expect(await exited).toBe('SIGKILL');
      expect(processesUsing(path.join(dir, 'branch'))).toEqual([]);
      expect(bystander.exitCode).toBeNull();
    } finally {
      worker.kill('SIGKILL');
      bystander.kill('SIGKILL');
    }
  });
});
