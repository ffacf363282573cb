import { describe, expect, it } from 'vitest';
import {
  analyzeMigrations,
  assertDestructiveApproved,
  assertNoLintErrors,
  destructiveVerdict,
  estimateOnTarget,
  latencyRegressionError,
  overBudgetError,
  type RunMeasurement,
} from '../../src/analysis/index.js';
import { environmentSchema, settingsSchema } from '../../src/config/schema.js';

const settings = settingsSchema.parse({ lint: { rules: { 'require-concurrent-index-creation': 'error' } } });
const migrations = [
  { version: '0002', file: 'migrations/0002_idx.sql', text: 'CREATE INDEX tasks_title ON tasks (title);' },
  { version: '0003', file: 'migrations/0003_drop.sql', text: 'ALTER TABLE tasks DROP COLUMN legacy;' },
];

describe('analysis gates', () => {
  it('stops test on an error-level lint finding with exit 2 and the fix', async () => {
    const { lint, destructive } = await analyzeMigrations(migrations, settings);
    expect(destructive.map((d) => [d.version, d.kind])).toEqual([['0003', 'drop-column']]);
    let thrown: unknown;
    try {
      assertNoLintErrors(lint);
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toMatchObject({
      exitCode: 2,
      code: 'LINT_ERROR',
      message: expect.stringMatching(/^migrations\/0002_idx\.sql:1: require-concurrent-index-creation/),
    });
    expect((thrown as { hint: string }).hint).toMatch(
      /CONCURRENTLY.*neon-migrate:allow require-concurrent-index-creation because/,
    );
    // The environment can lower the level: then nothing stops.
    const env = environmentSchema.parse({
      branch: 'dev',
      lint: { rules: { 'require-concurrent-index-creation': 'warning' } },
    });
    const relaxed = await analyzeMigrations(migrations, settings, env);
    expect(() => assertNoLintErrors(relaxed.lint)).not.toThrow();
  });

  it('refuses promote of an unapproved DROP COLUMN with exit 3, and lets an approved one through', async () => {
    const { destructive } = await analyzeMigrations(migrations, settings);
    expect(() => assertDestructiveApproved(destructiveVerdict(destructive, {}))).toThrow(
      expect.objectContaining({
        exitCode: 3,
        code: 'DESTRUCTIVE_UNAPPROVED',
        hint: expect.stringContaining('--allow-destructive 0003'),
      }),
    );
    expect(() => assertDestructiveApproved(destructiveVerdict(destructive, { flagVersions: ['0003'] }))).not.toThrow();
  });

  it('turns budget and latency violations into exit-1 failures', () => {
    expect(overBudgetError([])).toBeUndefined();
    const err = overBudgetError([
      {
        version: '0002',
        table: 'tasks',
        budget: 'maxBlockedMs',
        measured: 640,
        limit: 200,
        message: '0002 blocked writes on tasks for 640 ms (ShareLock); budget 200 ms',
        safer: 'CREATE INDEX CONCURRENTLY',
      },
    ]);
    expect(err).toMatchObject({ exitCode: 1, code: 'OVER_BUDGET', hint: 'safer: CREATE INDEX CONCURRENTLY' });
    const lat = latencyRegressionError(
      [
        {
          name: 'q.sql',
          before: { name: 'q.sql', runs: 20, p50Ms: 1, p95Ms: 2 },
          after: { name: 'q.sql', runs: 20, p50Ms: 5, p95Ms: 9 },
          p50ChangePct: 400,
          p95ChangePct: 350,
          regressed: true,
        },
      ],
      10,
    );
    expect(lat?.message).toBe('q.sql: p95 2 → 9 ms (+350%, limit +10%); the branch was restored');
  });

  it('estimates main from staging by the size ratio', () => {
    const m: RunMeasurement = {
      durationMs: 1000,
      walBytes: 0,
      intervalMs: 20,
      tables: [
        {
          table: 'tasks',
          maxWriteBlockedMs: 400,
          maxReadBlockedMs: 100,
          strongestMode: 'ShareLock',
          modesSeen: [],
          attempts: 1,
          rewritten: false,
          sizeBefore: 1,
          sizeAfter: 1,
          rowsInserted: 0,
          rowsUpdated: 0,
          rowsDeleted: 0,
        },
        {
          table: 'users',
          maxWriteBlockedMs: 0,
          maxReadBlockedMs: 0,
          modesSeen: [],
          attempts: 1,
          rewritten: false,
          sizeBefore: 1,
          sizeAfter: 1,
          rowsInserted: 0,
          rowsUpdated: 0,
          rowsDeleted: 0,
        },
      ],
    };
    expect(estimateOnTarget([m], 1_000_000, 4_000_000)).toEqual({
      sizeRatio: 4,
      durationMs: 4000,
      blockedMs: [{ table: 'tasks', ms: 1600, mode: 'ShareLock' }],
    });
  });
});
