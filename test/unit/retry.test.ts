import { describe, expect, it } from 'vitest';
import type { Clock } from '../../src/platform/neon/clock.js';
import { backoffMs, DEFAULT_RETRY, type RetryPolicy, withRetry } from '../../src/platform/neon/retry.js';

const policy: RetryPolicy = { maxAttempts: 5, baseDelayMs: 100, maxDelayMs: 1000 };

/** A clock that records sleeps and never waits. */
function fakeClock(random = 0.5): Clock & { slept: number[] } {
  const slept: number[] = [];
  let t = 1_000_000;
  return {
    slept,
    now: () => t,
    sleep: async (ms) => {
      slept.push(ms);
      t += ms;
    },
    random: () => random,
  };
}

const answered = (status: number, headers: Record<string, unknown> = {}) => ({
  isAxiosError: true,
  response: { status, headers },
});
const noAnswer = (code: string) => ({ isAxiosError: true, code });

describe('backoff', () => {
  it('doubles per retry with equal jitter, capped at maxDelayMs', () => {
    expect(backoffMs(0, policy, 0)).toBe(50);
    expect(backoffMs(0, policy, 0.999999)).toBe(100);
    expect(backoffMs(1, policy, 0)).toBe(100);
    expect(backoffMs(2, policy, 0.5)).toBe(300);
    expect(backoffMs(10, policy, 0)).toBe(500);
    expect(backoffMs(10, policy, 1)).toBe(1000);
  });

  it('never exceeds the cap or drops below half of it, whatever the jitter', () => {
    for (let retry = 0; retry < 20; retry++) {
      for (const r of [0, 0.25, 0.5, 0.75, 0.999]) {
        const ceiling = Math.min(DEFAULT_RETRY.maxDelayMs, DEFAULT_RETRY.baseDelayMs * 2 ** retry);
        const d = backoffMs(retry, DEFAULT_RETRY, r);
        expect(d).toBeGreaterThanOrEqual(ceiling / 2);
        expect(d).toBeLessThanOrEqual(ceiling);
      }
    }
  });
});

describe('withRetry', () => {
  it('retries 423/429/503 with backoff and returns the eventual answer', async () => {
    const clock = fakeClock(0);
    const errors = [answered(423), answered(429), answered(503)];
    let calls = 0;
    const result = await withRetry(
      async () => {
        calls++;
        const e = errors.shift();
        if (e) throw e;
        return 'ok';
      },
      { clock, policy, doing: 'creating branch x' },
    );
    expect(result).toBe('ok');
    expect(calls).toBe(4);
    expect(clock.slept).toEqual([50, 100, 200]);
  });

  it('honours Retry-After (seconds) instead of its own backoff', async () => {
    const clock = fakeClock();
    let first = true;
    const logs: string[] = [];
    await withRetry(
      async () => {
        if (first) {
          first = false;
          throw answered(429, { 'retry-after': '7' });
        }
        return 1;
      },
      { clock, policy, doing: 'listing branches', log: (l) => logs.push(l) },
    );
    expect(clock.slept).toEqual([7000]);
    expect(logs[0]).toMatch(/429 while listing branches; retrying in 7s/);
  });

  it('does not retry other statuses', async () => {
    const clock = fakeClock();
    let calls = 0;
    const failing = withRetry(
      async () => {
        calls++;
        throw answered(404);
      },
      { clock, policy, doing: 'x' },
    );
    await expect(failing).rejects.toMatchObject({ response: { status: 404 } });
    expect(calls).toBe(1);
    expect(clock.slept).toEqual([]);
  });

  it('gives up after maxAttempts and rethrows the last error', async () => {
    const clock = fakeClock();
    let calls = 0;
    const failing = withRetry(
      async () => {
        calls++;
        throw answered(503);
      },
      { clock, policy, doing: 'x' },
    );
    await expect(failing).rejects.toMatchObject({ response: { status: 503 } });
    expect(calls).toBe(policy.maxAttempts);
  });

  it('reconciles after a lost answer instead of sending the mutation again', async () => {
    const clock = fakeClock();
    let sent = 0;
    const result = await withRetry(
      async () => {
        sent++;
        throw noAnswer('ECONNRESET');
      },
      { clock, policy, doing: 'creating branch x', reconcile: async () => 'found-by-name' },
    );
    expect(result).toBe('found-by-name');
    expect(sent).toBe(1);
  });

  it('resends without reconciling when the connection was refused (nothing reached the server)', async () => {
    const clock = fakeClock();
    let reconciled = 0;
    let sent = 0;
    const result = await withRetry(
      async () => {
        if (sent++ === 0) throw noAnswer('ECONNREFUSED');
        return 'sent-again';
      },
      {
        clock,
        policy,
        doing: 'x',
        reconcile: async () => {
          reconciled++;
          return 'should-not-be-used';
        },
      },
    );
    expect(result).toBe('sent-again');
    expect(reconciled).toBe(0);
  });
});
