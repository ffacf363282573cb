/**
 * The package as a user gets it: `npm pack` of the built package, unpacked as
 * `node_modules/neon-migrate` of a consumer directory, imported by name (so through package.json's
 * `exports` and `files`, not the sources), running a workflow on the local engine: `migrate` up,
 * then `migrationStatus`. The consumer directory sits under the repository's node_modules so that
 * the package's own dependencies resolve from there without a registry.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const repo = path.resolve(import.meta.dirname, '../..');
let consumer: string;
let project: string;

/** A user's script: plain ESM JavaScript importing the package by its name. */
const APP = `
import { LocalPlatform, loadSettings, migrate, migrationStatus, NeonMigrateError, openPlatform } from 'neon-migrate';

const projectDir = process.argv[2];
const settings = loadSettings(projectDir);
const env = { ...process.env };
delete env.NEON_API_KEY;
delete env.NEON_PROJECT_ID;
const platform = await openPlatform({ projectDir, env, settings });
const ctx = { projectDir, settings, env, platform };
try {
  const up = await migrate(ctx, { direction: 'up' });
  const status = await migrationStatus(ctx);
  let refused;
  try {
    await migrate(ctx, { direction: 'up', to: 'not-a-version' });
  } catch (err) {
    refused = err instanceof NeonMigrateError ? { code: err.code, exitCode: err.exitCode } : String(err);
  }
  process.stdout.write(JSON.stringify({ local: platform instanceof LocalPlatform, up, status, refused }));
} finally {
  if (platform instanceof LocalPlatform) await platform.stopComputes();
  await platform.close();
}
`;

/** A TypeScript user's module: compiled against the package's declarations, resolved through `exports`. */
const TYPED_APP = `
import {
  type Executor,
  type MigrateReport,
  type PipelinePlan,
  type WorkflowContext,
  GateError,
  loadSettings,
  migrate,
  openPlatform,
  runTest,
} from 'neon-migrate';

export async function upOneStep(projectDir: string): Promise<MigrateReport> {
  const settings = loadSettings(projectDir);
  const platform = await openPlatform({ projectDir, env: process.env, settings });
  const ctx: WorkflowContext = { projectDir, settings, env: process.env, platform };
  return migrate(ctx, { direction: 'up', steps: 1 });
}

export async function testStaging(ctx: WorkflowContext): Promise<string> {
  const { report } = await runTest(ctx, { branch: 'staging', fresh: true });
  return report.outcome;
}

export const kindOf = (e: Executor, plan: PipelinePlan): string => \`\${e.kind} \${plan.direction}\`;
export const isGate = (err: unknown): boolean => err instanceof GateError && err.exitCode === 3;

// @ts-expect-error a direction is 'up' or 'down'
export const wrong = (ctx: WorkflowContext) => migrate(ctx, { direction: 'sideways' });
`;

