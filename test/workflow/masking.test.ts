/**
 * Masked environments through the workflow (issue 13): `test` creates the environment's branch
 * masked and checked, the report and `status` say so; a failed run on it is not restored (a masked
 * branch is never a restore target) and says why; `restore` and `rollback` refuse it; a refresh
 * creates it anew, masked. One local project for the file; `main` holds 200 users.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MaskedBranchError } from '../../src/errors.js';
import { listRuns } from '../../src/history/store.js';
import { type LocalPlatform, openLocalPlatform } from '../../src/platform/local/index.js';
import { planRestore } from '../../src/platform/restore-request.js';
import { withBranchDb } from '../../src/run/scoped.js';
import { refreshBranch } from '../../src/workflow/environment-branches.js';
import { migrationStatus } from '../../src/workflow/inspect.js';
import { renderHuman } from '../../src/workflow/render.js';
import { restoreAndRecord } from '../../src/workflow/restore-branch.js';
import { runRollback } from '../../src/workflow/rollback.js';
import { runTest } from '../../src/workflow/test.js';
import type { WorkflowContext } from '../../src/workflow/workflow-context.js';
import { expectError } from '../platform/conformance.js';
import { sql } from '../platform/helpers.js';
import { type ScratchProject, scratchProject } from '../support/project.js';

let p: ScratchProject;
let platform: LocalPlatform;
let ctx: WorkflowContext;

const emails = async (branch: string) =>
  (await sql<{ email: string }>(await platform.connectionUri(branch), 'SELECT email FROM users ORDER BY id')).map(
    (r) => r.email,
  );

beforeAll(async () => {
  p = scratchProject({
    '001_nickname.up.sql': 'ALTER TABLE users ADD COLUMN nickname text;',
    '001_nickname.down.sql': 'ALTER TABLE users DROP COLUMN nickname;',
  });
  mkdirSync(path.join(p.dir, 'environments'));
  writeFileSync(
    path.join(p.dir, 'environments', 'staging.json'),
    JSON.stringify({
      branch: 'staging',
      parent: 'main',
      checks: { reversibility: 'schema' },
      masking: { 'users.email': 'email', 'users.name': 'name' },
    }),
  );
  const env = { ...process.env };
  platform = await openLocalPlatform({ projectDir: p.dir, env, settings: p.settings });
  ctx = { projectDir: p.dir, settings: p.settings, env, platform };
  await sql(
    await platform.connectionUri('main'),
    `CREATE TABLE users (id int PRIMARY KEY, email text NOT NULL UNIQUE, name text NOT NULL);
     INSERT INTO users SELECT i, 'u' || i || '@corp.test', 'Person ' || i FROM generate_series(1, 200) i;`,
  );
});
afterAll(async () => {
  await platform?.stopComputes();
  rmSync(p.dir, { recursive: true, force: true });
});

describe('masked environments', () => {
  it('test creates the branch masked, checks it, and the report and status say so', async () => {
    const { report, createdBranch } = await runTest(ctx, { branch: 'staging' });
    expect(createdBranch).toBe(true);
    expect(report.outcome).toBe('passed');
    expect(report.masking).toEqual({ rules: 2 });
    expect(report.notes).toContain('created branch staging from main, masked by 2 masking rules');
    expect(renderHuman(report)).toMatch(/^ {2}masked: the branch is masked by 2 masking rules$/m);
    const [main, staging] = [await emails('main'), await emails('staging')];
    expect(staging.some((e) => main.includes(e))).toBe(false);
    expect(main[0]).toBe('u1@corp.test');
    expect((await migrationStatus(ctx, { branch: 'staging' })).masking).toEqual({ rules: 2 });
    expect((await migrationStatus(ctx, { branch: 'main' })).masking).toBeUndefined();
  });

  it('a failed run on the masked branch is not restored, and says why', async () => {
    p.write('002_bad.up.sql', 'ALTER TABLE users ADD COLUMN age int;\nSELECT 1 / 0;');
    p.write('002_bad.down.sql', 'ALTER TABLE users DROP COLUMN age;');
    try {
      const { report } = await runTest(ctx, { branch: 'staging' });
      expect(report.outcome).toBe('failed');
      expect(report.restore).toBeUndefined();
      expect(renderHuman(report)).toMatch(/FAILED \(not restored: the branch is masked\)/);
      expect(report.notes.join('\n')).toMatch(/not restored: staging is masked.*kept in checkpoint\/staging\//);
      const runs = await withBranchDb(platform, 'staging', (db) => listRuns(db, { command: 'test', limit: 5 }));
      expect(runs[0]?.status).toBe('failed');
    } finally {
      p.remove('002_bad.up.sql');
      p.remove('002_bad.down.sql');
    }
  });

  it('restore and rollback refuse the masked branch, as target or source', async () => {
    await expectError(restoreAndRecord(ctx, planRestore({ branch: 'staging', fromBranch: 'main' })), {
      type: MaskedBranchError,
      exitCode: 2,
      message: /"staging" is masked and cannot be a restore target/,
    });
    await platform.createBranch({ name: 'dev', parent: 'main' });
    await expectError(restoreAndRecord(ctx, planRestore({ branch: 'dev', fromBranch: 'staging' })), {
      type: MaskedBranchError,
      message: /"staging" is masked and cannot be a restore source/,
    });
    await expectError(runRollback(ctx, { branch: 'staging' }), { type: MaskedBranchError });
  });

  it('a refresh creates the masked branch anew from its parent, with the branches made from it gone', async () => {
    const before = (await platform.listBranches()).map((b) => b.name);
    expect(before.some((n) => n.startsWith('checkpoint/staging/'))).toBe(true);
    const r = await refreshBranch(ctx, 'staging', 'main');
    expect(r).toMatchObject({ branch: 'staging', parent: 'main', masked: { rules: 2 } });
    expect(r.backup).toBeUndefined();
    const after = (await platform.listBranches()).map((b) => b.name);
    expect(after.some((n) => n.startsWith('checkpoint/staging/'))).toBe(false);
    expect((await platform.getBranch('staging')).masking).toEqual({ rules: 2 });
    const staging = await emails('staging');
    expect(staging).toHaveLength(200);
    expect(staging.every((e) => e.endsWith('@example.com'))).toBe(true);
    const refreshes = await withBranchDb(platform, 'staging', (db) => listRuns(db, { command: 'refresh', limit: 5 }));
    expect(refreshes).toHaveLength(1);
  });
});
