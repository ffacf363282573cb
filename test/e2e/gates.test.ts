/**
 * Gates through the built CLI: plain `up`/`down` on a gated branch (main behind staging) are refused
 * with exit 3 and nothing touched; `--skip-gate` needs a confirmation (exit 2 without `--yes` off a
 * TTY, exit 3 when answered "no" at a real terminal prompt) and is recorded in the history;
 * `rollback --strategy down` still reverts main; `checkpoints prune --dry-run` lists and deletes nothing.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appliedVersions, branchNames, cli, contentDigest, copyExampleProject, removeProject, sql } from './helpers.js';

const BIN = path.resolve(import.meta.dirname, '../../bin/neon-migrate.js');
let project: string;

/** Run the CLI on a real terminal (util-linux `script`), answering `answer` once the prompt shows. */
async function cliAtTerminal(args: string[], answer: string): Promise<{ exitCode: number; output: string }> {
  const command = ['node', BIN, '-C', project, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  const child = execa('script', ['-qec', command, '/dev/null'], {
    reject: false,
    stdin: 'pipe',
    env: { NEON_MIGRATE_SEED_TASKS: '1000' },
  });
  let output = '';
  let answered = false;
  child.stdout!.on('data', (chunk: Buffer) => {
    output += chunk.toString();
    // Answer only once asked: input that ends before the prompt would be read as end-of-input.
    if (!answered && output.includes('[y/N]')) {
      answered = true;
      child.stdin!.write(`${answer}\n`);
    }
  });
  const r = await child;
  return { exitCode: r.exitCode ?? -1, output };
}

beforeAll(async () => {
  project = copyExampleProject();
  // Retention that leaves something to prune: keep 1, anything older than 1ms may go.
  const settingsFile = path.join(project, 'neon-migrate.json');
  writeFileSync(
    settingsFile,
    JSON.stringify({ ...JSON.parse(readFileSync(settingsFile, 'utf8')), checkpoints: { keepLast: 1, maxAge: '1ms' } }),
  );
  const created = await cli(project, ['branches', 'list']); // creates and seeds the local project
  if (created.exitCode !== 0) throw new Error(`setup: ${created.stderr}`);
}, 180_000);
afterAll(async () => {
  if (project) await removeProject(project);
});

describe('up / down on a gated branch', () => {
  it('up --branch main is refused (exit 3, one line): no checkpoint taken, main unchanged', async () => {
    const branches = await branchNames(project);
    const before = await contentDigest(project, 'main');
    const r = await cli(project, ['up', '--branch', 'main']);
    expect(r.exitCode).toBe(3);
    expect(r.stderr).toMatch(
      /^error: up on main refused: main is gated by environments\/prod.json \(requires staging\) \(use `neon-migrate promote`, or pass --skip-gate to apply anyway; nothing was changed\)$/,
    );
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(await branchNames(project)).toEqual(branches);
    expect(branches.some((b) => b.startsWith('checkpoint/main/'))).toBe(false);
    expect(await appliedVersions(project, 'main')).toHaveLength(2);
    expect(await contentDigest(project, 'main')).toEqual(before);
  });

  it('down on the default branch is refused and points at rollback', async () => {
    const r = await cli(project, ['--json', 'down']);
    expect(r.exitCode).toBe(3);
    expect(r.json.error).toMatchObject({
      code: 'BRANCH_GATED',
      message: expect.stringMatching(/^down on main refused: main is gated by environments\/prod.json/),
      hint: expect.stringMatching(/neon-migrate rollback --branch main/),
    });
    expect(await appliedVersions(project, 'main')).toHaveLength(2);
  });

  it('--skip-gate without --yes off a terminal is a usage error (exit 2), nothing touched', async () => {
    const branches = await branchNames(project);
    const r = await cli(project, ['up', '--branch', 'main', '--skip-gate']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(
      /confirmation needed: main is gated by environments\/prod.json .*skip the gate and apply 9 migration\(s\) on main/,
    );
    expect(await branchNames(project)).toEqual(branches);
    expect(await appliedVersions(project, 'main')).toHaveLength(2);
  });

  it('--skip-gate answered "no" at a terminal prompt exits 3 (not approved), nothing touched', async () => {
    const branches = await branchNames(project);
    const r = await cliAtTerminal(['up', '--branch', 'main', '--skip-gate'], 'n');
    expect(r.output).toMatch(/skip the gate and apply 9 migration\(s\) on main .*\[y\/N\]/);
    expect(r.output).toMatch(
      /\nerror: main is gated by .*skip the gate and apply 9 migration.*: not confirmed \(nothing was changed/,
    );
    expect(r.exitCode).toBe(3);
    expect(await branchNames(project)).toEqual(branches);
    expect(await appliedVersions(project, 'main')).toHaveLength(2);
  });

  it('--skip-gate --yes applies behind a checkpoint and the history records the skipped gate', async () => {
    const r = await cli(project, ['--json', '--yes', 'up', '--branch', 'main', '--skip-gate', '--steps', '1']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.json).toMatchObject({
      ok: true,
      outcome: 'succeeded',
      checkpoint: expect.stringMatching(/^checkpoint\/main\//),
      gateSkipped: { by: 'skip-gate', branch: 'main', reason: expect.stringMatching(/environments\/prod.json/) },
    });
    expect(await appliedVersions(project, 'main')).toHaveLength(3);
    const [run] = await sql<{ command: string; skipped: { by: string } }>(
      project,
      'main',
      `SELECT command, report->'gateSkipped' AS skipped FROM neon_migrate.runs WHERE id = '${r.json.runId}'`,
    );
    expect(run).toMatchObject({ command: 'up', skipped: { by: 'skip-gate' } });
  });

  it('rollback --strategy down still reverts on the gated branch (the sanctioned way), recorded as such', async () => {
    const r = await cli(project, ['--json', '--yes', 'rollback', '--branch', 'main', '--strategy', 'down']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.json.down).toMatchObject({ outcome: 'succeeded', gateSkipped: { by: 'rollback' } });
    expect(await appliedVersions(project, 'main')).toHaveLength(2);
  });
});

describe('checkpoints prune --dry-run', () => {
  it('lists what prune would delete and keep, deletes nothing; the real prune then deletes exactly that', async () => {
    const branches = await branchNames(project);
    const checkpoints = branches.filter((b) => b.startsWith('checkpoint/main/'));
    expect(checkpoints).toHaveLength(2); // one from up, one from the rollback's down run
    const dry = await cli(project, ['--json', 'checkpoints', 'prune', '--dry-run']);
    expect(dry.exitCode, dry.stderr).toBe(0);
    const names = (list: { name: string }[]) => list.map((c) => c.name);
    expect(dry.json.dryRun).toBe(true);
    expect(names(dry.json.wouldDelete)).toEqual([checkpoints.sort()[0]]);
    expect(dry.json.keep).toEqual([expect.objectContaining({ name: checkpoints.sort()[1], retention: 'latest run' })]);
    const human = await cli(project, ['checkpoints', 'prune', '--dry-run']);
    expect(human.stdout).toMatch(/^dry run: prune would delete 1 checkpoint\(s\) and keep 1; nothing was changed\n/);
    expect(human.stdout).toContain(`${checkpoints[0]}`);
    expect(await branchNames(project)).toEqual(branches);

    const real = await cli(project, ['--json', '--yes', 'checkpoints', 'prune']);
    expect(real.exitCode, real.stderr).toBe(0);
    expect(real.json.deleted).toEqual(names(dry.json.wouldDelete));
  });
});
