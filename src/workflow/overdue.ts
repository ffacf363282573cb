/**
 * Branches past their TTL that still exist (issue 13, "nothing leaks"): a tool branch whose expiry
 * the platform could not set (only the `neon-migrate/expires-at` annotation has it), or one that
 * cannot be deleted because it got children. `status` warns about them; `checkpoints prune` and
 * `branches delete` remove them.
 */
import { intendedExpiry } from '../run/tool-branch.js';
import type { Platform } from '../platform/types.js';

export interface OverdueBranch {
  name: string;
  id: string;
  /** When it should have gone (RFC 3339). */
  expiredAt: string;
  /** Why it is still here. */
  reason: string;
}

/** Every branch whose expiry (set, or intended by the tool) is at or before `now`. */
export async function overdueBranches(platform: Platform, now: Date): Promise<OverdueBranch[]> {
  const all = await platform.listBranches();
  const out: OverdueBranch[] = [];
  for (const b of all) {
    const at = intendedExpiry(b);
    if (!at || Date.parse(at) > now.getTime()) continue;
    const children = all.filter((x) => x.parentId === b.id).map((x) => x.name);
    const reason = children.length
      ? `it has child branches (${children.join(', ')}), so it cannot expire`
      : b.expiresAt
        ? 'the platform has not deleted it yet'
        : 'its expiry could not be set on the platform';
    out.push({ name: b.name, id: b.id, expiredAt: at, reason });
  }
  return out;
}

/** One warning line per overdue branch, with the fix. */
export function overdueLines(list: OverdueBranch[]): string[] {
  return list.map(
    (o) =>
      `warning: branch ${o.name} is past its TTL (${o.expiredAt}) and still exists: ${o.reason}; ` +
      (o.name.startsWith('checkpoint/')
        ? '`neon-migrate checkpoints prune` removes it'
        : `delete it with \`neon-migrate branches delete ${o.name}\``),
  );
}
