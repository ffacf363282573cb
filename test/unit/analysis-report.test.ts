import { describe, expect, it } from 'vitest';
import { buildAnalysisReport, renderAnalysisHuman, renderAnalysisMarkdown } from '../../src/analysis/index.js';
import type { RunMeasurement } from '../../src/analysis/index.js';

const measurement: RunMeasurement = {
  durationMs: 812,
  walBytes: 9_437_184,
  intervalMs: 20,
  tables: [
    {
      table: 'tasks',
      maxWriteBlockedMs: 640,
      maxReadBlockedMs: 0,
      strongestMode: 'ShareLock',
      modesSeen: ['ShareLock'],
      attempts: 40,
      rewritten: false,
      sizeBefore: 5_000_000,
      sizeAfter: 5_000_000,
      rowsInserted: 0,
      rowsUpdated: 0,
      rowsDeleted: 0,
    },
    {
      table: 'users',
      maxWriteBlockedMs: 0,
      maxReadBlockedMs: 0,
      modesSeen: [],
      attempts: 40,
      rewritten: true,
      sizeBefore: 2_097_152,
      sizeAfter: 3_145_728,
      rowsInserted: 3,
      rowsUpdated: 1000,
      rowsDeleted: 2,
    },
  ],
};

describe('analysis report', () => {
  const report = buildAnalysisReport({
    migrations: [
      { version: '0002', name: 'index_tasks', file: 'migrations/0002_index_tasks.sql' },
      { version: '0003', name: 'cleanup', file: 'migrations/0003_cleanup.sql' },
    ],
    lint: {
      findings: [
        {
          version: '0002',
          file: 'migrations/0002_index_tasks.sql',
          line: 1,
          column: 1,
          rule: 'require-concurrent-index-creation',
          level: 'error',
          message: 'blocks | writes',
          safer: 'CREATE INDEX CONCURRENTLY',
        },
      ],
      allowed: [
        {
          file: 'migrations/0003_cleanup.sql',
          line: 3,
          column: 1,
          rule: 'ban-drop-column',
          level: 'warning',
          message: 'x',
          allow: { rule: 'ban-drop-column', reason: 'unused since v3', line: 2 },
        },
      ],
      allowProblems: [],
    },
    destructive: [
      {
        version: '0003',
        file: 'migrations/0003_cleanup.sql',
        line: 3,
        statementIndex: 1,
        kind: 'drop-column',
        target: 'tasks.legacy',
        detail: 'drops column tasks.legacy and its values',
        rowsAtRisk: 250,
      },
      {
        version: '0003',
        file: 'migrations/0003_cleanup.sql',
        line: 4,
        statementIndex: 2,
        kind: 'drop-table',
        target: 'old',
        detail: 'drops table old and its rows',
        rowsAtRisk: 7,
        approval: { version: '0003', source: 'environment', by: 'ana', at: '2026-12-02T00:00:00Z' },
      },
    ],
    measurements: [{ version: '0002', measurement }],
    budgetViolations: [
      {
        version: '0002',
        table: 'tasks',
        budget: 'maxBlockedMs',
        measured: 640,
        limit: 200,
        message: '0002 blocked writes on tasks for 640 ms (ShareLock); budget 200 ms',
        safer: 'CREATE INDEX CONCURRENTLY',
      },
    ],
    latency: [
      {
        name: 'q.sql',
        before: { name: 'q.sql', runs: 20, p50Ms: 0.2, p95Ms: 0.3 },
        after: { name: 'q.sql', runs: 20, p50Ms: 50, p95Ms: 60 },
        p50ChangePct: 24900,
        p95ChangePct: 19900,
        regressed: true,
      },
    ],
  });

  it('groups findings per migration and counts what stops a run', () => {
    expect(report.lintErrors).toBe(1);
    expect(report.unapprovedDestructive).toBe(1);
    expect(report.migrations[0]).toMatchObject({
      version: '0002',
      lint: [{ rule: 'require-concurrent-index-creation' }],
      destructive: [],
      measurement,
    });
    expect(report.migrations[1]).toMatchObject({ allowed: [{ rule: 'ban-drop-column' }], lint: [] });
    expect(report.migrations[1]!.destructive).toHaveLength(2);
  });

  it('renders markdown tables per migration', () => {
    const md = renderAnalysisMarkdown(report);
    expect(md).toContain('### 0002 index_tasks (`migrations/0002_index_tasks.sql`)');
    expect(md).toContain(
      '| migrations/0002_index_tasks.sql:1 | error | require-concurrent-index-creation | blocks \\| writes | CREATE INDEX CONCURRENTLY |',
    );
    expect(md).toContain('| tasks | writes 640 ms, reads 0 ms | ShareLock (blocks writes) | no | 0 / 0 / 0 |');
    expect(md).toContain('| users | 0 ms | — | **rewritten** (2.0 MB → 3.0 MB) | 3 / 1000 / 2 |');
    expect(md).toContain('**Measured on the branch**: 812 ms, WAL 9.0 MB');
    expect(md).toContain(
      '| migrations/0003_cleanup.sql:3 | drop-column | drops column tasks.legacy and its values | 250 | **not approved** |',
    );
    expect(md).toContain('| 7 | environment by ana |');
    expect(md).toContain('allowed: unused since v3');
    expect(md).toContain(
      '- 0002 blocked writes on tasks for 640 ms (ShareLock); budget 200 ms. Safer: CREATE INDEX CONCURRENTLY',
    );
    expect(md).toContain('| q.sql | 0.2 → 50 ms (+24900%) | 0.3 → 60 ms (+19900%) | **regressed** |');
  });

  it('renders a terminal summary', () => {
    const text = renderAnalysisHuman(report);
    expect(text).toContain('0002 index_tasks');
    expect(text).toContain(
      '    tasks: blocked writes 640 ms, reads 0 ms; lock ShareLock (blocks writes); rewrite no; rows +0 ~0 -0',
    );
    expect(text).toContain(
      '  destructive migrations/0003_cleanup.sql:3 drops column tasks.legacy and its values; rows at risk: 250; not approved',
    );
    expect(text).toContain('query q.sql: p50 0.2 → 50 ms, p95 0.3 → 60 ms (+19900%) REGRESSED');
  });
});
