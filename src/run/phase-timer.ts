/** Named, timed phases of a run (shown in reports as `timings`). */

/** A phase of the run pipeline. */
export type PhaseName =
  | 'history'
  | 'checkpoint'
  | 'snapshot'
  | 'latency'
  | 'apply'
  | 'verify'
  | 'reversibility'
  | 'record'
  | 'restore';

/** Collects how long each phase took, in the order they first ran (a phase run twice adds up). */
export class PhaseTimer {
  readonly timings: { phase: string; ms: number }[] = [];
  /** Run `fn`, recording how long it took under `phase`. */
  async time<T>(phase: PhaseName, fn: () => Promise<T>): Promise<T> {
    const start = performance.now();
    try {
      return await fn();
    } finally {
      const ms = Math.round(performance.now() - start);
      const seen = this.timings.find((t) => t.phase === phase);
      if (seen) seen.ms += ms;
      else this.timings.push({ phase, ms });
    }
  }
}
