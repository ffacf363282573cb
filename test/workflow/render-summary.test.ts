/** $GITHUB_STEP_SUMMARY gets the markdown report with the same secret redaction as stdout and the saved report. */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderReport } from '../../src/workflow/render.js';
import type { RunReport } from '../../src/workflow/report.js';

describe('GitHub step summary', () => {
  it('redacts passwords in URIs', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'nm-summary-'));
    try {
      const summary = path.join(dir, 'summary.md');
      const report: RunReport = {
        reportVersion: 1,
        runId: '00000000-0000-4000-8000-000000000000',
        command: 'test',
        branch: 'dev',
        environment: 'dev',
        platform: 'local',
        startedAt: '2026-11-21T00:00:00.000Z',
        finishedAt: '2026-11-21T00:00:01.000Z',
        durationMs: 1000,
        outcome: 'failed',
        failure: 'cannot reach postgresql://dev_owner:hunter2secret@127.0.0.1:5432/neondb',
        timings: [],
        migrations: [],
        integrity: {},
        notes: [],
      };
      renderReport(report, 'human', { env: { GITHUB_STEP_SUMMARY: summary } });
      const text = readFileSync(summary, 'utf8');
      expect(text).toContain('postgresql://dev_owner:****@127.0.0.1');
      expect(text).not.toContain('hunter2secret');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
