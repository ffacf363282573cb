/** The migration commands through the CLI, for everything that needs no branch: scaffolding, offline plans, bad input. */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.js';
import { formatRun } from '../../src/cli/up.js';
import type { MigrateReport } from '../../src/workflow/migrate.js';
import { settingsSchema } from '../../src/config/schema.js';
import { loadMigrations } from '../../src/migrations/load.js';
import { openLocalPlatform } from '../../src/platform/local/index.js';
import { scratchProject } from '../support/project.js';

afterEach(() => {
  vi.restoreAllMocks();
});

async function cli(dir: string, ...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => ((out += String(chunk)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => ((err += String(chunk)), true));
  try {
    const code = await main(['node', 'neon-migrate', '-C', dir, ...args]);
    return { code, out, err };
  } finally {
    vi.restoreAllMocks();
  }
}

const AB = {
  '1_a.up.sql': 'CREATE TABLE a (id int PRIMARY KEY);',
  '1_a.down.sql': 'DROP TABLE a;',
  '2_b.up.sql': '-- neon-migrate:no-transaction\nCREATE INDEX CONCURRENTLY a_id ON a (id);',
  '2_b.down.sql': 'DROP INDEX a_id;',
};

describe('neon-migrate init / new', () => {
  it('scaffolds a project once and keeps existing files on a second init', async () => {
    const p = scratchProject();
    const first = await cli(p.dir, '--json', 'init');
    expect(first.code).toBe(0);
    const created = JSON.parse(first.out).created as string[];
    expect(created).toEqual(
      expect.arrayContaining([
        'neon-migrate.json',
        'environments/dev.json',
        'environments/staging.json',
        'environments/prod.json',
        'scripts/',
      ]),
    );
    expect(readFileSync(path.join(p.dir, '.gitignore'), 'utf8')).toContain('.neon-migrate/');
    expect(JSON.parse(readFileSync(path.join(p.dir, 'environments/prod.json'), 'utf8'))).toMatchObject({
      branch: 'main',
      requires: ['staging'],
    });
    const second = await cli(p.dir, '--json', 'init');
    expect(JSON.parse(second.out).created).toEqual([]);
  });

  it('creates SQL pairs and TypeScript migrations that load, with increasing versions', async () => {
    const p = scratchProject();
    expect((await cli(p.dir, 'new', 'Add users!')).code).toBe(0);
    expect((await cli(p.dir, 'new', 'add users again')).code).toBe(0);
    expect((await cli(p.dir, 'new', 'backfill', '--ts')).code).toBe(0);
    const files = readdirSync(path.join(p.dir, 'migrations')).sort();
    expect(files.filter((f) => f.endsWith('.sql'))).toHaveLength(4);
    expect(files.some((f) => /^\d{8}T\d{6}_add_users\.up\.sql$/.test(f))).toBe(true);
    const ms = await loadMigrations(p.dir, 'migrations');
    expect(ms.map((m) => m.name.replace(/^\d{8}T\d{6}_/, ''))).toEqual(['add_users', 'add_users_again', 'backfill']);
    expect(ms[2]).toMatchObject({ kind: 'ts', reversible: true });
  });

  it('refuses a name without letters or digits', async () => {
    const r = await cli(scratchProject().dir, 'new', '!!!');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^error: "!!!" is not a usable migration name/);
  });
});

