/**
 * Library-level workflow behaviour on the real local engine: the promote gate (refresh-age limit, the
 * stricter of two limits, every required environment checked, down files compared too, older passes
 * without down checksums), plain up/down refused on gated and protected branches, bad input refused
 * before a refresh, checkpoint retention (never pruning the latest run's checkpoint; the dry run),
 * rollback --strategy down (a "no" is exit 3), and the expiry and annotations of the branches runs
 * create (issue 13: checkpoints.ttl, prune and status for what the platform could not expire).
 */
import { appendFileSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadEnvironment, loadSettings } from '../../src/config/load.js';
import { connect } from '../../src/db/connect.js';
import { listRuns, readApplied } from '../../src/history/store.js';
import type { LocalPlatform } from '../../src/platform/local/index.js';
import { planRestore } from '../../src/platform/restore-request.js';
import { ANNOTATION, toolBranchOptions } from '../../src/run/tool-branch.js';
import { overdueBranches, overdueLines } from '../../src/workflow/overdue.js';
import { dryRunRestore, restoreAndRecord } from '../../src/workflow/restore-branch.js';
import { projectMigrations } from '../../src/run/run-context.js';
import { createCheckpoint } from '../../src/run/checkpoint.js';
import { migrate } from '../../src/workflow/migrate.js';
import { openLocalPlatform } from '../../src/platform/local/index.js';
import type { Platform } from '../../src/platform/types.js';
import { checkpointRetention, previewPrune, pruneCheckpoints } from '../../src/workflow/checkpoints.js';
import type { WorkflowContext } from '../../src/workflow/workflow-context.js';
import { checkGate } from '../../src/workflow/gate.js';
import { refreshBranch } from '../../src/workflow/environment-branches.js';
import { runPromote } from '../../src/workflow/promote.js';
import { runRollback } from '../../src/workflow/rollback.js';
import { runTest } from '../../src/workflow/test.js';
import { copyExampleProject } from '../e2e/helpers.js';

let project: string;
let platform: Platform & { stopComputes?: () => Promise<string[]> };
let ctx: WorkflowContext;
const DAY = 86_400_000;

async function branchList(): Promise<string[]> {
  return (await platform.listBranches()).map((b) => b.name).sort();
}

/** Pending migrations of main (7 until something is promoted). */
async function pendingOnMain() {
  const mainApplied = new Set(await appliedOn('main'));
  return (await projectMigrations(ctx)).filter((m) => !mainApplied.has(m.version));
}

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
    expect(pending).toHaveLength(9);
    const fresh = await checkGate(ctx, prod, ['staging'], pending);
    expect(fresh.problems).toEqual([]);
    const stale = await checkGate({ ...ctx, now: () => new Date(Date.now() + 8 * DAY) }, prod, ['staging'], pending);
    expect(stale.passed).toBe(false);
    expect(stale.problems).toEqual([
      expect.stringMatching(
        /^staging was refreshed from main 8\.0d ago, more than maxRefreshAge 7d \(environments\/prod.json\)/,
      ),
    ]);
  });

  it("applies the stricter maxRefreshAge: the required environment's own limit is not ignored", async () => {
    const stagingFile = path.join(project, 'environments', 'staging.json');
    const original = readFileSync(stagingFile, 'utf8');
    writeFileSync(stagingFile, JSON.stringify({ ...JSON.parse(original), maxRefreshAge: '1d' }));
    try {
      const prod = loadEnvironment(project, ctx.settings, 'prod');
      const mainApplied = new Set(await appliedOn('main'));
      const pending = (await projectMigrations(ctx)).filter((m) => !mainApplied.has(m.version));
      const twoDaysLater = await checkGate(
        { ...ctx, now: () => new Date(Date.now() + 2 * DAY) },
        prod,
        ['staging'],
        pending,
      );
      expect(twoDaysLater.problems).toEqual([
        expect.stringMatching(
          /^staging was refreshed from main 2\.0d ago, more than maxRefreshAge 1d \(environments\/staging.json\)/,
        ),
      ]);
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
      await expect(runPromote(ctx, { from: 'staging' })).rejects.toMatchObject({
        code: 'GATE_REFUSED',
        exitCode: 3,
        message: expect.stringMatching(/branch qa does not exist/),
      });
      expect(await appliedOn('main')).toEqual(mainBefore);
    } finally {
      writeFileSync(prodFile, original);
      rmSync(qaFile);
    }
  });
});

