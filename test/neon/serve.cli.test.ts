/**
 * `neon-migrate local serve` as a process: it prints exactly the three env lines, and the CLI itself,
 * given those lines as its .env, runs on the Neon platform path against it. Needs the build (`npm test`).
 */
import { execFile, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const exec = promisify(execFile);
const bin = path.resolve(import.meta.dirname, '../../bin/neon-migrate.js');

function cleanEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.NEON_API_KEY;
  delete env.NEON_PROJECT_ID;
  delete env.NEON_API_HOST;
  return env;
}

/** Resolve with the first three stdout lines of the server. */
function firstLines(child: ChildProcessWithoutNullStreams, count: number): Promise<string[]> {
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    child.stdout.on('data', (d) => {
      out += d;
      const lines = out.split('\n');
      if (lines.length > count) resolve(lines.slice(0, count));
    });
    child.once('exit', (code) => reject(new Error(`local serve exited ${code}: ${err}`)));
  });
}

describe('local serve (the CLI process)', () => {
  let engineDir: string;
  let clientDir: string;
  let server: ChildProcessWithoutNullStreams;
  let lines: string[];

  beforeAll(async () => {
    engineDir = mkdtempSync(path.join(tmpdir(), 'nm-serve-engine-'));
    clientDir = mkdtempSync(path.join(tmpdir(), 'nm-serve-client-'));
    server = spawn(process.execPath, [bin, '-C', engineDir, 'local', 'serve'], { env: cleanEnv() });
    lines = await firstLines(server, 3);
    writeFileSync(path.join(clientDir, '.env'), `${lines.join('\n')}\n`);
  });

  afterAll(async () => {
    if (server.exitCode === null) {
      server.kill('SIGTERM');
      await new Promise((resolve) => server.once('exit', resolve));
    }
    await exec(process.execPath, [bin, '-C', engineDir, 'local', 'stop'], { env: cleanEnv() }).catch(() => undefined);
    rmSync(engineDir, { recursive: true, force: true });
    rmSync(clientDir, { recursive: true, force: true });
  });

  it('prints exactly the three lines to paste into a shell or .env', () => {
    expect(lines[0]).toMatch(/^NEON_API_HOST=http:\/\/127\.0\.0\.1:\d+\/api\/v2$/);
    expect(lines[1]).toMatch(/^NEON_API_KEY=\S{16,}$/);
    expect(lines[2]).toMatch(/^NEON_PROJECT_ID=\S+$/);
  });

  it('serves the CLI on the Neon path: a branch created through the API exists in the local engine', async () => {
    const created = await exec(process.execPath, [bin, '-C', clientDir, '--json', 'branches', 'create', 'from-api'], {
      env: cleanEnv(),
    });
    expect(JSON.parse(created.stdout).name ?? JSON.parse(created.stdout).branch?.name).toBe('from-api');
    const local = await exec(process.execPath, [bin, '-C', engineDir, '--json', 'branches', 'list'], {
      env: cleanEnv(),
    });
    expect(local.stdout).toContain('"from-api"');
    // the API key given to the client never shows in its output
    const key = lines[1].slice('NEON_API_KEY='.length);
    expect(created.stdout + created.stderr).not.toContain(key);
  });

  it('stops cleanly on SIGTERM', async () => {
    server.kill('SIGTERM');
    const code = await new Promise((resolve) => server.once('exit', resolve));
    expect(code).toBe(0);
  });
});
