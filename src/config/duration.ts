/** The one duration parser: config durations (`5s`, `15min`, `2h`, `7d`) in milliseconds. */
import { UsageError } from '../errors.js';

const UNIT_MS = { ms: 1, s: 1000, min: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** The pattern every duration setting must match (also the zod schema's regex). */
export const DURATION_PATTERN = /^(\d+)\s*(ms|s|min|h|d)$/;

/**
 * A config duration (`5s`, `15min`, `2h`, `7d`) in milliseconds.
 *
 * @example
 * ```ts
 * durationMs('15min'); // 900000
 * ```
 */
export function durationMs(text: string): number {
  const m = DURATION_PATTERN.exec(text.trim());
  if (!m)
    throw new UsageError(`"${text}" is not a duration`, {
      hint: 'use e.g. "5s", "15min", "2h" or "7d"',
      code: 'BAD_DURATION',
    });
  return Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS];
}
