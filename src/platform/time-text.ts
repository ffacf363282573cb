/**
 * The one reading of timestamps, LSNs and history windows that both platforms use, so a point in
 * time the local engine accepts is exactly one Neon is sent.
 */

/** A PostgreSQL LSN as pg_current_wal_lsn() prints it: `X/Y` in hex. */
export const LSN_PATTERN = /^[0-9A-Fa-f]{1,8}\/[0-9A-Fa-f]{1,8}$/;

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$/;

/** The instant of an RFC 3339 timestamp with a zone (seconds required), or undefined when it is not one. */
export function parseRfc3339(text: string): Date | undefined {
  const m = RFC3339.exec(text);
  if (!m) return undefined;
  const [month, day, hour, minute, second] = m.slice(2, 7).map(Number);
  if (month! < 1 || month! > 12 || day! < 1 || day! > 31 || hour! > 23 || minute! > 59 || second! > 60)
    return undefined;
  const time = Date.parse(text.replace(' ', 'T'));
  return Number.isNaN(time) ? undefined : new Date(time);
}

/** "7 days", "3 hours", "90 seconds". */
export function describeWindow(seconds: number): string {
  if (seconds % 86400 === 0) return `${seconds / 86400} day${seconds === 86400 ? '' : 's'}`;
  if (seconds % 3600 === 0) return `${seconds / 3600} hour${seconds === 3600 ? '' : 's'}`;
  return `${seconds} seconds`;
}
