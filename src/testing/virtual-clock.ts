/** A virtual clock for the Neon client's retry and deadline tests. */
import type { Clock } from '../platform/neon/clock.js';

/**
 * A clock whose sleeps advance virtual time instantly (after yielding briefly to the event loop),
 * so a test can exercise a 10-minute deadline or a 30 s Retry-After without waiting for it.
 * `slept` records every requested sleep, for assertions on backoff behaviour.
 */
export function virtualClock(yieldMs = 2): Clock & { slept: number[] } {
  let offset = 0;
  const slept: number[] = [];
  return {
    slept,
    now: () => Date.now() + offset,
    sleep: async (ms) => {
      slept.push(ms);
      offset += ms;
      await new Promise((resolve) => setTimeout(resolve, Math.min(ms, yieldMs)));
    },
    random: () => 0.5,
  };
}
