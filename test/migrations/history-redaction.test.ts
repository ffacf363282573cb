/** The run report stored in the branch's history (copied into every child branch) never carries a password. */
import { describe, expect, it } from 'vitest';
import { finishRunSql } from '../../src/history/store.js';

describe('finishRunSql', () => {
  it('redacts URI passwords per string value, keeping the JSON intact', () => {
    const report = {
      failure: 'cannot reach postgresql://app_owner:hunter2secret@127.0.0.1/app',
      nested: { note: 'mail ops@example.com' },
    };
    const sql = finishRunSql('r1', 'rolled_back', report);
    expect(sql).not.toContain('hunter2secret');
    const literal = /report = '((?:[^']|'')*)'::jsonb/.exec(sql)![1]!.replace(/''/g, "'");
    expect(JSON.parse(literal)).toEqual({
      failure: 'cannot reach postgresql://app_owner:****@127.0.0.1/app',
      nested: { note: 'mail ops@example.com' },
    });
  });
});
