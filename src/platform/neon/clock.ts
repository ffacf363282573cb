/** Time as the Neon client sees it: injectable so retry and deadline tests run in milliseconds (`neon-migrate/testing`). */

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
