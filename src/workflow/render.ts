/** Rendering run reports: a terminal summary and GitHub-flavoured markdown (for $GITHUB_STEP_SUMMARY). */
import { renderAnalysisHuman, renderAnalysisMarkdown } from '../analysis/render.js';
import { appendFileSync } from 'node:fs';
import { redactSecrets } from '../errors.js';
import { compareSnapshots } from '../verify/snapshot.js';
import type { RunReport } from './report.js';

export type ReportFormat = 'human' | 'markdown';

const seconds = (ms: number) => (ms >= 1000 ? `${(ms / 1000).toFixed(1)}s` : `${Math.round(ms)}ms`);
const OUTCOME_TEXT = {
  passed: 'PASSED',
  failed: 'FAILED (branch restored)',
  'nothing-to-do': 'NOTHING TO DO',
} as const;

interface TableRow {
  table: string;
  before: string;
  after: string;
  content: string;
}

/** Per-table rows: counts before → after and whether the content changed. */
function integrityRows(report: RunReport): TableRow[] {
  const { before, after } = report.integrity;
  if (!before || !after) return [];
  const untouchedBad = new Set(report.verification?.untouchedChanged.map((d) => d.table) ?? []);
  return compareSnapshots(before, after).deltas.map((d) => ({
    table: d.table,
    before: d.rowsBefore === null ? '—' : String(d.rowsBefore),
    after: d.rowsAfter === null ? '—' : String(d.rowsAfter),
    content:
      d.rowsBefore === null
        ? 'new'
        : d.rowsAfter === null
          ? 'dropped'
          : !d.changed
            ? 'identical'
            : untouchedBad.has(d.table)
              ? 'CHANGED, not touched by any migration'
              : 'changed',
  }));
}

function headline(report: RunReport): string {
  const env = report.environment && report.environment !== report.branch ? ` (environment ${report.environment})` : '';
  const outcome =
    report.outcome === 'failed' && report.masking && !report.restore
      ? 'FAILED (not restored: the branch is masked)'
      : OUTCOME_TEXT[report.outcome];
  return `neon-migrate ${report.command} on branch ${report.branch}${env}: ${outcome} in ${seconds(report.durationMs)}`;
}

/** `masked by 5 rules`: what the report says about a masked branch. */
export function maskedText(rules: number): string {
  return `the branch is masked by ${rules} masking rule${rules === 1 ? '' : 's'}`;
}

function verificationLine(report: RunReport): string | undefined {
  const v = report.verification;
  if (!v) return undefined;
  const passedAssertions = v.assertions.filter((a) => a.passed).length;
  const parts = [
    `${passedAssertions}/${v.assertions.length} assertions passed`,
    `${v.orphans.reduce((n, o) => n + o.orphans, 0)} orphaned foreign-key rows`,
    `${v.invalidIndexes.length} invalid indexes`,
    v.untouchedSkipped
      ? `untouched tables not checked (${v.untouchedSkipped})`
      : `${v.untouchedChanged.length} untouched tables changed`,
  ];
  if (v.commands.length)
    parts.push(`${v.commands.filter((c) => c.passed).length}/${v.commands.length} --run commands passed`);
  return parts.join(', ');
}

function reversibilityLine(report: RunReport): string | undefined {
  const r = report.reversibility;
  if (!r) return undefined;
  if (!r.checked) return `skipped (${r.skippedReason ?? 'disabled'})`;
  const mark = (ok?: boolean) => (ok === undefined ? 'not reached' : ok ? 'ok' : 'MISMATCH');
  return `down → pre-run schema: ${mark(r.downMatches)}; up again → post-run schema: ${mark(r.upMatches)}`;
}