describe('neon-migrate plan (offline)', () => {
  it('prints the exact SQL with bookkeeping, without connecting, when the applied set is given', async () => {
    const p = scratchProject(AB);
    const r = await cli(p.dir, '--json', 'plan', '--sql', '--applied', '');
    expect(r.code).toBe(0);
    const plan = JSON.parse(r.out);
    expect(plan.connected).toBe(false);
    expect(plan.migrations.map((m: { name: string; transactional: boolean }) => [m.name, m.transactional])).toEqual([
      ['1_a', true],
      ['2_b', false],
    ]);
    // not the run's last migration: its commit does not wait for the WAL flush (the last one's does)
    expect(plan.migrations[0].sql[0]).toMatch(
      /^BEGIN; SET LOCAL synchronous_commit = off;\nCREATE TABLE a \(id int PRIMARY KEY\);\nINSERT INTO neon_migrate\.applied .*'1', '1_a'.*;\nCOMMIT;$/s,
    );
    expect(plan.migrations[1].sql[1]).toBe('-- neon-migrate:no-transaction\nCREATE INDEX CONCURRENTLY a_id ON a (id)');
    expect(plan.script).toContain('pg_try_advisory_lock');
    expect(plan.script).toContain("UPDATE neon_migrate.runs SET status = 'succeeded'");

    const partial = JSON.parse((await cli(p.dir, '--json', 'plan', '--applied', '1')).out);
    expect(partial.migrations.map((m: { name: string }) => m.name)).toEqual(['2_b']);
    const down = JSON.parse((await cli(p.dir, '--json', 'plan', '--down', '--applied', '1,2', '--steps', '2')).out);
    expect(down.migrations.map((m: { name: string }) => m.name)).toEqual(['2_b', '1_a']);
    expect(down.migrations[1].sql[0]).toContain("DELETE FROM neon_migrate.applied WHERE version = '1'");
  });

  it('lints what it would run and names destructive changes, with the safer form, before anything runs', async () => {
    const p = scratchProject({ ...AB, '3_drop.up.sql': 'ALTER TABLE a DROP COLUMN id;\n' });
    const r = await cli(p.dir, '--json', 'plan', '--applied', '1');
    expect(r.code).toBe(0);
    const { analysis } = JSON.parse(r.out);
    const rules = (analysis.migrations as { lint: { rule: string }[] }[]).flatMap((m) => m.lint.map((f) => f.rule));
    expect(rules).toContain('ban-drop-column');
    const drop = analysis.migrations.find((m: { version: string }) => m.version === '3');
    expect(drop.destructive[0]).toMatchObject({ kind: 'drop-column', file: 'migrations/3_drop.up.sql', line: 1 });
    const human = await cli(p.dir, 'plan', '--applied', '1');
    expect(human.out).toMatch(/warning migrations\/3_drop\.up\.sql:1 ban-drop-column: .* → /);
    expect(human.out).toMatch(/destructive migrations\/3_drop\.up\.sql:1 /);
  });
});

describe('bad input through the CLI: one line, exit 2, no branch touched', () => {
  it.each([
    [['up', '--steps', '0'], /--steps must be a positive whole number/],
    [['down', '--steps', '-2'], /--steps must be a positive whole number/],
    [['down', '--steps', 'two'], /--steps must be a positive whole number, got "two"/],
    [['up', '--to', '42'], /--to 42: no migration has version 42/],
    [['up', '--to', '1', '--steps', '1'], /--to and --steps cannot be combined/],
    [['test', '--branch', 'qa'], /unknown environment "qa"/],
    [['promote', '--to', 'qa'], /unknown environment "qa"/],
  ])('%j', async (args, message) => {
    const p = scratchProject(AB);
    const r = await cli(p.dir, ...args);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
    expect(r.err.trim().split('\n')).toHaveLength(1);
    expect(existsSync(path.join(p.dir, '.neon-migrate'))).toBe(false);
  });

  it('a syntax error names file:line:column and the line, as text and as JSON', async () => {
    const p = scratchProject({ ...AB, '3_bad.up.sql': 'SELECT 1;\nALTER TABLE a ADD COLUM x int;\n' });
    const r = await cli(p.dir, 'up');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(
      /^error: migrations\/3_bad\.up\.sql:2:\d+: syntax error at or near "int" in: ALTER TABLE a ADD COLUM x int;/,
    );
    const j = await cli(p.dir, '--json', 'status');
    expect(JSON.parse(j.out)).toMatchObject({ ok: false, error: { code: 'SQL_SYNTAX', exitCode: 2 } });
  });
});

