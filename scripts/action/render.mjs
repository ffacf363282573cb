/**
 * The GitHub Action's rendering (action.yml): the `--json` output of a neon-migrate command as
 * markdown for the step summary and the pull-request comment, and a digest of what it says
 * (timings left out) so an unchanged result does not rewrite the comment. Plain Node ESM over the
 * built library (dist/), so the action needs no TypeScript at run time.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { renderAnalysisMarkdown } from '../../dist/analysis/render.js';
import { redactSecrets } from '../../dist/errors.js';
import { renderMarkdown } from '../../dist/workflow/render.js';

const cell = (s) => String(s).replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** A `restore --dry-run --json` answer as markdown. */
function dryRunMarkdown(d) {
  const at = d.at ? (d.at.timestamp ? ` at ${d.at.timestamp}` : ` at LSN ${d.at.lsn}`) : '';
  const source = d.source === d.branch ? 'its own history' : `\`${d.source}\``;
  const out = [`### 🔎 neon-migrate restore --dry-run: \`${d.branch}\` from ${source}${at}`, ''];
  if (d.deltas.length) {
    out.push('| table | rows now | rows after restore |', '|---|---:|---:|');
    for (const x of d.deltas) out.push(`| \`${cell(x.table)}\` | ${x.rowsBefore ?? '—'} | ${x.rowsAfter ?? '—'} |`);
    out.push('');
  } else out.push('No table data would change.', '');
  out.push(
    d.unapplied.length
      ? `Migrations un-applied: ${d.unapplied.map((m) => `\`${cell(m.name)}\``).join(', ')}`
      : 'No migration would be un-applied.',
  );
  out.push('', 'Nothing was changed.');
  return out.join('\n');
}

/** Markdown for any `--json` output: a run report, a dry run, an error, or other JSON. */
export function markdownOf(output) {
  let md;
  if (output?.report?.reportVersion === 1) {
    md = renderMarkdown(output.report);
    if (output.report.analysis) md = `${md}\n\n${renderAnalysisMarkdown(output.report.analysis)}`;
    if (output.report.schemaOnly)
      md += `\n> Schema-only run on \`${output.report.schemaOnly.branch}\`: data checks were skipped.\n`;
  } else if (output?.dryRun === true && Array.isArray(output.deltas)) md = dryRunMarkdown(output);
  else if (output?.error?.message) {
    const e = output.error;
    md = [
      `### ❌ neon-migrate failed (exit ${e.exitCode ?? '?'}, ${e.code ?? 'error'})`,
      '',
      cell(e.message),
      ...(e.hint ? ['', `**Fix:** ${cell(e.hint)}`] : []),
    ].join('\n');
  } else md = ['### neon-migrate', '', '```json', JSON.stringify(output, null, 2), '```'].join('\n');
  return `${redactSecrets(md).trimEnd()}\n`;
}

/** What the output says, without times: equal digests mean the comment would say the same thing. */
export function digestOf(output) {
  const r = output?.report;
  const stable = r
    ? {
        command: r.command,
        branch: r.schemaOnly ? `schema-only/${r.schemaOnly.source}` : r.branch,
        environment: r.environment,
        outcome: r.outcome,
        failure: r.failure,
        migrations: r.migrations.map((m) => [m.name, m.direction, m.status, m.error ?? null]),
        verification: r.verification ? { passed: r.verification.passed, failures: r.verification.failures } : null,
        reversibility: r.reversibility
          ? [r.reversibility.checked, r.reversibility.downMatches, r.reversibility.upMatches]
          : null,
        restore: r.restore ? [r.restore.source, r.restore.snapshotMatches] : null,
      }
    : output;
  return createHash('sha256').update(JSON.stringify(stable)).digest('hex').slice(0, 16);
}

/** The hidden marker that finds our comment again: one per key (e.g. one for test, one for promote). */
export function markerOf(key) {
  return `<!-- neon-migrate:${key} -->`;
}

/** The full comment body: marker, digest, markdown. */
export function commentBody(output, key) {
  return `${markerOf(key)}\n<!-- neon-migrate-digest:${digestOf(output)} -->\n${markdownOf(output)}`;
}

/** The digest recorded in a comment body, if any. */
export function digestInBody(body) {
  return /<!-- neon-migrate-digest:([0-9a-f]+) -->/.exec(body ?? '')?.[1];
}

/** Parse the CLI's `--json` output file; no output, or text that is not JSON, becomes an error object. */
export function readOutput(file) {
  const text = readFileSync(file, 'utf8').trim();
  if (!text) return { error: { message: 'neon-migrate printed no JSON (see the step log)', code: 'NO_OUTPUT' } };
  try {
    return JSON.parse(text);
  } catch {
    return { error: { message: `neon-migrate printed something other than JSON: ${text.slice(0, 200)}` } };
  }
}
