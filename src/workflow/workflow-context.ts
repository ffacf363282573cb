/** What every workflow function needs: the project, its settings, the platform, and injected I/O. */
import type { Settings } from '../config/schema.js';
import { UsageError } from '../errors.js';
import type { Platform } from '../platform/types.js';

export interface WorkflowContext {
  projectDir: string;
  settings: Settings;
  /** Process environment (PATH for --run, NEON_MIGRATE_SEED_TASKS...). */
  env: NodeJS.ProcessEnv;
  platform: Platform;
  /** Progress lines (the CLI sends them to stderr). */
  log?: (message: string) => void;
  /** Ask for confirmation (the CLI's `--yes` / TTY prompt); absent = refuse when needed. */
  confirm?: (question: string) => Promise<boolean>;
  /** The clock, injectable for tests of age limits. */
  now?: () => Date;
}

/** The current time of a context. */
export function nowOf(ctx: WorkflowContext): Date {
  return ctx.now ? ctx.now() : new Date();
}

const UNIT_MS = { ms: 1, s: 1000, min: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** A config duration (`5s`, `15min`, `2h`, `7d`) in milliseconds. */
export function durationMs(text: string): number {
  const m = /^(\d+)\s*(ms|s|min|h|d)$/.exec(text.trim());
  if (!m) throw new UsageError(`"${text}" is not a duration`, 'use e.g. "5s", "15min", "2h" or "7d"', 'BAD_DURATION');
  return Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS];
}

/** `YYYYMMDDTHHMMSSZ` in UTC, for generated branch names. */
export function stamp(now: Date): string {
  return now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
}