describe('up / status / down through the CLI on the local engine', () => {
  it('reports JSON results, exits 1 when a migration fails (rolled back), 2 on drift', async () => {
    const p = scratchProject({ ...AB, '3_bad.up.sql': 'CREATE TABLE c ();\nINSERT INTO nowhere VALUES (1);' });
    try {
      const up = await cli(p.dir, '--json', 'up');
      expect(up.code).toBe(1);
      const report = JSON.parse(up.out);
      expect(report).toMatchObject({
        ok: false,
        outcome: 'failed',
        branch: 'main',
        checkpoint: expect.stringMatching(/^checkpoint\/main\//),
      });
      expect(report.results.map((r: { status: string }) => r.status)).toEqual(['applied', 'applied', 'failed']);
      expect(report.results[2].error).toMatchObject({ statementIndex: 1, location: 'migrations/3_bad.up.sql:2:1' });
      expect(up.out).not.toMatch(/neondb_owner:[^*@]+@/);

      p.write('1_a.up.sql', 'CREATE TABLE a (id bigint PRIMARY KEY);');
      const drifted = await cli(p.dir, '--json', 'status');
      expect(drifted.code).toBe(2); // drift blocks every run, so status fails too (a CI check)
      const status = JSON.parse(drifted.out);
      expect(status).toMatchObject({ ok: false, counts: { applied: 1, drifted: 1, pending: 1 } });
      const blocked = await cli(p.dir, 'down');
      expect(blocked.code).toBe(2);
      expect(blocked.err).toMatch(/^error: drift: migrations\/1_a\.up\.sql changed after it was applied/);
      expect((await cli(p.dir, 'status', '--accept', '1')).code).toBe(0);
      expect((await cli(p.dir, 'status')).code).toBe(0);
      const down = await cli(p.dir, '--json', 'down', '--to', '0');
      expect(down.code).toBe(0);
      expect(JSON.parse(down.out).results.map((r: { name: string }) => r.name)).toEqual(['2_b', '1_a']);
    } finally {
      const engine = await openLocalPlatform({
        projectDir: p.dir,
        env: process.env,
        settings: settingsSchema.parse({}),
      });
      await engine.stopComputes();
      await engine.close();
    }
  });

  it('a no-transaction migration that stopped partway: status and up exit 2 naming --resume, which finishes it', async () => {
    const done = '-- neon-migrate:no-transaction\nCREATE TABLE c ();\n';
    const p = scratchProject({ ...AB, '3_c.up.sql': `${done}INSERT INTO nowhere VALUES (1);` });
    try {
      const up = await cli(p.dir, 'up');
      expect(up.code).toBe(1);
      expect(up.out).toMatch(
        /3_c ran outside a transaction and stopped at statement 2; .*continue: neon-migrate up --resume --branch main/,
      );
      const status = await cli(p.dir, 'status');
      expect(status.code).toBe(2);
      expect(status.out).toMatch(/partial: up stopped after 1 statement\(s\)/);
      const again = await cli(p.dir, 'up');
      expect(again.code).toBe(2);
      expect(again.err.trim().split('\n')).toHaveLength(1);
      expect(again.err).toMatch(
        /^error: partial: migrations\/3_c\.up\.sql \(up\) stopped after 1 statement\(s\) took effect.*neon-migrate up --resume --branch main/,
      );
      p.write('3_c.up.sql', `${done}CREATE TABLE d ();`);
      const resumed = await cli(p.dir, '--json', 'up', '--resume');
      expect(resumed.code).toBe(0);
      expect(JSON.parse(resumed.out).results.map((r: { name: string; status: string }) => [r.name, r.status])).toEqual([
        ['3_c', 'applied'],
      ]);
      expect((await cli(p.dir, 'status')).code).toBe(0);
    } finally {
      const engine = await openLocalPlatform({
        projectDir: p.dir,
        env: process.env,
        settings: settingsSchema.parse({}),
      });
      await engine.stopComputes();
      await engine.close();
    }
  });
});

describe('up / down human output for no-transaction failures', () => {
  const report = (m: Partial<MigrateReport['results'][number]>): MigrateReport => ({
    runId: 'r1',
    command: 'up',
    branch: 'main',
    checkpoint: 'checkpoint/main/x',
    outcome: m.status === 'partial' ? 'partial' : 'failed',
    startedAt: '',
    finishedAt: '',
    results: [
      { version: '3', name: '3_idx', direction: 'up', status: 'failed', durationMs: 1, transactional: false, ...m },
    ],
  });

  it('never says "rolled back" for a migration that ran outside a transaction', () => {
    const first = formatRun(
      report({
        status: 'failed',
        statementsDone: 0,
        error: { message: 'boom', statementIndex: 0, location: 'migrations/3_idx.up.sql:2:1' },
      }),
    );
    expect(first).not.toMatch(/failed and was rolled back/);
    expect(first).toMatch(
      /3_idx ran outside a transaction and failed at its first statement, so nothing was rolled back/,
    );
    const tx = formatRun(
      report({
        status: 'failed',
        transactional: true,
        error: { message: 'boom', statementIndex: 0, location: 'migrations/3_idx.up.sql:2:1' },
      }),
    );
    expect(tx).toMatch(/3_idx failed and was rolled back/);
  });

  it('a partial failure outside any statement (TS code, history bookkeeping) does not claim statement 1', () => {
    const text = formatRun(
      report({
        status: 'partial',
        statementsDone: 2,
        error: { message: 'boom', location: 'migrations/3_idx.up.sql (history bookkeeping)' },
      }),
    );
    expect(text).not.toMatch(/statement 1/);
    expect(text).toMatch(
      /failed at migrations\/3_idx\.up\.sql \(history bookkeeping\); what it did before that took effect/,
    );
    expect(
      formatRun(
        report({
          status: 'partial',
          statementsDone: 2,
          error: { message: 'boom', statementIndex: 2, location: 'm:4:1' },
        }),
      ),
    ).toMatch(/stopped at statement 3; the statements before it took effect/);
  });
});
