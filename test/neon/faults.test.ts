/**
 * Fault injection between NeonPlatform and `local serve`: busy/rate-limited/unavailable answers,
 * operations that fail or hang, lost answers after an applied create or restore, and bad input.
 * Each ends in the right behaviour and, when fatal, one clear line with the right exit code.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, NeonMigrateError, PlatformError, BranchNotFoundError } from '../../src/errors.js';
import { openNeonPlatform } from '../../src/platform/neon/index.js';
import { virtualClock } from '../../src/testing/index.js';
import { settingsSchema } from '../../src/config/schema.js';
import { snapshotNamed, snapshotsIfAvailable } from '../../src/run/checkpoint-source.js';
import { type NeonFixture, startNeonFixture } from './support/fixture.js';

let f: NeonFixture;
const BRANCHES = /^\/projects\/[^/]+\/branches$/;
const RESTORE = /^\/projects\/[^/]+\/branches\/[^/]+\/restore$/;

async function failure(p: Promise<unknown>): Promise<NeonMigrateError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(NeonMigrateError);
  const e = err as NeonMigrateError;
  expect(e.message).not.toContain('\n');
  expect(`${e.message} ${e.hint ?? ''}`).not.toContain(f.server.token);
  return e;
}
const posts = (path: RegExp) => f.faults.seen.filter((s) => s.startsWith('POST ') && path.test(s.slice(5))).length;

beforeAll(async () => {
  f = await startNeonFixture();
});
afterEach(() => {
  f.faults.clear();
  expect(f.proxy.problems).toEqual([]);
});
afterAll(async () => {
  await f?.dispose();
});

describe('retries', () => {
  it('3× 423 then success: the branch is created once, after backoff with jitter', async () => {
    f.faults.add({ method: 'POST', path: BRANCHES, count: 3, status: 423 });
    const clock = virtualClock();
    const before = posts(BRANCHES);
    const branch = await f.neon({ clock }).createBranch({ name: 'after-423' });
    expect(branch.name).toBe('after-423');
    expect(posts(BRANCHES) - before).toBe(4);
    const backoffs = clock.slept.slice(0, 3);
    expect(backoffs[1]!).toBeGreaterThan(backoffs[0]!);
    expect(backoffs[2]!).toBeGreaterThan(backoffs[1]!);
  });

  it('429 with Retry-After: waits what the server asked', async () => {
    f.faults.add({ method: 'POST', path: BRANCHES, count: 1, status: 429, headers: { 'retry-after': '7' } });
    const clock = virtualClock();
    await f.neon({ clock }).createBranch({ name: 'after-429' });
    expect(clock.slept[0]).toBe(7000);
  });

  it('503 twice: retried, then works', async () => {
    f.faults.add({ method: 'GET', path: /^\/projects\/[^/]+$/, count: 2, status: 503 });
    const project = await f.neon({ clock: virtualClock() }).getProject();
    expect(project.id).toBe(f.server.projectId);
  });

  it('423 that never clears: one line, exit 4, after the retry budget', async () => {
    f.faults.add({ method: 'POST', path: BRANCHES, count: 50, status: 423 });
    const e = await failure(
      f.neon({ clock: virtualClock(), retry: { maxAttempts: 4 } }).createBranch({ name: 'never' }),
    );
    expect(e.exitCode).toBe(4);
    expect(e.message).toMatch(/423 while creating branch "never".*request id/);
    expect((await f.local.listBranches()).map((b) => b.name)).not.toContain('never');
  });
});

describe('operations', () => {
  it('an operation ending `error` is fatal with its message', async () => {
    f.faults.nextOperation('error', 'start_compute');
    const e = await failure(f.neon().createBranch({ name: 'op-error' }));
    expect(e.code).toBe('NEON_OPERATION_FAILED');
    expect(e.exitCode).toBe(4);
    expect(e.message).toMatch(/start_compute .* ended "error".*injected failure/);
  });

  it('an operation that never finishes hits the deadline', async () => {
    f.faults.nextOperation('stuck', 'start_compute');
    const clock = virtualClock();
    const e = await failure(
      f.neon({ clock, operations: { timeoutMs: 120_000, pollIntervalMs: 1_000 } }).createBranch({ name: 'op-stuck' }),
    );
    expect(e.code).toBe('NEON_OPERATION_TIMEOUT');
    expect(e.message).toMatch(/still "running" after 120s/);
  });
});

describe('lost answers', () => {
  it('a dropped connection after a create was accepted: re-read by name, no duplicate', async () => {
    f.faults.add({ method: 'POST', path: BRANCHES, count: 1, dropAfterHandling: true });
    const before = posts(BRANCHES);
    const branch = await f.neon({ clock: virtualClock() }).createBranch({ name: 'dropped-create' });
    expect(branch.name).toBe('dropped-create');
    expect(posts(BRANCHES) - before).toBe(1);
    expect((await f.local.listBranches()).filter((b) => b.name === 'dropped-create')).toHaveLength(1);
  });

  it('a dropped connection after a restore was accepted: not restored twice', async () => {
    const neon = f.neon({ clock: virtualClock() });
    await neon.createBranch({ name: 'restore-src' });
    await neon.createBranch({ name: 'restore-dst' });
    f.faults.add({ method: 'POST', path: RESTORE, count: 1, dropAfterHandling: true });
    const before = posts(RESTORE);
    const result = await neon.restoreBranch('restore-dst', {
      source: 'restore-src',
      preserveUnderName: 'restore-dst-backup',
    });
    expect(result.backup?.name).toBe('restore-dst-backup');
    expect(posts(RESTORE) - before).toBe(1);
  });
});

describe('bad input: one line, exit 4 (2 for config), nothing changed', () => {
  it('a wrong API key (401)', async () => {
    const e = await failure(f.neon({ apiKey: 'wrong-key-123' }).listBranches());
    expect(e.exitCode).toBe(4);
    expect(e.code).toBe('NEON_UNAUTHORIZED');
    expect(e.message).toMatch(/401.*request id/);
    expect(e.message).not.toContain('wrong-key-123');
  });

  it('an unknown project', async () => {
    const e = await failure(f.neon({ projectId: 'no-such-project' }).getProject());
    expect(e.exitCode).toBe(4);
    expect(e.message).toMatch(/404.*project no-such-project not found/);
  });

  it('an unknown branch names the branches that exist', async () => {
    const e = await failure(f.neon().getBranch('nope'));
    expect(e).toBeInstanceOf(BranchNotFoundError);
    expect(e.hint).toMatch(/main/);
  });

  it('a malformed NEON_API_HOST is a config error (exit 2)', async () => {
    const env = { NEON_API_KEY: 'k', NEON_PROJECT_ID: 'p1', NEON_API_HOST: 'not a url' };
    const e = await failure(openNeonPlatform({ projectDir: f.projectDir, env, settings: settingsSchema.parse({}) }));
    expect(e).toBeInstanceOf(ConfigError);
    expect(e.exitCode).toBe(2);
    expect(e.message).toMatch(/NEON_API_HOST/);
  });

  it('the server unreachable', async () => {
    const e = await failure(
      f.neon({ baseURL: 'http://127.0.0.1:9/api/v2', clock: virtualClock(), retry: { maxAttempts: 3 } }).listBranches(),
    );
    expect(e.code).toBe('NEON_UNREACHABLE');
    expect(e.exitCode).toBe(4);
  });

  it("a response that doesn't match the spec", async () => {
    f.faults.add({ method: 'GET', path: /^\/projects\/[^/]+$/, count: 1, status: 200, body: { project: { id: 42 } } });
    const e = await failure(f.neon().getProject());
    expect(e).toBeInstanceOf(PlatformError);
    expect(e.code).toBe('NEON_BAD_RESPONSE');
    expect(e.message).toMatch(/doesn't match its spec.*project\.id/);
    // The validating proxy caught it too; that was the point of this test, so clear it.
    expect(f.proxy.problems.length).toBeGreaterThan(0);
    f.proxy.problems.length = 0;
  });
});

describe('snapshots the plan does not offer (issue 13)', () => {
  it('a 403 on the snapshot endpoints leaves checkpoint listing and snapshot lookups working, without snapshots', async () => {
    const neon = f.neon();
    f.faults.add({ method: 'GET', path: /^\/projects\/[^/]+\/snapshots$/, count: 2, status: 403 });
    expect(await snapshotsIfAvailable(neon)).toEqual([]);
    expect(await snapshotNamed(neon, 'checkpoint/main/20990101T000000Z')).toBeUndefined();
    f.faults.add({ method: 'GET', path: /^\/projects\/[^/]+\/snapshots$/, count: 1, status: 500 });
    await failure(snapshotsIfAvailable(neon)); // anything else is still an error
  });
});
