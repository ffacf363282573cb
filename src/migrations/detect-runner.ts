/** `init`'s detection of a migration tool a project already uses, for the `runner` setting. */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { RunnerSettingInput } from '../config/runner-schema.js';

export interface DetectedRunner {
  /** The `runner` setting to write. */
  runner: RunnerSettingInput;
  /** What gave it away, for the message (`alembic.ini`, `db/migrations/*.sql`...). */
  evidence: string;
}

function files(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

function packageDeps(projectDir: string): Set<string> {
  try {
    const pkg = JSON.parse(readFileSync(path.join(projectDir, 'package.json'), 'utf8')) as Record<
      string,
      Record<string, string> | undefined
    >;
    return new Set([...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.devDependencies ?? {})]);
  } catch {
    return new Set();
  }
}

/** A migration folder whose files look like node-pg-migrate's (`up(pgm)`, `exports.up`, `-- Up Migration`). */
function looksLikeNodePgMigrate(dir: string): boolean {
  return files(dir)
    .filter((f) => /^\d+.*\.(js|cjs|mjs|ts|sql)$/.test(f))
    .some((f) => /(\bpgm\b|exports\.up\s*=|-- Up Migration)/.test(readFileSync(path.join(dir, f), 'utf8')));
}

/** A quoted path set in a config file (`directory: './db/migrations'`, `out: "./drizzle"`), normalised. */
function configuredPath(file: string, key: string): string | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  const m = new RegExp(`\\b${key}\\s*:\\s*['"\`]([^'"\`$]+)['"\`]`).exec(text);
  return m ? path.posix.normalize(m[1]!).replace(/^\.\//, '').replace(/\/$/, '') : undefined;
}

/** The tool the project already migrates with, or undefined (our own files: `native`). */
export function detectRunner(projectDir: string): DetectedRunner | undefined {
  const root = files(projectDir);
  const has = (re: RegExp) => root.find((f) => re.test(f));
  if (root.includes('alembic.ini')) return { runner: 'alembic', evidence: 'alembic.ini' };
  const drizzle = has(/^drizzle\.config\.(ts|js|mjs|cjs)$/);
  if (drizzle) {
    // drizzle-kit's migrations folder is the config's `out` (default `drizzle`).
    const out = configuredPath(path.join(projectDir, drizzle), 'out');
    const runner: RunnerSettingInput = out && out !== 'drizzle' ? { drizzle: { migrationsDir: out } } : 'drizzle';
    return { runner, evidence: drizzle };
  }
  const knex = has(/^knexfile\.(js|ts|cjs|mjs)$/);
  if (knex) {
    // knex's migrations folder is the knexfile's `migrations.directory` (default `migrations`).
    const dir = configuredPath(path.join(projectDir, knex), 'directory');
    const runner: RunnerSettingInput = dir && dir !== 'migrations' ? { knex: { migrationsDir: dir } } : 'knex';
    return { runner, evidence: knex };
  }
  if (root.includes('sqitch.plan')) return { runner: 'sqitch', evidence: 'sqitch.plan' };
  const dbmateDir = path.join(projectDir, 'db', 'migrations');
  if (
    files(dbmateDir).some(
      (f) => f.endsWith('.sql') && /--\s*migrate:up/.test(readFileSync(path.join(dbmateDir, f), 'utf8')),
    )
  ) {
    return { runner: 'dbmate', evidence: 'db/migrations/*.sql (-- migrate:up)' };
  }
  const deps = packageDeps(projectDir);
  const npmDir = path.join(projectDir, 'migrations');
  if (existsSync(npmDir) && (deps.has('node-pg-migrate') || looksLikeNodePgMigrate(npmDir))) {
    return {
      runner: 'node-pg-migrate',
      evidence: deps.has('node-pg-migrate')
        ? 'package.json (node-pg-migrate) and migrations/'
        : 'migrations/ (node-pg-migrate files)',
    };
  }
  return undefined;
}
