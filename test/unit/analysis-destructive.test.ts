import { describe, expect, it } from 'vitest';
import { destructiveVerdict, describeUnapproved } from '../../src/analysis/approvals.js';
import { findDestructiveChanges } from '../../src/analysis/destructive.js';
import { typeChangeLoss, typeFromFormatType } from '../../src/analysis/type-narrowing.js';
import { environmentSchema } from '../../src/config/schema.js';

const SQL = [
  'DROP TABLE old_tasks, archive.logs CASCADE;',
  'DROP SCHEMA scratch CASCADE;',
  'ALTER TABLE tasks DROP COLUMN legacy, ALTER COLUMN title TYPE varchar(20);',
  'TRUNCATE audit;',
  'DELETE FROM sessions;',
  'DELETE FROM sessions WHERE expired;',
  'UPDATE tasks SET done = false;',
  'UPDATE tasks SET done = false WHERE id = 1;',
  'DROP INDEX tasks_title;',
  'ALTER TABLE tasks ADD COLUMN x int;',
].join('\n');

describe('findDestructiveChanges', () => {
  it('finds every destructive statement with its line, and nothing else', async () => {
    const found = await findDestructiveChanges([{ file: 'm/0003.sql', text: SQL, version: '0003' }]);
    expect(found.map((c) => [c.line, c.kind, c.target])).toEqual([
      [1, 'drop-table', 'old_tasks'],
      [1, 'drop-table', 'archive.logs'],
      [2, 'drop-schema', 'scratch'],
      [3, 'drop-column', 'tasks.legacy'],
      [3, 'alter-column-type', 'tasks.title'],
      [4, 'truncate', 'audit'],
      [5, 'delete-without-where', 'sessions'],
      [7, 'update-without-where', 'tasks'],
    ]);
    expect(found[0]).toMatchObject({ cascade: true, version: '0003', file: 'm/0003.sql' });
    expect(found[4]).toMatchObject({ toType: 'character varying(20)', column: 'title' });
  });
});

describe('typeChangeLoss', () => {
  const loss = (a: string, b: string) => typeChangeLoss(typeFromFormatType(a), typeFromFormatType(b));
  it.each([
    ['text', 'character varying(20)'],
    ['character varying(50)', 'character varying(20)'],
    ['bigint', 'integer'],
    ['integer', 'smallint'],
    ['numeric(10,2)', 'numeric(10,1)'],
    ['numeric(12,2)', 'numeric(8,2)'],
    ['numeric', 'numeric(10,2)'],
    ['numeric(10,2)', 'integer'],
    ['bigint', 'double precision'],
    ['double precision', 'real'],
    ['timestamp without time zone', 'timestamp with time zone'],
    ['timestamp(6) with time zone', 'timestamp(0) with time zone'],
    ['text', 'integer'],
    ['json', 'jsonb'],
    ['integer[]', 'integer'],
  ])('%s → %s loses data', (a, b) => expect(loss(a, b)).toMatch(/→/));
  it.each([
    ['integer', 'bigint'],
    ['smallint', 'integer'],
    ['character varying(20)', 'character varying(50)'],
    ['character varying(20)', 'text'],
    ['integer', 'text'],
    ['integer', 'numeric'],
    ['integer', 'numeric(12,2)'],
    ['numeric(10,2)', 'numeric(12,2)'],
    ['numeric(10,2)', 'numeric'],
    ['real', 'double precision'],
    ['integer', 'double precision'],
    ['jsonb', 'json'],
    ['timestamp(0) with time zone', 'timestamp with time zone'],
  ])('%s → %s is lossless', (a, b) => expect(loss(a, b)).toBeUndefined());
});

describe('destructiveVerdict', () => {
  it('approves by flag or environment entry, per version, and reports the rest', async () => {
    const changes = await findDestructiveChanges([
      { file: 'a.sql', text: 'ALTER TABLE t DROP COLUMN c;', version: '0001' },
      { file: 'b.sql', text: 'DROP TABLE u;', version: '0002' },
      { file: 'c.sql', text: 'TRUNCATE v;', version: '0003' },
    ]);
    const env = environmentSchema.parse({
      branch: 'main',
      approve: [{ version: '0002', by: 'ana', reason: 'u is unused' }],
    });
    const now = new Date('2026-12-02T06:00:00Z');
    const v = destructiveVerdict(
      changes,
      { flagVersions: ['0001'], flagApprovedBy: 'ci', environment: env.approve },
      now,
    );
    expect(v.approved.map((c) => [c.version, c.approval.source, c.approval.by])).toEqual([
      ['0001', 'flag', 'ci'],
      ['0002', 'environment', 'ana'],
    ]);
    expect(v.approved[1]!.approval).toMatchObject({ reason: 'u is unused', at: '2026-12-02T06:00:00.000Z' });
    expect(v.unapproved.map((c) => c.version)).toEqual(['0003']);
    expect(describeUnapproved(v.unapproved)).toEqual({
      message: 'unapproved destructive change: c.sql:1: removes every row of v',
      hint: 'approve with --allow-destructive 0003 or an "approve" entry in the environment file',
    });
  });

  it('never approves a lossless type change because it needs none', () => {
    const v = destructiveVerdict(
      [
        {
          file: 'a.sql',
          line: 1,
          statementIndex: 0,
          kind: 'alter-column-type',
          target: 't.c',
          detail: '',
          lossless: true,
        },
      ],
      {},
    );
    expect(v).toMatchObject({ unapproved: [], approved: [], lossless: [{ target: 't.c' }] });
  });
});
