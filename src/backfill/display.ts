/**
 * Showing a backfill's progress: on a terminal, a cli-progress bar (rows done / total, rows/s,
 * ETA) drawn on the stream the CLI hands in; off a terminal, one line every few seconds through a
 * log callback, and the final figures. The library itself never picks process.stdout: the caller does.
 */
import cliProgress from 'cli-progress';
import type { BackfillProgress, BackfillResult } from './run.js';

/** Where and how progress is shown. */
export interface DisplayOptions {
  /** Draw a bar on `stream` (a TTY); otherwise log lines. */
  tty: boolean;
  /** The terminal stream for the bar (e.g. process.stderr). */
  stream?: NodeJS.WritableStream;
  /** Line output off a terminal. */
  log?: (line: string) => void;
  /** Minimum time between two lines off a terminal (default 5 s). */
  intervalMs?: number;
}

/** What runBackfill calls, and `stop` to clear the bar. */
export interface BackfillDisplay {
  onProgress(p: BackfillProgress): void;
  stop(): void;
}

/** `1h02m`, `3m05s`, `12s`, `850ms`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** One progress line: `backfill tasks: 120000/1000000 rows (12%), 85000 rows/s, ETA 10s, batch 5000`. */
export function formatProgressLine(p: BackfillProgress): string {
  const pct = p.total > 0 ? Math.floor((p.rowsDone / p.total) * 100) : 100;
  const eta = p.etaMs === null ? '?' : formatDuration(p.etaMs);
  const phase = p.phase === 'sweep' ? ' (sweeping rows added meanwhile)' : '';
  const rate = Math.round(p.rowsPerSecond);
  const done = `${p.rowsDone}/${p.total} rows (${pct}%)`;
  return `backfill ${p.table}: ${done}, ${rate} rows/s, ETA ${eta}, batch ${p.batchSize}${phase}`;
}

/** The final figures in one line (also what `--json` carries as the result object). */
export function formatBackfillResult(r: BackfillResult): string {
  const resumed = r.resumed ? `, resumed after key ${r.resumedAfterKey ?? '(start)'}` : '';
  const left = r.remaining > 0 ? `, ${r.remaining} row(s) still not done` : '';
  const took = `${r.rows} rows in ${r.batches} batches (${r.sweepBatches} sweep) in ${formatDuration(r.durationMs)}`;
  const waits = `slowest batch ${r.slowestBatchMs}ms, longest lock wait ${r.longestLockWaitMs}ms, ${r.retries} retries`;
  return `backfill ${r.table}: ${took}, ${r.rowsPerSecond} rows/s, ${waits}${resumed}${left}`;
}

/** A display for one backfill. */
export function backfillDisplay(options: DisplayOptions): BackfillDisplay {
  if (options.tty && options.stream) {
    const bar = new cliProgress.SingleBar(
      {
        stream: options.stream,
        format: 'backfill {table} [{bar}] {percentage}% | {value}/{total} rows | {rate} rows/s | ETA {eta_formatted}',
        hideCursor: true,
        clearOnComplete: false,
        etaBuffer: 20,
      },
      cliProgress.Presets.shades_classic,
    );
    let started = false;
    return {
      onProgress: (p) => {
        const payload = { table: p.table, rate: Math.round(p.rowsPerSecond) };
        if (!started) {
          bar.start(p.total, p.rowsDone, payload);
          started = true;
          return;
        }
        if (p.total !== bar.getTotal()) bar.setTotal(p.total);
        bar.update(p.rowsDone, payload);
      },
      stop: () => {
        if (started) bar.stop();
      },
    };
  }
  const interval = options.intervalMs ?? 5000;
  let lastLine = -Infinity;
  return {
    onProgress: (p) => {
      const now = performance.now();
      // The first and the last report always print; in between, at most one line per interval.
      if (p.phase !== 'done' && p.batches > 0 && now - lastLine < interval) return;
      lastLine = now;
      options.log?.(formatProgressLine(p));
    },
    stop: () => undefined,
  };
}