/** The terminal summary of a run. */
export function renderHuman(report: RunReport, reportFile?: string): string {
  const out = [headline(report)];
  if (report.failure) out.push(`  why: ${report.failure}`);
  if (report.checkpoint) out.push(`  checkpoint: ${report.checkpoint}`);
  if (report.masking) out.push(`  masked: ${maskedText(report.masking.rules)}`);
  if (report.migrations.length) {
    out.push('  migrations:');
    const width = Math.max(...report.migrations.map((m) => m.name.length));
    for (const m of report.migrations) {
      const mark = m.status === 'applied' || m.status === 'reverted' ? '✓' : m.status === 'not-run' ? '·' : '✗';
      out.push(
        `    ${mark} ${m.name.padEnd(width)}  ${m.direction} ${m.status.padEnd(8)} ${seconds(m.durationMs)}${m.error ? `  ${m.error}` : ''}`,
      );
    }
  }
  const rows = integrityRows(report);
  if (rows.length) {
    out.push('  integrity (rows before → after, content):');
    const w = Math.max(...rows.map((r) => r.table.length));
    for (const r of rows)
      out.push(`    ${r.table.padEnd(w)}  ${r.before.padStart(8)} → ${r.after.padEnd(8)}  ${r.content}`);
  }
  const verification = verificationLine(report);
  if (verification) out.push(`  verification: ${verification}`);
  for (const f of report.verification?.failures ?? []) out.push(`    ✗ ${f}`);
  const reversibility = reversibilityLine(report);
  if (reversibility) out.push(`  reversibility: ${reversibility}`);
  if (report.reversibility?.diff) out.push(...report.reversibility.diff.split('\n').map((l) => `      ${l}`));
  if (report.restore) {
    const proof =
      report.restore.snapshotMatches === undefined
        ? ''
        : report.restore.snapshotMatches
          ? ' — integrity snapshot identical to before the run'
          : ' — WARNING: snapshot differs from before the run';
    out.push(
      `  restored from ${report.restore.source}${report.restore.backup ? `; previous state kept as branch ${report.restore.backup}` : ''}${proof}`,
    );
  }
  for (const n of report.notes) out.push(`  note: ${n}`);
  const shown = report.timings.filter((t) => t.phase !== 'history' && t.phase !== 'record');
  if (shown.length) out.push(`  timings: ${shown.map((t) => `${t.phase} ${seconds(t.ms)}`).join(', ')}`);
  if (reportFile) out.push(`  report: ${reportFile}`);
  return out.join('\n');
}

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** The run as GitHub-flavoured markdown. */
export function renderMarkdown(report: RunReport): string {
  const icon = report.outcome === 'passed' ? '✅' : report.outcome === 'failed' ? '❌' : 'ℹ️';
  const out = [`### ${icon} ${cell(headline(report))}`, ''];
  if (report.failure) out.push(`**Why:** ${cell(report.failure)}`, '');
  if (report.checkpoint) out.push(`Checkpoint: \`${report.checkpoint}\``, '');
  if (report.masking) out.push(`Masked: ${maskedText(report.masking.rules)}.`, '');
  if (report.migrations.length) {
    out.push('| migration | direction | status | time |', '|---|---|---|---|');
    for (const m of report.migrations)
      out.push(
        `| \`${m.name}\` | ${m.direction} | ${m.status}${m.error ? `: ${cell(m.error)}` : ''} | ${seconds(m.durationMs)} |`,
      );
    out.push('');
  }
  const rows = integrityRows(report);
  if (rows.length) {
    out.push('| table | rows before | rows after | content |', '|---|---:|---:|---|');
    for (const r of rows) out.push(`| \`${r.table}\` | ${r.before} | ${r.after} | ${r.content} |`);
    out.push('');
  }
  const verification = verificationLine(report);
  if (verification) out.push(`**Verification:** ${cell(verification)}`, '');
  for (const f of report.verification?.failures ?? []) out.push(`- ❌ ${cell(f)}`);
  if (report.verification?.failures.length) out.push('');
  const reversibility = reversibilityLine(report);
  if (reversibility) out.push(`**Reversibility:** ${reversibility}`, '');
  if (report.reversibility?.diff) out.push('```diff', report.reversibility.diff, '```', '');
  if (report.restore)
    out.push(
      `**Restored** from \`${report.restore.source}\`${report.restore.backup ? `; previous state kept as \`${report.restore.backup}\`` : ''}.`,
      '',
    );
  for (const n of report.notes) out.push(`- ${cell(n)}`);
  return `${out.join('\n').trimEnd()}\n`;
}

/**
 * Render in a format; markdown is also appended to $GITHUB_STEP_SUMMARY when that is set.
 *
 * @example
 * ```ts
 * const { report, reportFile } = await runTest(ctx, { branch: 'staging' });
 * console.log(renderReport(report, 'human', { reportFile }));
 * ```
 */
export function renderReport(
  report: RunReport,
  format: ReportFormat,
  options: { reportFile?: string; env?: NodeJS.ProcessEnv } = {},
): string {
  const env = options.env ?? process.env;
  const analysis = report.analysis;
  const markdown = analysis
    ? `${renderMarkdown(report)}\n\n${renderAnalysisMarkdown(analysis)}`
    : renderMarkdown(report);
  // The summary file is published by CI: the same redaction as stdout and the saved report.
  if (env.GITHUB_STEP_SUMMARY) appendFileSync(env.GITHUB_STEP_SUMMARY, `${redactSecrets(markdown)}\n`);
  if (format === 'markdown') return markdown;
  const human = renderHuman(report, options.reportFile);
  return analysis ? `${human}\n${renderAnalysisHuman(analysis)}` : human;
}