beforeAll(() => {
  if (!existsSync(path.join(repo, 'dist', 'index.js'))) throw new Error('dist/ is missing: run `npm run build` first');
  const cache = path.join(repo, 'node_modules', '.cache');
  mkdirSync(cache, { recursive: true });
  consumer = mkdtempSync(path.join(cache, 'neon-migrate-api-'));
  // --ignore-scripts: the package is built already (npm test builds first); pack only collects files.
  const packed = JSON.parse(
    execFileSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', consumer], {
      cwd: repo,
      encoding: 'utf8',
    }),
  ) as { filename: string }[];
  const modules = path.join(consumer, 'node_modules');
  mkdirSync(modules);
  execFileSync('tar', ['-xzf', path.join(consumer, packed[0]!.filename), '-C', modules]);
  renameSync(path.join(modules, 'package'), path.join(modules, 'neon-migrate'));
  writeFileSync(path.join(consumer, 'app.mjs'), APP);
  writeFileSync(path.join(consumer, 'typed-app.ts'), TYPED_APP);
  const compilerOptions = {
    module: 'nodenext',
    moduleResolution: 'nodenext',
    target: 'es2022',
    // Our declarations are checked by attw (npm run check:types); here, the user's code against them.
    skipLibCheck: true,
    strict: true,
    noEmit: true,
    types: ['node'],
  };
  writeFileSync(path.join(consumer, 'tsconfig.json'), JSON.stringify({ compilerOptions, files: ['typed-app.ts'] }));

  project = mkdtempSync(path.join(tmpdir(), 'nm-api-'));
  chmodSync(project, 0o755); // the cluster user must traverse it
  writeFileSync(path.join(project, 'neon-migrate.json'), '{}\n');
  mkdirSync(path.join(project, 'migrations'));
  writeFileSync(
    path.join(project, 'migrations', '1_tasks.up.sql'),
    'CREATE TABLE tasks (id int PRIMARY KEY, title text);\n',
  );
  writeFileSync(path.join(project, 'migrations', '1_tasks.down.sql'), 'DROP TABLE tasks;\n');
  writeFileSync(path.join(project, 'migrations', '2_done.up.sql'), 'ALTER TABLE tasks ADD COLUMN done boolean;\n');
  writeFileSync(path.join(project, 'migrations', '2_done.down.sql'), 'ALTER TABLE tasks DROP COLUMN done;\n');
});

afterAll(() => {
  if (consumer) rmSync(consumer, { recursive: true, force: true });
});

describe('the published package', () => {
  it('ships the built library and its types, not the sources or tests', () => {
    const pkg = path.join(consumer, 'node_modules', 'neon-migrate');
    expect(existsSync(path.join(pkg, 'dist', 'index.js'))).toBe(true);
    expect(existsSync(path.join(pkg, 'dist', 'index.d.ts'))).toBe(true);
    expect(existsSync(path.join(pkg, 'bin', 'neon-migrate.js'))).toBe(true);
    expect(readdirSync(pkg).sort()).toEqual(expect.not.arrayContaining(['src', 'test', 'node_modules']));
  });

  it('keeps the test-only parts out of the main entry point, behind neon-migrate/testing', async () => {
    const probe = [
      "const main = await import('neon-migrate');",
      "const testing = await import('neon-migrate/testing');",
      'const has = (m, k) => k in m;',
      "const keys = ['FaultPlan', 'virtualClock', 'startLocalServer'];",
      'console.log(JSON.stringify({ main: keys.filter((k) => has(main, k)), testing: keys.filter((k) => has(testing, k)) }));',
    ].join('\n');
    writeFileSync(path.join(consumer, 'probe.mjs'), probe);
    const r = await execa('node', ['probe.mjs'], { cwd: consumer, reject: false });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ main: [], testing: ['FaultPlan', 'virtualClock', 'startLocalServer'] });
  });

  it("type-checks a TypeScript user's code against the published declarations", async () => {
    const tsc = path.join(repo, 'node_modules', 'typescript', 'bin', 'tsc');
    const r = await execa('node', [tsc, '-p', 'tsconfig.json'], { cwd: consumer, reject: false });
    expect(r.stdout).toBe('');
    expect(r.exitCode).toBe(0);
  });

  it('runs migrate up and migrationStatus on the local engine when imported by name', async () => {
    const r = await execa('node', ['app.mjs', project], { cwd: consumer, reject: false });
    expect(r.stderr).not.toMatch(/Cannot find|ERR_/);
    expect(r.exitCode).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.local).toBe(true);
    expect(out.up.outcome).toBe('succeeded');
    expect(out.up.branch).toBe('main');
    expect(out.up.checkpoint).toMatch(/^checkpoint\/main\//);
    expect(out.up.results.map((m: { version: string; status: string }) => [m.version, m.status])).toEqual([
      ['1', 'applied'],
      ['2', 'applied'],
    ]);
    expect(out.status.counts).toMatchObject({ applied: 2, pending: 0, drifted: 0, missing: 0 });
    expect(out.refused).toEqual({ code: 'BAD_VERSION', exitCode: 2 });
  });
});
