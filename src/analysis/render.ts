/** Rendering the analysis section: GitHub-flavoured markdown and a terminal summary. */
import { lockBlocks } from './lock-modes.js';
import type { AnalysisReport, MigrationAnalysis, ReportedDestructiveChange } from './report.js';
import type { TableMeasurement } from './measure.js';

/** Bytes as B/kB/MB/GB. */
export function formatBytes(n: number | null): string {
  if (n === null) return '—';
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) (v /= 1024), i++;
  return `${i === 0 ? v : v.toFixed(1)} ${units[i]}`;
}

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
const row = (cells: string[]) => `| ${cells.map(cell).join(' | ')} |`;
const table = (head: string[], rows: string[][]) =>
  [row(head), row(head.map(() => '---')), ...rows.map(row)].join('\n');

function rowsAtRisk(d: ReportedDestructiveChange): string {
  if (!('rowsAtRisk' in d)) return 'not counted';
  return d.rowsAtRisk === null ? 'not on branch' : String(d.rowsAtRisk);
}

function approvalText(d: ReportedDestructiveChange): string {
  if (d.lossless) return 'lossless, none needed';
  if (!d.approval) return '**not approved**';
  const who = d.approval.by ? ` by ${d.approval.by}` : '';
  const why = d.approval.reason ? `: ${d.approval.reason}` : '';
  return `${d.approval.source === 'flag' ? '--allow-destructive' : 'environment'}${who}${why}`;
}

function blockedText(t: TableMeasurement): string {
  if (t.maxWriteBlockedMs === 0 && t.maxReadBlockedMs === 0) return '0 ms';
  return `writes ${t.maxWriteBlockedMs} ms, reads ${t.maxReadBlockedMs} ms`;
}

function lockText(t: TableMeasurement): string {
  return t.strongestMode ? `${t.strongestMode} (blocks ${lockBlocks(t.strongestMode)})` : '—';
}

function rewriteText(t: TableMeasurement): string {
  if (t.created) return 'created';
  if (t.dropped) return `dropped (${formatBytes(t.sizeBefore)})`;
  return t.rewritten ? `**rewritten** (${formatBytes(t.sizeBefore)} → ${formatBytes(t.sizeAfter)})` : 'no';
}

function migrationMarkdown(m: MigrationAnalysis): string {
  const out = [`### ${m.version}${m.name ? ` ${m.name}` : ''}${m.file ? ` (\`${m.file}\`)` : ''}`];
  if (m.lint.length || m.allowed.length) {
    const rows = m.lint.map((f) => [`${f.file}:${f.line}`, f.level, f.rule, f.message, f.safer ?? '']);
    rows.push(...m.allowed.map((f) => [`${f.file}:${f.line}`, 'allowed', f.rule, `allowed: ${f.allow.reason}`, '']));
    out.push('', '**Lint**', '', table(['Where', 'Level', 'Rule', 'Finding', 'Safer form'], rows));
  }
  for (const p of m.allowProblems) out.push('', `> ${p.file}:${p.line}: ${p.message}`);
  if (m.destructive.length) {
    const rows = m.destructive.map((d) => [`${d.file}:${d.line}`, d.kind, d.detail, rowsAtRisk(d), approvalText(d)]);
    out.push(
      '',
      '**Destructive changes**',
      '',
      table(['Where', 'Change', 'What is lost', 'Rows at risk', 'Approval'], rows),
    );
  }
  const ms = m.measurement;
  if (ms) {
    out.push(
      '',
      `**Measured on the branch**: ${ms.durationMs} ms, WAL ${formatBytes(ms.walBytes)} ` +
        `(probe every ${ms.intervalMs} ms)`,
      '',
    );
    const rows = ms.tables.map((t) => [
      t.table,
      blockedText(t),
      lockText(t),
      rewriteText(t),
      `${t.rowsInserted} / ${t.rowsUpdated} / ${t.rowsDeleted}`,
    ]);
    out.push(table(['Table', 'Max blocked', 'Strongest lock held', 'Rewrite', 'Rows ins / upd / del'], rows));
  }
  if (out.length === 1) out.push('', 'Nothing to report.');
  return out.join('\n');
}

/** The analysis as markdown (a section of the run's markdown summary). */
export function renderAnalysisMarkdown(report: AnalysisReport): string {
  const out = ['## Analysis', ''];
  out.push(
    `${report.lintErrors} lint error(s), ${report.unapprovedDestructive} unapproved destructive change(s), ` +
      `${report.budgetViolations.length} budget violation(s).`,
  );
  for (const m of report.migrations) out.push('', migrationMarkdown(m));
  if (report.budgetViolations.length) {
    out.push('', '### Over budget', '');
    for (const v of report.budgetViolations) out.push(`- ${v.message}. Safer: ${v.safer}`);
  }
  if (report.latency.length) {
    const rows = report.latency.map((l) => [
      l.name,
      `${l.before.p50Ms} → ${l.after.p50Ms} ms (${signed(l.p50ChangePct)})`,
      `${l.before.p95Ms} → ${l.after.p95Ms} ms (${signed(l.p95ChangePct)})`,
      l.regressed ? '**regressed**' : 'ok',
    ]);
    out.push('', '### Workload queries', '', table(['Query', 'p50', 'p95', ''], rows));
  }
  return out.join('\n');
}

const signed = (pct: number) => `${pct > 0 ? '+' : ''}${pct}%`;

/** The analysis as terminal lines (the human summary). */
export function renderAnalysisHuman(report: AnalysisReport): string {
  const out: string[] = [];
  for (const m of report.migrations) {
    const lines: string[] = [];
    for (const f of m.lint)
      lines.push(`  ${f.level} ${f.file}:${f.line} ${f.rule}: ${f.message}${f.safer ? ` → ${f.safer}` : ''}`);
    for (const f of m.allowed) lines.push(`  allowed ${f.file}:${f.line} ${f.rule} (${f.allow.reason})`);
    for (const p of m.allowProblems) lines.push(`  note ${p.file}:${p.line}: ${p.message}`);
    for (const d of m.destructive) {
      lines.push(
        `  destructive ${d.file}:${d.line} ${d.detail}; ` +
          `rows at risk: ${rowsAtRisk(d)}; ${approvalText(d).replace(/\*/g, '')}`,
      );
    }
    const ms = m.measurement;
    if (ms) {
      lines.push(`  measured: ${ms.durationMs} ms, WAL ${formatBytes(ms.walBytes)}`);
      for (const t of ms.tables) {
        const rw = rewriteText(t).replace(/\*/g, '');
        const rows = `rows +${t.rowsInserted} ~${t.rowsUpdated} -${t.rowsDeleted}`;
        lines.push(`    ${t.table}: blocked ${blockedText(t)}; lock ${lockText(t)}; rewrite ${rw}; ${rows}`);
      }
    }
    if (lines.length) out.push(`${m.version}${m.name ? ` ${m.name}` : ''}`, ...lines);
  }
  for (const v of report.budgetViolations) out.push(`over budget: ${v.message}. Safer: ${v.safer}`);
  for (const l of report.latency) {
    const p50 = `p50 ${l.before.p50Ms} → ${l.after.p50Ms} ms`;
    const p95 = `p95 ${l.before.p95Ms} → ${l.after.p95Ms} ms (${signed(l.p95ChangePct)})`;
    out.push(`query ${l.name}: ${p50}, ${p95}${l.regressed ? ' REGRESSED' : ''}`);
  }
  return out.join('\n');
}
