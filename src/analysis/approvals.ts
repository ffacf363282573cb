/**
 * Approving destructive changes: per migration version, by `--allow-destructive <version>` or an
 * `approve` entry of the target environment. The verdict lists what still needs approval and
 * records who approved the rest (for the history).
 */
import type { z } from 'zod';
import type { approvalSchema } from '../config/schema.js';
import type { DestructiveChange } from './destructive.js';

export type ApprovalEntry = z.output<typeof approvalSchema>;

/** Where approvals come from at promote time. */
export interface Approvals {
  /** Versions given with `--allow-destructive <version>` (repeatable). */
  flagVersions?: string[];
  /** Who ran the command, recorded for flag approvals (e.g. the OS user or CI actor). */
  flagApprovedBy?: string;
  /** The environment's `approve` list. */
  environment?: ApprovalEntry[];
}

/** How one change was approved, for the report and the history. */
export interface Approval {
  version: string;
  source: 'flag' | 'environment';
  by?: string;
  reason?: string;
  /** RFC 3339: when the verdict was taken (the history records it with the run). */
  at: string;
}

export interface DestructiveVerdict<C extends DestructiveChange = DestructiveChange> {
  /** Changes that block `promote` (exit 3, nothing touched). */
  unapproved: C[];
  approved: (C & { approval: Approval })[];
  /** Lossless type changes, not destructive: listed for the report only. */
  lossless: C[];
}

/** Split destructive changes into approved and unapproved; a change without a version is never approved. */
export function destructiveVerdict<C extends DestructiveChange>(
  changes: C[],
  approvals: Approvals,
  now = new Date(),
): DestructiveVerdict<C> {
  const at = now.toISOString();
  const flags = new Set(approvals.flagVersions ?? []);
  const verdict: DestructiveVerdict<C> = { unapproved: [], approved: [], lossless: [] };
  for (const c of changes) {
    if (c.lossless) {
      verdict.lossless.push(c);
      continue;
    }
    const version = c.version;
    const entry = version === undefined ? undefined : approvals.environment?.find((a) => a.version === version);
    if (version !== undefined && flags.has(version)) {
      const by = approvals.flagApprovedBy;
      verdict.approved.push({ ...c, approval: { version, source: 'flag', ...(by ? { by } : {}), at } });
    } else if (version !== undefined && entry) {
      const extra = { ...(entry.by ? { by: entry.by } : {}), ...(entry.reason ? { reason: entry.reason } : {}) };
      verdict.approved.push({ ...c, approval: { version, source: 'environment', ...extra, at } });
    } else {
      verdict.unapproved.push(c);
    }
  }
  return verdict;
}

/** The one-line refusal for promote, with the fix. */
export function describeUnapproved(unapproved: DestructiveChange[]): { message: string; hint: string } {
  const versions = [...new Set(unapproved.map((c) => c.version ?? c.file))];
  const first = unapproved[0];
  const what = first ? `${first.file}:${first.line}: ${first.detail}` : '';
  const more = unapproved.length > 1 ? ` (and ${unapproved.length - 1} more)` : '';
  const flags = versions.map((v) => `--allow-destructive ${v}`).join(' ');
  return {
    message: `unapproved destructive change: ${what}${more}`,
    hint: `approve with ${flags} or an "approve" entry in the environment file`,
  };
}