describe('promote gate: down files', () => {
  const DOWN = path.join('migrations', '20260316T150000_add_categories.down.sql');

  it('refuses (exit 3) a down file edited after it passed staging, naming it; main untouched, no checkpoint', async () => {
    const file = path.join(project, DOWN);
    const original = readFileSync(file, 'utf8');
    appendFileSync(file, '\nSELECT 1;\n');
    try {
      const [mainBefore, branches] = [await appliedOn('main'), await branchList()];
      const refused = runPromote({ ...ctx, confirm: async () => true }, {});
      await expect(refused).rejects.toMatchObject({ code: 'GATE_REFUSED', exitCode: 3 });
      const message = await refused.then(
        () => '',
        (e: Error) => e.message,
      );
      expect(message).toMatch(
        /migrations\/20260316T150000_add_categories\.down\.sql changed after it passed test on staging \(down checksum differs/,
      );
      expect(message.split('\n')).toHaveLength(1);
      expect(await appliedOn('main')).toEqual(mainBefore);
      expect(await branchList()).toEqual(branches);
    } finally {
      writeFileSync(file, original);
    }
  });

  it('a pass recorded before down checksums were: the up file alone is compared, with a note', async () => {
    const db = await connect(await platform.connectionUri('staging'));
    const saved = (
      await db.query<{ id: string; report: unknown }>(`SELECT id, report FROM neon_migrate.runs WHERE command = 'test'`)
    ).rows;
    const file = path.join(project, DOWN);
    const original = readFileSync(file, 'utf8');
    try {
      // What an older version wrote: migration rows without the downChecksum key.
      await db.query(`UPDATE neon_migrate.runs SET report = jsonb_set(report, '{migrations}', (
        SELECT coalesce(jsonb_agg(m - 'downChecksum' ORDER BY i), '[]') FROM jsonb_array_elements(report->'migrations') WITH ORDINALITY AS x(m, i)))
        WHERE command = 'test' AND report ? 'migrations'`);
      appendFileSync(file, '\nSELECT 1;\n');
      const gate = await checkGate(
        ctx,
        loadEnvironment(project, ctx.settings, 'prod'),
        ['staging'],
        await pendingOnMain(),
      );
      expect(gate.problems).toEqual([]);
      expect(gate.notes).toContainEqual(
        expect.stringMatching(
          /^gate: migrations\/20260316T150000_add_categories\.down\.sql not compared \(its pass on staging, run \w{8}, predates down checksums\)$/,
        ),
      );
    } finally {
      writeFileSync(file, original);
      for (const r of saved)
        await db.query(`UPDATE neon_migrate.runs SET report = $1::jsonb WHERE id = $2`, [
          JSON.stringify(r.report),
          r.id,
        ]);
      await db.close();
    }
  });
});

describe('plain up / down on gated and protected branches', () => {
  it('up on main (gated by prod.json) is refused: exit 3; --skip-gate needs a confirmation (none: exit 2, "no": exit 3); nothing touched', async () => {
    const [mainBefore, branches] = [await appliedOn('main'), await branchList()];
    await expect(migrate(ctx, { direction: 'up', branch: 'main' })).rejects.toMatchObject({
      code: 'BRANCH_GATED',
      exitCode: 3,
      message: 'up on main refused: main is gated by environments/prod.json (requires staging)',
    });
    await expect(migrate(ctx, { direction: 'up', branch: 'main', skipGate: true })).rejects.toMatchObject({
      code: 'CONFIRMATION_REQUIRED',
      exitCode: 2,
    });
    await expect(
      migrate({ ...ctx, confirm: async () => false }, { direction: 'up', branch: 'main', skipGate: true }),
    ).rejects.toMatchObject({ code: 'NOT_CONFIRMED', exitCode: 3 });
    expect(await appliedOn('main')).toEqual(mainBefore);
    expect(await branchList()).toEqual(branches);
  });

  it('a branch the platform reports as protected is refused too (the local engine never protects: a view of it that does)', async () => {
    const protecting = new Proxy(platform, {
      get(target, key) {
        if (key === 'getBranch') return async (ref: string) => ({ ...(await target.getBranch(ref)), protected: true });
        const value = Reflect.get(target, key, target) as unknown;
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    await expect(
      migrate({ ...ctx, platform: protecting }, { direction: 'down', branch: 'staging' }),
    ).rejects.toMatchObject({
      code: 'BRANCH_GATED',
      exitCode: 3,
      message: 'down on staging refused: staging is a protected branch',
      hint: expect.stringMatching(/neon-migrate rollback --branch staging/),
    });
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
    const later = {
      ...ctx,
      settings: { ...ctx.settings, checkpoints: { keepLast: 1, maxAge: '1h' } },
      now: () => new Date(Date.now() + DAY),
    };
    const list = await checkpointRetention(later, 'staging');
    expect(list).toHaveLength(4);
    expect(list.map((c) => c.retention)).toEqual(['keepLast', 'prune', 'prune', 'latest run']);
    expect(list[3]!.name).toBe(latestRun);
    const preview = previewPrune(list);
    expect(preview.wouldDelete.map((c) => c.name)).toEqual([list[1]!.name, list[2]!.name]);
    expect(preview.keep.map((c) => c.name)).toEqual([list[0]!.name, latestRun]);
    expect(await checkpointRetention(later, 'staging')).toEqual(list); // the dry run deleted nothing
    const pruned = await pruneCheckpoints(later, list);
    expect(pruned.failed).toEqual([]);
    expect(pruned.deleted).toEqual([list[1]!.name, list[2]!.name]);
    expect((await checkpointRetention(later, 'staging')).map((c) => c.name)).toEqual([list[0]!.name, latestRun]);
  });
});

describe('rollback --strategy down', () => {
  it('reverts what the last run applied with the down migrations, behind a new checkpoint', async () => {
    expect(await appliedOn('staging')).toHaveLength(11);
    const r = await runRollback({ ...ctx, confirm: async () => true }, { branch: 'staging', strategy: 'down' });
    expect(r.down?.outcome).toBe('succeeded');
    expect(r.down?.results.map((m) => m.status)).toEqual(Array(9).fill('reverted'));
    expect(r.down?.checkpoint).toMatch(/^checkpoint\/staging\//);
    expect(await appliedOn('staging')).toHaveLength(2);
  });

  it('an answered "no" is not approved (exit 3), and changes nothing', async () => {
    const before = await appliedOn('staging');
    await expect(runRollback({ ...ctx, confirm: async () => false }, { branch: 'staging' })).rejects.toMatchObject({
      code: 'NOT_CONFIRMED',
      exitCode: 3,
      message: 'rollback: not confirmed',
    });
    expect(await appliedOn('staging')).toEqual(before);
  });
});

describe('nothing leaks: tool branches expire (issue 13)', () => {
  it("the test run's checkpoint expires after checkpoints.ttl (30d) and its annotations name the run", async () => {
    const db = await connect(await platform.connectionUri('staging'));
    const run = (await listRuns(db, { command: 'test' }).finally(() => db.close())).find((r) => r.checkpoint)!;
    const checkpoint = await platform.getBranch(run.checkpoint!);
    const left = Date.parse(checkpoint.expiresAt!) - Date.now();
    expect(left).toBeGreaterThan(29 * DAY);
    expect(left).toBeLessThanOrEqual(30 * DAY);
    expect(checkpoint.annotations).toMatchObject({
      [ANNOTATION.kind]: 'checkpoint',
      [ANNOTATION.runId]: run.id,
      [ANNOTATION.command]: 'test',
      [ANNOTATION.expiresAt]: checkpoint.expiresAt,
    });
    // the reversibility check's scratch branch was deleted; nothing else of the run is left
    expect((await branchList()).filter((n) => n.startsWith('scratch/'))).toEqual([]);
  });

  it('where the platform refuses the expiry, the annotation keeps it: status warns, prune deletes, a child blocks', async () => {
    // a clock two days ahead asks for an expiry 32 days out: the engine refuses it, as Neon would
    const ahead = { ...ctx, now: () => new Date(Date.now() + 2 * DAY) };
    const meta = toolBranchOptions(ahead, { kind: 'checkpoint', runId: 'run-x', command: 'test' });
    const lone = await createCheckpoint(platform, 'staging', ahead.now(), meta);
    const parent = await createCheckpoint(platform, 'staging', new Date(ahead.now().getTime() + 1000), meta);
    expect(lone.expiresAt).toBeUndefined();
    expect(lone.annotations?.[ANNOTATION.expiresAt]).toBe(meta.expiresAt);
    await platform.createBranch({ name: 'from-checkpoint', parent: parent.name });
    expect(await overdueBranches(platform, new Date())).toEqual([]);
    const past = new Date(Date.now() + 33 * DAY);
    const overdue = await overdueBranches(platform, past);
    const mine = overdue.filter((o) => o.name === lone.name || o.name === parent.name);
    expect(mine.map((o) => [o.name, o.reason])).toEqual([
      [lone.name, 'its expiry could not be set on the platform'],
      [parent.name, 'it has child branches (from-checkpoint), so it cannot expire'],
    ]);
    expect(overdueLines(mine)[0]).toMatch(/past its TTL .* `neon-migrate checkpoints prune` removes it$/);
    const later = { ...ctx, now: () => past };
    const list = (await checkpointRetention(later, 'staging')).filter(
      (c) => c.name === lone.name || c.name === parent.name,
    );
    expect(list.map((c) => c.retention)).toEqual(['expired', 'expired']);
    const pruned = await pruneCheckpoints(later, list);
    expect(pruned.deleted).toEqual([lone.name]);
    expect(pruned.failed.map((f) => f.name)).toEqual([parent.name]);
    expect(await branchList()).toContain(parent.name);
  });

  it("the engine deletes a branch once its expiry passed (Neon's background job), and only that one", async () => {
    const soon = new Date(Date.now() + 3600_000).toISOString();
    await platform.createBranch({ name: 'expires-soon', parent: 'main', expiresAt: soon });
    const local = platform as unknown as LocalPlatform;
    expect((await local.expireBranches(new Date())).deleted).toEqual([]);
    const swept = await local.expireBranches(new Date(Date.now() + 2 * 3600_000));
    expect(swept.deleted).toEqual(['expires-soon']);
    expect(await branchList()).not.toContain('expires-soon');
    expect(await branchList()).toContain('staging');
  });
});

describe('test --schema-only (issue 13)', () => {
  it('runs on a schema-only copy with the history, says data checks were skipped, leaves nothing behind', async () => {
    const before = await appliedOn('staging');
    const branchesBefore = await branchList();
    const { report } = await runTest(ctx, { branch: 'staging', schemaOnly: true });
    expect(report.outcome, report.failure).toBe('passed');
    expect(report.branch).toMatch(/^schema-only\/staging\//);
    expect(report.schemaOnly).toMatchObject({ source: 'staging', branch: report.branch, dataChecks: 'skipped' });
    // the copied history made exactly staging's pending migrations pending
    expect(report.migrations.map((m) => m.status)).toEqual(Array(11 - before.length).fill('applied'));
    expect(report.reversibility?.checked).toBe(true);
    expect(await appliedOn('staging')).toEqual(before);
    expect(await branchList()).toEqual(branchesBefore);
  });
});

describe("preflight from the branch's restrictions (issue 13)", () => {
  it("a restricted restore refuses restore, rollback, refresh and test with Neon's reason (exit 3), nothing touched", async () => {
    const local = platform as unknown as LocalPlatform;
    const before = { applied: await appliedOn('staging'), branches: await branchList() };
    const reason = 'a snapshot restore into this branch is being finalized';
    await local.setRestrictedActions('staging', [{ name: 'restore', reason }]);
    try {
      const refused = { exitCode: 3, code: 'BRANCH_RESTRICTED', message: expect.stringContaining(reason) };
      const yes = { ...ctx, confirm: async () => true };
      await expect(restoreAndRecord(ctx, planRestore({ branch: 'staging', fromBranch: 'main' }))).rejects.toMatchObject(
        refused,
      );
      await expect(runRollback(yes, { branch: 'staging' })).rejects.toMatchObject(refused);
      await expect(refreshBranch(ctx, 'staging', 'main')).rejects.toMatchObject(refused);
      await expect(runTest(ctx, { branch: 'staging' })).rejects.toMatchObject(refused);
      // the engine refuses a restore too, as Neon does (should a caller skip the preflight)
      await expect(platform.restoreBranch('staging', { source: 'main' })).rejects.toMatchObject({
        code: 'BRANCH_RESTRICTED',
      });
      expect(await appliedOn('staging')).toEqual(before.applied);
      expect(await branchList()).toEqual(before.branches);
    } finally {
      await local.setRestrictedActions('staging', []);
    }
  });

  it('a protected branch is not reset (exit 3), nothing touched', async () => {
    await platform.updateBranch('staging', { protected: true });
    try {
      await expect(refreshBranch(ctx, 'staging', 'main')).rejects.toMatchObject({
        exitCode: 3,
        code: 'BRANCH_RESTRICTED',
        message: expect.stringMatching(/protected/),
      });
    } finally {
      await platform.updateBranch('staging', { protected: false });
    }
    expect((await platform.getBranch('staging')).protected).toBe(false);
  });
});

describe('a restore verified on a preview before it goes live (issue 13)', () => {
  it('restores from an expiring checkpoint through a verified preview: figures reported, preview gone, expiry back', async () => {
    // the newest checkpoint that carries a platform expiry (the rollback's, above)
    const latest = (await platform.listBranches())
      .filter((b) => b.name.startsWith('checkpoint/staging/') && b.expiresAt)
      .sort((a, b) => b.createdAt.localeCompare(a.createdAt))[0];
    const expiry = latest!.expiresAt;
    const done = await restoreAndRecord(ctx, planRestore({ branch: 'staging', fromBranch: latest!.name }));
    expect(done.preview).toMatchObject({ passed: true, failures: [], orphans: [], invalidIndexes: [] });
    expect(done.preview!.preview).toMatch(/^preview\/staging\//);
    expect(done.preview!.dryRun.source).toBe(latest!.name);
    expect(done.backup?.name).toMatch(/^staging_old_/);
    const names = await branchList();
    expect(names.filter((n) => n.startsWith('preview/'))).toEqual([]);
    expect((await platform.getBranch(latest!.name)).expiresAt).toBe(expiry);
  });

  it('a failed check on the preview: exit 1, the branch untouched, the preview kept for inspection', async () => {
    const source = await platform.createBranch({ name: 'poisoned', parent: 'staging' });
    await connect(await platform.connectionUri(source.name)).then(async (db) => {
      await db.query('CREATE TABLE poison (id int)').finally(() => db.close());
    });
    const file = path.join(project, ctx.settings.scriptsDir, 'zz-no-poison.sql');
    writeFileSync(file, "-- no poison table\nSELECT to_regclass('public.poison') IS NULL;\n");
    const before = { applied: await appliedOn('staging'), branches: await branchList() };
    try {
      await expect(
        restoreAndRecord(ctx, planRestore({ branch: 'staging', fromBranch: 'poisoned' })),
      ).rejects.toMatchObject({
        exitCode: 1,
        code: 'PREVIEW_FAILED',
        message: expect.stringMatching(
          /^restore of staging not done: its preview preview\/staging\/\S+ failed a check: assertion no poison table/,
        ),
      });
      const after = await branchList();
      const kept = after.filter((n) => !before.branches.includes(n));
      expect(kept).toEqual([expect.stringMatching(/^preview\/staging\//)]);
      expect(await appliedOn('staging')).toEqual(before.applied);
      expect(after.filter((n) => n.startsWith('staging_old_'))).toEqual(
        before.branches.filter((n) => n.startsWith('staging_old_')),
      );
      await platform.deleteBranch(kept[0]!);
    } finally {
      rmSync(file, { force: true });
      await platform.deleteBranch('poisoned');
    }
  });
});

describe('snapshots as checkpoints (issue 13, checkpoints.kind)', () => {
  it('auto: a snapshot of a root branch, a branch of a child; a snapshot checkpoint is a restore source and prunes', async () => {
    const meta = { expiresAt: new Date(Date.now() + DAY).toISOString() };
    const ofMain = await createCheckpoint(platform, 'main', new Date(), { ...meta, kind: 'auto' });
    expect(ofMain.state).toBe('snapshot');
    expect(await branchList()).not.toContain(ofMain.name);
    const ofStaging = await createCheckpoint(platform, 'staging', new Date(), { ...meta, kind: 'auto' });
    expect(ofStaging.state).not.toBe('snapshot');
    await platform.deleteBranch(ofStaging.id);
    const snap = await createCheckpoint(platform, 'staging', new Date(Date.now() + 1000), {
      ...meta,
      kind: 'snapshot',
    });
    const listed = (await checkpointRetention(ctx, 'staging')).find((c) => c.name === snap.name);
    expect(listed).toMatchObject({ kind: 'snapshot', expiresAt: snap.expiresAt });
    // a dry run from it measures on a branch made from the snapshot (the verified restore's path too)
    const dry = await dryRunRestore(ctx, planRestore({ branch: 'staging', fromBranch: snap.name }));
    expect(dry.source).toBe(snap.name);
    expect((await branchList()).filter((n) => n.startsWith('dry-run/'))).toEqual([]);
    const later = { ...ctx, now: () => new Date(Date.now() + 2 * DAY) };
    const doomed = (await checkpointRetention(later)).filter((c) => c.name === snap.name || c.name === ofMain.name);
    expect(doomed.map((c) => c.retention)).toEqual(['expired', 'expired']);
    expect((await pruneCheckpoints(later, doomed)).deleted.sort()).toEqual([ofMain.name, snap.name].sort());
    expect(await (platform as unknown as LocalPlatform).listSnapshots()).toEqual([]);
  });
});
