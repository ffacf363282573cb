/** `init` finds the migration tool a project already uses and writes it as the runner. */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { settingsSchema } from '../../src/config/schema.js';
import { detectRunner } from '../../src/migrations/detect-runner.js';
import { initProject } from '../../src/migrations/scaffold.js';
import { copyExample, REPO } from '../executors/helpers.js';

function project(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'nm-detect-'));
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    writeFileSync(path.join(dir, rel), text);
  }
  return dir;
}

describe('detectRunner', () => {
  it('recognizes each tool by its files', () => {
    const kind = (files: Record<string, string>) => detectRunner(project(files))?.runner;
    expect(kind({ 'alembic.ini': '[alembic]\n' })).toBe('alembic');
    expect(kind({ 'drizzle.config.ts': 'export default {}\n' })).toBe('drizzle');
    expect(kind({ 'knexfile.js': 'module.exports = {}\n' })).toBe('knex');
    expect(kind({ 'sqitch.plan': '%project=todo\n' })).toBe('sqitch');
    expect(kind({ 'db/migrations/20260101_a.sql': '-- migrate:up\nSELECT 1;\n-- migrate:down\n' })).toBe('dbmate');
    expect(kind({ 'migrations/1700000000000_a.js': 'exports.up = (pgm) => {};\n' })).toBe('node-pg-migrate');
    expect(kind({ 'package.json': '{"devDependencies":{"node-pg-migrate":"^9"}}', 'migrations/.gitkeep': '' })).toBe(
      'node-pg-migrate',
    );
    // Our own files, or nothing: native (no runner written).
    expect(kind({ 'migrations/20260101T000000_a.up.sql': 'SELECT 1;\n' })).toBeUndefined();
    expect(kind({})).toBeUndefined();
  });

  it("reads a knexfile's migrations folder and a drizzle config's out; init writes a valid runner for each", () => {
    const knex = project({
      'knexfile.js': "module.exports = {\n  client: 'pg',\n  migrations: { directory: './db/migrations/' },\n};\n",
    });
    expect(detectRunner(knex)).toEqual({
      runner: { knex: { migrationsDir: 'db/migrations' } },
      evidence: 'knexfile.js',
    });
    const drizzle = project({
      'drizzle.config.ts': "export default {\n  dialect: 'postgresql',\n  out: './db/drizzle',\n};\n",
    });
    expect(detectRunner(drizzle)).toEqual({
      runner: { drizzle: { migrationsDir: 'db/drizzle' } },
      evidence: 'drizzle.config.ts',
    });
    // The examples use the tools' default folders: the plain kind name.
    expect(detectRunner(copyExample(path.join(REPO, 'examples/knex-todo')))?.runner).toBe('knex');
    expect(detectRunner(copyExample(path.join(REPO, 'examples/drizzle-todo')))?.runner).toBe('drizzle');
    for (const dir of [knex, drizzle]) {
      initProject(dir);
      const settings = settingsSchema.parse(JSON.parse(readFileSync(path.join(dir, 'neon-migrate.json'), 'utf8')));
      expect(settings.runner).toMatchObject(detectRunner(dir)!.runner as object);
    }
  });

  it('init writes the detected runner (and no migrations/ of ours) into a valid neon-migrate.json', () => {
    const dir = copyExample(path.join(REPO, 'examples/alembic-todo'));
    const fresh = project({ 'alembic.ini': readFileSync(path.join(dir, 'alembic.ini'), 'utf8') });
    const report = initProject(fresh);
    expect(report.detected).toEqual({ runner: 'alembic', evidence: 'alembic.ini' });
    expect(report.created).not.toContain('migrations/');
    const settings = settingsSchema.parse(JSON.parse(readFileSync(path.join(fresh, 'neon-migrate.json'), 'utf8')));
    expect(settings.runner).toBe('alembic');
    const native = project({});
    expect(initProject(native).created).toContain('migrations/');
    expect(settingsSchema.parse(JSON.parse(readFileSync(path.join(native, 'neon-migrate.json'), 'utf8'))).runner).toBe(
      'native',
    );
  });
});
