/**
 * Library-level workflow behaviour on the real local engine: the promote gate (refresh-age limit, the
 * stricter of two limits, every required environment checked), bad input refused before a refresh,
 * checkpoint retention (never pruning the latest run's checkpoint), and rollback --strategy down.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadEnvironment, loadSettings } from '../../src/config/load.js';
import { connect } from '../../src/db/connect.js';
import { readApplied } from '../../src/migrations/history.js';
import { createCheckpoint, projectMigrations } from '../../src/migrations/project.js';
import { openLocalPlatform } from '../../src/platform/local/index.js';
import type { Platform } from '../../src/platform/types.js';
import { checkpointRetention, pruneCheckpoints } from '../../src/workflow/checkpoints.js';
import type { WorkflowContext } from '../../src/workflow/context.js';
import { checkGate } from '../../src/workflow/gate.js';
import { refreshBranch } from '../../src/workflow/branches.js';
import { runPromote } from '../../src/workflow/promote.js';
import { runRollback } from '../../src/workflow/rollback.js';
import { runTest } from '../../src/workflow/test.js';
import { copyExampleProject } from '../e2e/helpers.js';

let project: string;
let platform: Platform & { stopComputes?: () => Promise<string[]> };
let ctx: WorkflowContext;
const DAY = 86_400_000;

async function appliedOn(branch: string): Promise<string[]> {
  const db = await connect(await platform.connectionUri(branch));
  try {
    return (await readApplied(db)).map((a) => a.version);
  } finally {
    await db.close();
  }
}

beforeAll(async () => {
  project = copyExampleProject();
  const settings = loadSettings(project);
  const env = { ...process.env, NEON_MIGRATE_SEED_TASKS: '300' };
  platform = await openLocalPlatform({ projectDir: project, env, settings });
  ctx = { projectDir: project, settings, env, platform };
  const staging = await runTest(ctx, { branch: 'staging' });
  if (staging.report.outcome !== 'passed') throw new Error(`setup: ${staging.report.failure}`);
});

afterAll(async () => {
  await platform?.stopComputes?.();
  if (project) rmSync(project, { recursive: true, force: true });
});

describe('promote gate', () => {
  it('passes for migrations tested on a fresh staging, and refuses once staging is older than maxRefreshAge', async () => {
    const prod = loadEnvironment(project, ctx.settings, 'prod');
    const migrations = await projectMigrations(ctx);
    const mainApplied = new Set(await appliedOn('main'));
    const pending = migrations.filter((m) => !mainApplied.has(m.version));
    expect(pending).toHaveLength(7);
    const fresh = await checkGate(ctx, prod, ['staging'], pending);
    expect(fresh.problems).toEqual([]);
    const stale = await checkGate({ ...ctx, now: () => new Date(Date.now() + 8 * DAY) }, prod, ['staging'], pending);
    expect(stale.passed).toBe(false);
    expect(stale.problems).toEqual([expect.stringMatching(/^staging was refreshed from main 8\.0d ago, more than maxRefreshAge 7d \(environments\/prod.json\)/)]);
  });

  it("applies the stricter maxRefreshAge: the required environment's own limit is not ignored", async () => {
    const stagingFile = path.join(project, 'environments', 'staging.json');
    const original = readFileSync(stagingFile, 'utf8');
    writeFileSync(stagingFile, JSON.stringify({ ...JSON.parse(original), maxRefreshAge: '1d' }));
    try {
      const prod = loadEnvironment(project, ctx.settings, 'prod');
      const mainApplied = new Set(await appliedOn('main'));
      const pending = (await projectMigrations(ctx)).filter((m) => !mainApplied.has(m.version));
      const twoDaysLater = await checkGate({ ...ctx, now: () => new Date(Date.now() + 2 * DAY) }, prod, ['staging'], pending);
      expect(twoDaysLater.problems).toEqual([expect.stringMatching(/^staging was refreshed from main 2\.0d ago, more than maxRefreshAge 1d \(environments\/staging.json\)/)]);
    } finally {
      writeFileSync(stagingFile, original);
    }
  });

  it('checks every required environment: --from names one of them, it never narrows the gate', async () => {
    const prodFile = path.join(project, 'environments', 'prod.json');
    const qaFile = path.join(project, 'environments', 'qa.json');
    const original = readFileSync(prodFile, 'utf8');
    writeFileSync(qaFile, JSON.stringify({ branch: 'qa', parent: 'main' }));
    writeFileSync(prodFile, JSON.stringify({ ...JSON.parse(original), requires: ['staging', 'qa'] }));
    try {
      const mainBefore = await appliedOn('main');
      // staging passed everything; qa never ran: --from staging must not skip qa.
      await expect(runPromote(ctx, { from: 'staging' })).rejects.toMatchObject({ code: 'GATE_REFUSED', exitCode: 3, message: expect.stringMatching(/branch qa does not exist/) });
      expect(await appliedOn('main')).toEqual(mainBefore);
    } finally {
      writeFileSync(prodFile, original);
      rmSync(qaFile);
    }
  });
});

describe('bad input before anything is touched', () => {
  it('test --fresh with a malformed assertion file: file error (exit 2), staging neither refreshed nor changed', async () => {
    const broken = path.join(project, 'scripts', 'zz_broken.sql');
    writeFileSync(broken, 'SELEC 1;\n');
    try {
      const branches = (await platform.listBranches()).map((b) => b.name).sort();
      const applied = await appliedOn('staging');
      await expect(runTest(ctx, { branch: 'staging', fresh: true })).rejects.toMatchObject({ exitCode: 2 });
      expect((await platform.listBranches()).map((b) => b.name).sort()).toEqual(branches);
      expect(await appliedOn('staging')).toEqual(applied);
    } finally {
      rmSync(broken);
    }
  });

  it('refreshing the default branch is refused by the protected-branch gate (exit 3), main untouched', async () => {
    const before = await appliedOn('main');
    await expect(refreshBranch(ctx, 'main', 'staging')).rejects.toMatchObject({ code: 'RESET_DEFAULT', exitCode: 3 });
    expect(await appliedOn('main')).toEqual(before);
  });
});

describe('checkpoint retention', () => {
  it('prunes beyond keepLast and maxAge but never the checkpoint of the latest run', async () => {
    const latestRun = (await checkpointRetention(ctx, 'staging'))[0]!.name;
    for (let i = 0; i < 3; i++) await createCheckpoint(platform, 'staging', new Date(Date.now() + (i + 1) * 1000));
    const later = { ...ctx, settings: { ...ctx.settings, checkpoints: { keepLast: 1, maxAge: '1h' } }, now: () => new Date(Date.now() + DAY) };
    const list = await checkpointRetention(later, 'staging');
    expect(list).toHaveLength(4);
    expect(list.map((c) => c.retention)).toEqual(['keepLast', 'prune', 'prune', 'latest run']);
    expect(list[3]!.name).toBe(latestRun);
    const pruned = await pruneCheckpoints(later, list);
    expect(pruned.failed).toEqual([]);
    expect(pruned.deleted).toEqual([list[1]!.name, list[2]!.name]);
    expect((await checkpointRetention(later, 'staging')).map((c) => c.name)).toEqual([list[0]!.name, latestRun]);
  });
});

describe('rollback --strategy down', () => {
  it('reverts what the last run applied with the down migrations, behind a new checkpoint', async () => {
    expect(await appliedOn('staging')).toHaveLength(9);
    const r = await runRollback({ ...ctx, confirm: async () => true }, { branch: 'staging', strategy: 'down' });
    expect(r.down?.outcome).toBe('succeeded');
    expect(r.down?.results.map((m) => m.status)).toEqual(Array(7).fill('reverted'));
    expect(r.down?.checkpoint).toMatch(/^checkpoint\/staging\//);
    expect(await appliedOn('staging')).toHaveLength(2);
  });

  it('refuses without confirmation and changes nothing', async () => {
    const before = await appliedOn('staging');
    await expect(runRollback({ ...ctx, confirm: async () => false }, { branch: 'staging' })).rejects.toThrow(/not confirmed/);
    expect(await appliedOn('staging')).toEqual(before);
  });
});
