/**
 * The promote gate reads what the required environment measured (docs/architecture.md §2): the
 * locks, blocked times and rewrites `test` recorded there for the migrations about to run are
 * checked against the target's budgets (main is never the first place a long lock is seen), and
 * scaled by the ratio of the target's size to the measured branch's into an estimate of the run.
 */
import { type Budgets, checkBudgets } from '../analysis/budgets.js';
import { estimateOnTarget, type TargetEstimate } from '../analysis/estimate.js';
import type { RunMeasurement } from '../analysis/measure.js';
import type { RunRecord } from '../history/store.js';
import type { RunReport } from './report.js';

/** A pending migration's figures, as the newest passing run measured them. */
export interface MeasuredPending {
  version: string;
  file?: string;
  measurement: RunMeasurement;
}

/** The measurements of `versions` in the passing runs (newest run first wins); versions never measured are left out. */
export function measuredPending(passing: RunRecord[], versions: string[]): MeasuredPending[] {
  const newestFirst = [...passing].sort((a, b) => (a.startedAt < b.startedAt ? 1 : -1));
  return versions.flatMap((version) => {
    for (const run of newestFirst) {
      const m = (run.report as RunReport | null)?.analysis?.migrations.find((x) => x.version === version);
      if (m?.measurement) return [{ version, ...(m.file ? { file: m.file } : {}), measurement: m.measurement }];
    }
    return [];
  });
}

/** Budget problems of the measured figures against the target's budgets, one line each. */
export function measuredOverBudget(
  measured: MeasuredPending[],
  budgets: Budgets,
  where: string,
  envName: string,
): string[] {
  return checkBudgets(measured, budgets).map(
    (v) => `${envName} measured ${v.message} (${where} budgets); ${v.safer ?? 'use a safer form'}`,
  );
}

/** The estimate for the target, from the measured figures and both databases' sizes. */
export function estimateFor(measured: MeasuredPending[], measuredBytes: number, targetBytes: number): TargetEstimate {
  return estimateOnTarget(
    measured.map((m) => m.measurement),
    measuredBytes,
    targetBytes,
  );
}

/** One line for the promote prompt and the report: how long the run and its locks should take. */
export function describeEstimate(e: TargetEstimate, target: string, from: string): string {
  const secs = (ms: number) => (ms >= 1000 ? `${(ms / 1000).toFixed(1)} s` : `${ms} ms`);
  const locks = e.blockedMs.length
    ? e.blockedMs.map((b) => `${b.table} ~${secs(b.ms)}${b.mode ? ` (${b.mode})` : ''}`).join(', ')
    : 'no table blocked';
  return `estimate on ${target} from ${from}'s measurements (size ×${e.sizeRatio}): ~${secs(e.durationMs)}; blocked: ${locks}`;
}
