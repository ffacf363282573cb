/**
 * Retries for Neon API calls: 423 (a conflicting operation runs), 429 (rate limited) and 503
 * (unavailable) are retried with exponential backoff and jitter, honouring Retry-After.
 * A request that got no answer may have been applied: mutations pass a `reconcile` that re-reads
 * the state (e.g. the branch by name) before anything is sent again, so nothing is done twice.
 */
import type { Clock } from './clock.js';
import { httpStatus, isConnectionRefused, isNetworkError, retryAfterMs } from './http-error.js';

export interface RetryPolicy {
  /** Total attempts, the first included. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 8, baseDelayMs: 500, maxDelayMs: 30_000 };

export interface RetryOptions<T> {
  clock: Clock;
  policy: RetryPolicy;
  /** Called before re-sending after a lost response; a value means "already done, use this". */
  reconcile?: () => Promise<T | undefined>;
  /** Progress lines ("retrying after 423...") for the injected logger. */
  log?: (line: string) => void;
  /** What the call does, for log lines. */
  doing: string;
}

const RETRYABLE_STATUS = new Set([423, 429, 503]);

/** Backoff for the given retry number (0-based): exponential, capped, with "equal jitter". */
export function backoffMs(retry: number, policy: RetryPolicy, random: number): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** retry);
  return Math.round(ceiling / 2 + (ceiling / 2) * random);
}

/** Run `call`, retrying transient failures; rethrows the last error when retries run out. */
export async function withRetry<T>(call: () => Promise<T>, options: RetryOptions<T>): Promise<T> {
  const { clock, policy } = options;
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (err) {
      if (attempt >= policy.maxAttempts) throw err;
      const status = httpStatus(err);
      let delay: number;
      if (status !== undefined && RETRYABLE_STATUS.has(status)) {
        const asked = retryAfterMs(err, clock.now());
        // Retry-After is honoured as given (bounded at 5 minutes against a broken header).
        delay = asked !== undefined ? Math.min(asked, 300_000) : backoffMs(attempt - 1, policy, clock.random());
        options.log?.(
          `Neon API answered ${status} while ${options.doing}; retrying in ${Math.round(delay / 100) / 10}s`,
        );
      } else if (isNetworkError(err)) {
        delay = backoffMs(attempt - 1, policy, clock.random());
        options.log?.(
          `no answer from the Neon API while ${options.doing}; retrying in ${Math.round(delay / 100) / 10}s`,
        );
        await clock.sleep(delay);
        // The request may have been applied even though the answer was lost: look before resending.
        if (options.reconcile && !isConnectionRefused(err)) {
          const done = await options.reconcile();
          if (done !== undefined) return done;
        }
        continue;
      } else {
        throw err;
      }
      await clock.sleep(delay);
    }
  }
}
