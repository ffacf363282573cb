import { describe, expect, it } from 'vitest';
import { lintSettingsSchema, settingsSchema, environmentSchema } from '../../src/config/schema.js';
import { lintMigrations, ruleLevel } from '../../src/analysis/lint.js';
import { locateStatements } from '../../src/analysis/statements.js';

const defaults = lintSettingsSchema.parse({});

describe('locateStatements', () => {
  it('gives each statement its line range and its allow comments', async () => {
    const text = [
      'CREATE TABLE t (id bigint);',
      '-- neon-migrate:allow ban-drop-column because nobody reads it',
      'ALTER TABLE t',
      '  DROP COLUMN x;',
      'DROP TABLE u; -- neon-migrate:allow ban-drop-table because u was never used',
      'SELECT 1;',
    ].join('\n');
    const st = await locateStatements(text);
    expect(st.map((s) => [s.kind, s.line, s.endLine])).toEqual([
      ['CreateStmt', 1, 1],
      ['AlterTableStmt', 3, 4],
      ['DropStmt', 5, 5],
      ['SelectStmt', 6, 6],
    ]);
    expect(st[1]!.allows).toEqual([{ rule: 'ban-drop-column', reason: 'nobody reads it', line: 2 }]);
    expect(st[2]!.allows).toEqual([{ rule: 'ban-drop-table', reason: 'u was never used', line: 5 }]);
    expect(st[3]!.allows).toEqual([]);
  });
});

describe('lintMigrations (squawk)', () => {
  const risky = [
    'CREATE INDEX tasks_title ON tasks (title);',
    '',
    'ALTER TABLE tasks ALTER COLUMN title SET NOT NULL;',
    '-- neon-migrate:allow ban-drop-column because the column was unused since v3',
    'ALTER TABLE tasks DROP COLUMN legacy;',
    '-- neon-migrate:allow ban-drop-table',
    'DROP TABLE old_tasks;',
  ].join('\n');

  it('maps findings to file:line with rule, message and safer form', async () => {
    const res = await lintMigrations([{ file: 'migrations/0002_x.sql', text: risky, version: '0002' }], defaults);
    const idx = res.findings.find((f) => f.rule === 'require-concurrent-index-creation');
    expect(idx).toMatchObject({ file: 'migrations/0002_x.sql', line: 1, level: 'warning', version: '0002' });
    expect(idx?.statement).toEqual({ index: 0, kind: 'IndexStmt', line: 1 });
    expect(idx?.safer).toMatch(/CONCURRENTLY/);
    const notNull = res.findings.find((f) => f.rule === 'adding-not-nullable-field');
    expect(notNull).toMatchObject({ line: 3, statement: { index: 1 } });
    expect(notNull?.safer).toMatch(/NOT VALID/);
    // The timeout rules are off by default: the run session sets both timeouts.
    expect(res.findings.some((f) => f.rule.startsWith('require-lock-timeout'))).toBe(false);
    expect(res.errorCount).toBe(0);
  });

  it('suppresses and records a finding allowed with a reason, not one without', async () => {
    const res = await lintMigrations([{ file: 'm.sql', text: risky }], defaults);
    expect(res.allowed).toHaveLength(1);
    expect(res.allowed[0]).toMatchObject({
      rule: 'ban-drop-column',
      line: 5,
      allow: { reason: 'the column was unused since v3', line: 4 },
    });
    expect(res.findings.some((f) => f.rule === 'ban-drop-column')).toBe(false);
    // No reason: the finding stays and the comment is reported.
    expect(res.findings.find((f) => f.rule === 'ban-drop-table')).toMatchObject({ line: 7 });
    expect(res.allowProblems).toEqual([
      { file: 'm.sql', line: 6, message: expect.stringMatching(/no "because <reason>"/) },
    ]);
  });

  it('applies levels per environment: error counts, off drops', async () => {
    const settings = lintSettingsSchema.parse({ rules: { 'require-concurrent-index-creation': 'error' } });
    const env = environmentSchema.parse({
      branch: 'dev',
      lint: { rules: { 'adding-not-nullable-field': 'off' } },
    }).lint;
    expect(ruleLevel('require-concurrent-index-creation', settings, env)).toBe('error');
    const res = await lintMigrations([{ file: 'm.sql', text: risky }], settings, env);
    expect(res.errorCount).toBe(1);
    expect(res.findings.find((f) => f.rule === 'require-concurrent-index-creation')?.level).toBe('error');
    expect(res.findings.some((f) => f.rule === 'adding-not-nullable-field')).toBe(false);
  });

  it('passes the safe forms', async () => {
    const safe = [
      '-- neon-migrate:no-transaction',
      'CREATE INDEX CONCURRENTLY IF NOT EXISTS tasks_title ON tasks (title);',
    ].join('\n');
    const res = await lintMigrations([{ file: 'safe.sql', text: safe }], defaults);
    expect(res.findings).toEqual([]);
    const check = ['ALTER TABLE tasks ADD CONSTRAINT title_nn CHECK (title IS NOT NULL) NOT VALID;'].join('\n');
    expect((await lintMigrations([{ file: 'c.sql', text: check }], defaults)).findings).toEqual([]);
  });

  it('lints many files in one squawk run and maps each finding back to its file', async () => {
    const files = Array.from({ length: 12 }, (_, i) => ({
      file: `migrations/${String(i).padStart(4, '0')}_m.sql`,
      version: String(i).padStart(4, '0'),
      text: i % 3 === 0 ? `SELECT ${i};` : `\n${'\n'.repeat(i)}CREATE INDEX i${i} ON t${i} (c);`,
    }));
    files.push({
      file: 'migrations/0100_cic.sql',
      version: '0100',
      text: '-- neon-migrate:no-transaction\nCREATE INDEX CONCURRENTLY IF NOT EXISTS i ON t (c);',
    });
    const res = await lintMigrations(files, defaults);
    const idx = res.findings.filter((f) => f.rule === 'require-concurrent-index-creation');
    expect(idx.map((f) => [f.version, f.line])).toEqual(
      files.slice(0, 12).flatMap((f, i) => (i % 3 === 0 ? [] : [[f.version, i + 2]])),
    );
    expect(res.findings.filter((f) => f.version === '0100')).toEqual([]);
  });

  it('rejects an unknown rule name in the settings as a config error, and unknown lint keys', async () => {
    const settings = lintSettingsSchema.parse({ rules: { 'no-such-rule': 'error' } });
    await expect(lintMigrations([{ file: 'm.sql', text: 'SELECT 1;' }], settings)).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
    });
    expect(settingsSchema.safeParse({ lint: { levels: {} } }).success).toBe(false);
    expect(environmentSchema.safeParse({ branch: 'x', budgets: { maxBlockedMS: 1 } }).success).toBe(false);
  });
});
