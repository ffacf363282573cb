/** Time as the Neon client sees it: injectable so retry and deadline tests run in milliseconds. */

export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Wait this many milliseconds. */
  sleep(ms: number): Promise<void>;
  /** A number in [0, 1) for jitter. */
  random(): number;
}

/** The real clock. */
export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  random: () => Math.random(),
};

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
