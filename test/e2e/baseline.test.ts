/** Adopting a database another tool migrated, through the CLI: `baseline`, then `test` applies only what is new. */
import { mkdirSync, mkdtempSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cli, removeProject, sql } from './helpers.js';

const project = mkdtempSync(path.join(tmpdir(), 'nm-e2e-baseline-'));
afterAll(() => removeProject(project));

function write(rel: string, text: string): void {
  mkdirSync(path.dirname(path.join(project, rel)), { recursive: true });
  writeFileSync(path.join(project, rel), text);
}

describe('baseline (CLI)', () => {
  it('adopts a diesel-migrated main; the next test on dev applies only the new migration', async () => {
    chmodSync(project, 0o755);
    write('neon-migrate.json', JSON.stringify({ defaultBranch: 'main' }));
    write('environments/dev.json', JSON.stringify({ branch: 'dev', parent: 'main' }));
    write('migrations/2025-11-30-120000-0000_Create users/up.sql', 'CREATE TABLE users (id int PRIMARY KEY);\n');
    write('migrations/2025-11-30-120000-0000_Create users/down.sql', 'DROP TABLE users;\n');
    write('migrations/2026-01-20-162913_Add email/up.sql', 'ALTER TABLE users ADD COLUMN email text;\n');
    write('migrations/2026-01-20-162913_Add email/down.sql', 'ALTER TABLE users DROP COLUMN email;\n');
    // What diesel left on production: the first migration's table and its history row.
    await sql(
      project,
      'main',
      `CREATE TABLE users (id int PRIMARY KEY);
      CREATE TABLE __diesel_schema_migrations (version varchar(50) PRIMARY KEY, run_on timestamp NOT NULL DEFAULT now());
      INSERT INTO __diesel_schema_migrations (version) VALUES ('202511301200000000')`,
    );

    const adopted = await cli(project, ['--json', 'baseline']);
    expect(adopted.exitCode, adopted.stderr).toBe(0);
    expect(adopted.json.adopted.map((m: { name: string }) => m.name)).toEqual(['2025-11-30-120000-0000_Create users']);
    expect(adopted.json.pending.map((m: { name: string }) => m.name)).toEqual(['2026-01-20-162913_Add email']);

    const status = await cli(project, ['status']);
    expect(status.stdout).toContain('order: timestamp (auto)');
    expect(status.stdout).toMatch(/warning: the history mixes version styles/);

    const test = await cli(project, ['--json', 'test', '--branch', 'dev']);
    expect(test.exitCode, test.stderr).toBe(0);
    expect(test.json.report.migrations.map((m: { name: string; status: string }) => `${m.name}:${m.status}`)).toEqual([
      '2026-01-20-162913_Add email:applied',
    ]);
  }, 300_000);
});
