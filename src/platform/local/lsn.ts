/** PostgreSQL LSNs ("16/B374D848") and WAL segment file names, as bigint arithmetic. */
import { UsageError } from '../../errors.js';

const LSN_PATTERN = /^[0-9A-F]{1,8}\/[0-9A-F]{1,8}$/i;

/** True when text is a syntactically valid LSN. */
export function isLsn(text: string): boolean {
  return LSN_PATTERN.test(text);
}

/** Parse an LSN; throws a UsageError naming the expected format. */
export function parseLsn(text: string): bigint {
  if (!isLsn(text)) {
    throw new UsageError(`malformed LSN "${text}"`, {
      hint: 'expected the form X/Y in hex, e.g. 0/16B3748 (as pg_current_wal_lsn() prints it)',
      code: 'INVALID_LSN',
    });
  }
  const [hi, lo] = text.split('/');
  return (BigInt(`0x${hi}`) << 32n) | BigInt(`0x${lo}`);
}

/** Format a bigint LSN the way Postgres prints it (upper-case hex, no padding). */
export function formatLsn(value: bigint): string {
  return `${(value >> 32n).toString(16).toUpperCase()}/${(value & 0xffffffffn).toString(16).toUpperCase()}`;
}

/** The segment number holding an LSN, for a WAL segment size in bytes. */
export function segmentOf(lsn: bigint, segmentBytes: number): bigint {
  return lsn / BigInt(segmentBytes);
}

const SEGMENT_FILE = /^([0-9A-F]{8})([0-9A-F]{8})([0-9A-F]{8})(\.partial)?$/;

/** For a WAL segment file name, its timeline and segment number; undefined for other files. */
export function parseSegmentFile(name: string, segmentBytes: number): { timeline: number; segno: bigint } | undefined {
  const m = SEGMENT_FILE.exec(name);
  if (!m) return undefined;
  const perId = 0x100000000n / BigInt(segmentBytes);
  return { timeline: Number.parseInt(m[1], 16), segno: BigInt(`0x${m[2]}`) * perId + BigInt(`0x${m[3]}`) };
}

/** The WAL file name of a segment on a timeline. */
export function segmentFileName(timeline: number, segno: bigint, segmentBytes: number): string {
  const perId = 0x100000000n / BigInt(segmentBytes);
  const hex = (n: bigint | number) => n.toString(16).toUpperCase().padStart(8, '0');
  return `${hex(timeline)}${hex(segno / perId)}${hex(segno % perId)}`;
}
