/**
 * Library-level workflow behaviour on the real local engine: the promote gate's refresh-age limit,
 * checkpoint retention (never pruning the latest run's checkpoint), and rollback --strategy down.
 */
import { rmSync } from 'node:fs';
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
