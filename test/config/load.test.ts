import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadAllEnvironments, loadEnvironment, loadSettings } from '../../src/config/load.js';
import { ConfigError, UsageError } from '../../src/errors.js';

function project(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'nm-config-'));
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    writeFileSync(path.join(dir, rel), text);
  }
  return dir;
}

describe('config loading', () => {
  it('applies defaults when neon-migrate.json is absent', () => {
    const s = loadSettings(project({}));
    expect(s.migrationsDir).toBe('migrations');
    expect(s.checkpoints.keepLast).toBe(5);
    expect(s.local.historyRetentionSeconds).toBe(604800);
  });

  it('reports every bad key of a settings file at once, with file and key', () => {
    const dir = project({
      'neon-migrate.json': JSON.stringify({ migrationDir: 'x', checkpoints: { keepLast: 0, foo: 1 } }),
    });
    try {
      loadSettings(dir);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      const keys = (err as ConfigError).problems.map((p) => `${p.file}:${p.key}`).sort();
      expect(keys).toEqual([
        'neon-migrate.json:checkpoints.foo',
        'neon-migrate.json:checkpoints.keepLast',
        'neon-migrate.json:migrationDir',
      ]);
      expect((err as ConfigError).exitCode).toBe(2);
    }
  });

  it('finds an environment by file name or by branch, and names the known ones when unknown', () => {
    const dir = project({ 'environments/dev.json': JSON.stringify({ branch: 'dev-branch', parent: 'main' }) });
    const s = loadSettings(dir);
    expect(loadEnvironment(dir, s, 'dev').branch).toBe('dev-branch');
    expect(loadEnvironment(dir, s, 'dev-branch').name).toBe('dev');
    expect(() => loadEnvironment(dir, s, 'qa')).toThrow(UsageError);
    expect(() => loadEnvironment(dir, s, 'qa')).toThrow(/unknown environment "qa"/);
  });

  it('reports problems across all environment files at once', () => {
    const dir = project({
      'environments/a.json': JSON.stringify({ branch: 'a', bogus: true }),
      'environments/b.json': JSON.stringify({ requires: 'staging' }),
    });
    const s = loadSettings(dir);
    try {
      loadAllEnvironments(dir, s);
      expect.unreachable();
    } catch (err) {
      const problems = (err as ConfigError).problems.map((p) => `${p.file}:${p.key}`).sort();
      expect(problems).toEqual([
        'environments/a.json:bogus',
        'environments/b.json:branch',
        'environments/b.json:requires',
      ]);
    }
  });
});
