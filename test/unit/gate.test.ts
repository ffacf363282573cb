import { describe, expect, it } from 'vitest';
import type { RunRecord } from '../../src/history/store.js';
import { fingerprintProblem, type GateUnit, judgeMigration, type PassRow } from '../../src/workflow/gate.js';
import type { ReportMigration } from '../../src/workflow/report.js';

const FIX = 'run `neon-migrate test --branch staging --fresh`';

function pass(runId: string, row: Partial<ReportMigration>): PassRow {
  const run: RunRecord = {
    id: runId,
    command: 'test',
    branch: 'staging',
    checkpoint: null,
    status: 'succeeded',
    startedAt: '2026-11-20T10:00:00Z',
    finishedAt: '2026-11-20T10:01:00Z',
    report: null,
  };
  return {
    run,
    row: {
      version: '2',
      name: '2_add_col',
      checksum: 'up-1',
      direction: 'up',
      status: 'applied',
      durationMs: 1,
      ...row,
    },
  };
}

const unit: GateUnit = {
  version: '2',
  name: '2_add_col',
  checksum: 'up-1',
  downChecksum: 'down-1',
  upFile: 'migrations/2_add_col.up.sql',
  downFile: 'migrations/2_add_col.down.sql',
};

describe("the promote gate's verdict on one migration", () => {
  it('passes on a test run with identical up and down checksums', () => {
    const v = judgeMigration(unit, [pass('run-b', { downChecksum: 'down-1' })], 'staging', FIX);
    expect(v).toEqual({ pass: expect.objectContaining({ id: 'run-b' }) });
  });

  it('refuses a migration that never passed test there', () => {
    const v = judgeMigration(unit, [], 'staging', FIX);
    expect(v.pass).toBeUndefined();
    expect(v.problem).toBe(`2_add_col has not passed test on staging since its last refresh; ${FIX}`);
  });

  it('refuses an up file changed after it passed', () => {
    const v = judgeMigration(unit, [pass('run-a', { checksum: 'up-0', downChecksum: 'down-1' })], 'staging', FIX);
    expect(v.pass).toBeUndefined();
    expect(v.problem).toMatch(
      /^migrations\/2_add_col\.up\.sql changed after it passed test on staging \(checksum differs\)/,
    );
  });

  it('refuses a down file changed, added or removed after the pass', () => {
    const changed = judgeMigration(unit, [pass('r', { downChecksum: 'down-0' })], 'staging', FIX);
    expect(changed.problem).toMatch(
      /^migrations\/2_add_col\.down\.sql changed after it passed test on staging \(down checksum differs/,
    );
    const added = judgeMigration(unit, [pass('r', { downChecksum: null })], 'staging', FIX);
    expect(added.problem).toMatch(/^migrations\/2_add_col\.down\.sql was added after/);
    const noDown: GateUnit = { version: '2', name: '2_add_col', checksum: 'up-1', downChecksum: null };
    const removed = judgeMigration(noDown, [pass('r', { downChecksum: 'down-1' })], 'staging', FIX);
    expect(removed.problem).toMatch(/^the down file of 2_add_col was removed after/);
  });

  it('uses any matching pass among several, not only the newest', () => {
    const rows = [pass('newer', { downChecksum: 'down-0' }), pass('older', { downChecksum: 'down-1' })];
    expect(judgeMigration(unit, rows, 'staging', FIX).pass?.id).toBe('older');
  });

  it('accepts a pass recorded before down checksums existed, comparing the up file only, and notes it', () => {
    const v = judgeMigration(unit, [pass('0123456789', {})], 'staging', FIX);
    expect(v.pass?.id).toBe('0123456789');
    expect(v.problem).toBeUndefined();
    expect(v.note).toBe(
      'gate: migrations/2_add_col.down.sql not compared (its pass on staging, run 01234567, predates down checksums)',
    );
  });

  it('a migration without a separate down file passes on a null down checksum', () => {
    const noDown: GateUnit = { version: '2', name: '2_add_col', checksum: 'up-1', downChecksum: null };
    expect(judgeMigration(noDown, [pass('r', { downChecksum: null })], 'staging', FIX).pass?.id).toBe('r');
  });
});

describe('fingerprintProblem (wrapped tools)', () => {
  const run = (id: string, startedAt: string, runner?: { kind: string; hash: string; head: string | null }) =>
    ({
      id,
      command: 'test',
      branch: 'staging',
      checkpoint: null,
      status: 'succeeded',
      startedAt,
      finishedAt: startedAt,
      report: runner ? { runner } : {},
    }) as RunRecord;
  const now = { hash: 'b'.repeat(64), head: 'rev2' };

  it('passes when the newest passing run tested the same files', () => {
    const passing = [run('old', '2026-11-20T10:00:00Z', { kind: 'alembic', ...now, hash: 'a'.repeat(64) })];
    passing.push(run('new', '2026-11-21T10:00:00Z', { kind: 'alembic', ...now }));
    expect(fingerprintProblem(passing, now, 'staging', FIX)).toBeUndefined();
  });

  it('refuses files edited after the pass (env.py, config or a revision), with the fix', () => {
    const passing = [run('r1', '2026-11-20T10:00:00Z', { kind: 'alembic', hash: 'a'.repeat(64), head: 'rev2' })];
    expect(fingerprintProblem(passing, now, 'staging', FIX)).toBe(
      `the alembic files changed after they passed test on staging (run r1 tested files hash aaaaaaaaaaaa, now bbbbbbbbbbbb); ${FIX}`,
    );
  });

  it('refuses a pass that recorded no fingerprint', () => {
    expect(fingerprintProblem([run('r0', '2026-11-20T10:00:00Z')], now, 'staging', FIX)).toMatch(
      /did not record which tool files it tested/,
    );
  });
});
