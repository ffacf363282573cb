/** `init` (project scaffold) and `new` (the next migration) as library functions. */
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Settings } from '../config/schema.js';
import { UsageError } from '../errors.js';
import { detectRunner, type DetectedRunner } from './detect-runner.js';
import { loadMigrations } from './load.js';
import { compareVersions, resolveOrdering, slugify, timestampVersion } from './naming.js';

export interface InitReport {
  created: string[];
  kept: string[];
  /** The migration tool found in the project, written as `runner` (absent: our own files). */
  detected?: DetectedRunner;
}

const ENVIRONMENTS: Record<string, object> = {
  // dev: the fast inner loop (schema round trip); staging: the full check on a copy of production data.
  dev: { branch: 'dev', parent: 'main', checks: { reversibility: 'schema' } },
  staging: { branch: 'staging', parent: 'main', checks: { reversibility: 'data' } },
  prod: { branch: 'main', requires: ['staging'], confirm: true },
};

/**
 * Scaffold neon-migrate.json, environments/, migrations/, scripts/ and the .gitignore entry; never overwrites.
 *
 * @example
 * ```ts
 * const { created } = initProject('/work/app');
 * ```
 */
export function initProject(projectDir: string): InitReport {
  const report: InitReport = { created: [], kept: [] };
  const file = (rel: string, text: string) => {
    const abs = path.join(projectDir, rel);
    if (existsSync(abs)) return void report.kept.push(rel);
    mkdirSync(path.dirname(abs), { recursive: true });
    writeFileSync(abs, text);
    report.created.push(rel);
  };
  const dir = (rel: string) => {
    const abs = path.join(projectDir, rel);
    if (existsSync(abs)) return void report.kept.push(`${rel}/`);
    mkdirSync(abs, { recursive: true });
    writeFileSync(path.join(abs, '.gitkeep'), '');
    report.created.push(`${rel}/`);
  };
  const detected = detectRunner(projectDir);
  if (detected) report.detected = detected;
  // A wrapped tool keeps its own migrations: no migrations/ folder of ours next to them.
  const settings = detected
    ? { runner: detected.runner, defaultBranch: 'main', timeouts: { lockTimeout: '5s', statementTimeout: '15min' } }
    : {
        migrationsDir: 'migrations',
        defaultBranch: 'main',
        timeouts: { lockTimeout: '5s', statementTimeout: '15min' },
      };
  file('neon-migrate.json', `${JSON.stringify(settings, null, 2)}\n`);
  for (const [name, env] of Object.entries(ENVIRONMENTS))
    file(`environments/${name}.json`, `${JSON.stringify(env, null, 2)}\n`);
  if (!detected) dir('migrations');
  dir('scripts');
  const gitignore = path.join(projectDir, '.gitignore');
  const current = existsSync(gitignore) ? readFileSync(gitignore, 'utf8') : '';
  if (current.split(/\r?\n/).some((l) => l.trim() === '.neon-migrate/')) report.kept.push('.gitignore');
  else {
    appendFileSync(gitignore, `${current && !current.endsWith('\n') ? '\n' : ''}.neon-migrate/\n`);
    report.created.push('.gitignore (.neon-migrate/)');
  }
  return report;
}

export interface NewMigrationReport {
  version: string;
  files: string[];
}

const TS_TEMPLATE = `/** Data migration. Runs in a transaction; export \`const transaction = false\` to run outside one. */
import type { MigrationContext } from 'neon-migrate';

export async function up({ client, log }: MigrationContext): Promise<void> {
  const { rowCount } = await client.query('SELECT 1');
  log(\`touched \${rowCount} rows\`);
}

export async function down({ client }: MigrationContext): Promise<void> {
  await client.query('SELECT 1');
}
`;

/**
 * Create the next migration: a timestamped SQL up/down pair, or a TypeScript module.
 *
 * @example
 * ```ts
 * // migrations/<UTC stamp>_add_subtasks.up.sql and .down.sql
 * const m = await newMigration(projectDir, settings, 'add subtasks');
 * console.log(m.files);
 * ```
 */
export async function newMigration(
  projectDir: string,
  settings: Settings,
  name: string,
  options: { ts?: boolean; now?: Date } = {},
): Promise<NewMigrationReport> {
  const slug = slugify(name);
  const existing = await loadMigrations(projectDir, settings.migrationsDir, {
    ordering: settings.ordering,
    postgresVersion: settings.postgresVersion,
  });
  const newest = existing.at(-1)?.version;
  let when = options.now ?? new Date();
  // Two migrations created within one second: take the second after the newest timestamp.
  const asDate =
    newest && /^\d{14}$/.test(newest)
      ? new Date(
          `${newest.slice(0, 4)}-${newest.slice(4, 6)}-${newest.slice(6, 8)}T${newest.slice(8, 10)}:${newest.slice(10, 12)}:${newest.slice(12, 14)}Z`,
        )
      : undefined;
  if (asDate && !Number.isNaN(asDate.getTime()) && asDate.getTime() >= Math.floor(when.getTime() / 1000) * 1000)
    when = new Date(asDate.getTime() + 1000);
  const version = timestampVersion(when);
  const digits = version.replace('T', '');
  const ordering = resolveOrdering(settings.ordering, [...existing.map((m) => m.version), digits]);
  if (newest && compareVersions(digits, newest, ordering) <= 0) {
    throw new UsageError(`the newest migration (${newest}) is newer than now (${digits})`, {
      hint: 'check the system clock, or rename the newest migration',
      code: 'CLOCK',
    });
  }
  const dir = path.join(projectDir, settings.migrationsDir);
  mkdirSync(dir, { recursive: true });
  const base = `${version}_${slug}`;
  const files = options.ts ? [`${base}.ts`] : [`${base}.up.sql`, `${base}.down.sql`];
  for (const f of files) {
    const text = options.ts
      ? TS_TEMPLATE
      : f.endsWith('.up.sql')
        ? `-- ${slug}: the change\n`
        : `-- ${slug}: undo the change\n`;
    writeFileSync(path.join(dir, f), text, { flag: 'wx' });
  }
  return { version: digits, files: files.map((f) => path.join(settings.migrationsDir, f)) };
}
