/** Expiry rules, TTL settings and the annotations of tool branches (issue 13, "nothing leaks"). */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { settingsSchema } from '../../src/config/schema.js';
import { checkExpiresAt, MAX_EXPIRY_MS } from '../../src/platform/expiry.js';
import { ANNOTATION, gitCommit, intendedExpiry, toolBranchOptions, ttlMs } from '../../src/run/tool-branch.js';

const NOW = Date.parse('2026-12-01T10:00:00.500Z');
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
function tempDir(): string {
  const d = mkdtempSync(path.join(tmpdir(), 'nm-ttl-'));
  dirs.push(d);
  return d;
}

describe('expires_at rules', () => {
  it('keeps whole seconds in UTC, like Neon', () => {
    expect(checkExpiresAt('2026-12-02T12:00:00.900+02:00', NOW)).toBe('2026-12-02T10:00:00Z');
  });

  it('refuses a missing zone, the past, and more than 30 days ahead, each as a usage error', () => {
    const codes = (v: string) => {
      try {
        checkExpiresAt(v, NOW);
        return 'accepted';
      } catch (e) {
        return `${(e as { code: string }).code}:${(e as { exitCode: number }).exitCode}`;
      }
    };
    expect(codes('2026-12-02T10:00:00')).toBe('INVALID_EXPIRY:2');
    expect(codes('2026-12-01T09:59:59Z')).toBe('INVALID_EXPIRY:2');
    expect(codes(new Date(NOW + MAX_EXPIRY_MS + 1000).toISOString())).toBe('INVALID_EXPIRY:2');
    expect(codes(new Date(NOW + MAX_EXPIRY_MS - 1000).toISOString())).toBe('accepted');
  });
});

describe('checkpoints.ttl and branches.ttl', () => {
  it('accept a duration up to 30d or off, and refuse more with the reason', () => {
    expect(settingsSchema.parse({ checkpoints: { ttl: '30d' }, branches: { ttl: 'off' } }).branches.ttl).toBe('off');
    const bad = settingsSchema.safeParse({ checkpoints: { ttl: '31d' } });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues[0]?.message).toMatch(/at most 30d/);
    expect(settingsSchema.safeParse({ branches: { ttl: 'a week' } }).success).toBe(false);
  });

  it('default to 30 days for checkpoints and one day for other tool branches; user branches get none', () => {
    const settings = settingsSchema.parse({});
    expect(ttlMs(settings, 'checkpoint')).toBe(30 * 86_400_000);
    expect(ttlMs(settings, 'scratch')).toBe(86_400_000);
    expect(ttlMs(settings, 'user')).toBeUndefined();
  });

  it('give the branch an expiry from the clock and annotations naming the run; off gives no expiry', () => {
    const ctx = {
      settings: settingsSchema.parse({ branches: { ttl: '2h' } }),
      projectDir: tempDir(),
      now: () => new Date(NOW),
    };
    const o = toolBranchOptions(ctx, { kind: 'scratch', runId: 'r-1', command: 'test' });
    expect(o.expiresAt).toBe('2026-12-01T12:00:00Z');
    expect(o.annotations).toEqual({
      [ANNOTATION.kind]: 'scratch',
      [ANNOTATION.runId]: 'r-1',
      [ANNOTATION.command]: 'test',
      [ANNOTATION.expiresAt]: '2026-12-01T12:00:00Z',
    });
    const off = toolBranchOptions(
      { ...ctx, settings: settingsSchema.parse({ checkpoints: { ttl: 'off' } }) },
      {
        kind: 'checkpoint',
      },
    );
    expect(off.expiresAt).toBeUndefined();
    expect(off.annotations?.[ANNOTATION.expiresAt]).toBeUndefined();
  });

  it('annotate the git commit when the project is in a repository', () => {
    const repo = tempDir();
    const git = (...args: string[]) => execFileSync('git', args, { cwd: repo, stdio: 'pipe' }).toString().trim();
    git('init', '-q');
    git('-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit', '-q', '--allow-empty', '-m', 'x');
    const sha = git('rev-parse', 'HEAD');
    expect(gitCommit(repo)).toBe(sha);
    const o = toolBranchOptions({ settings: settingsSchema.parse({}), projectDir: repo }, { kind: 'checkpoint' });
    expect(o.annotations?.[ANNOTATION.gitCommit]).toBe(sha);
    expect(gitCommit(tempDir())).toBeUndefined();
  });

  it('read the intended expiry from the annotation when the platform has none', () => {
    const b = { id: 'br-a', name: 'x', createdAt: '', default: false, protected: false, state: 'ready' };
    expect(intendedExpiry(b)).toBeUndefined();
    expect(intendedExpiry({ ...b, annotations: { [ANNOTATION.expiresAt]: '2026-12-02T00:00:00Z' } })).toBe(
      '2026-12-02T00:00:00Z',
    );
    expect(intendedExpiry({ ...b, expiresAt: '2026-12-03T00:00:00Z' })).toBe('2026-12-03T00:00:00Z');
  });
});
