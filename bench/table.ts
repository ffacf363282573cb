/** The one table `npm run bench` prints: every figure as a ratio against its reference, side by side. */

/** One row: a measured figure against its reference. */
export interface BenchRow {
  /** Which area (engine, startup, runner, workflow). */
  group: string;
  what: string;
  /** Seconds measured; undefined when skipped. */
  seconds?: number;
  reference: string;
  referenceSeconds?: number;
  /** A ratio target (figure / reference), e.g. 1.5. */
  maxRatio?: number;
  /** The ratio must be at least this (e.g. Alembic / neon-migrate >= 2). */
  minInverseRatio?: number;
  /** An absolute target in seconds. */
  maxSeconds?: number;
  note?: string;
}

const s = (x: number | undefined) => (x === undefined ? '-' : `${x.toFixed(2)} s`);

function verdict(r: BenchRow): string {
  if (r.seconds === undefined) return 'skipped';
  const ratio = r.referenceSeconds ? r.seconds / r.referenceSeconds : undefined;
  if (ratio === undefined && (r.maxRatio !== undefined || r.minInverseRatio !== undefined)) return 'skipped';
  const checks: boolean[] = [];
  if (r.maxRatio !== undefined && ratio !== undefined) checks.push(ratio <= r.maxRatio);
  if (r.minInverseRatio !== undefined && ratio !== undefined) checks.push(1 / ratio >= r.minInverseRatio);
  if (r.maxSeconds !== undefined) checks.push(r.seconds <= r.maxSeconds);
  if (!checks.length) return '';
  return checks.every(Boolean) ? 'met' : 'NOT met';
}

function target(r: BenchRow): string {
  const t: string[] = [];
  if (r.maxRatio !== undefined) t.push(`<= ${r.maxRatio}x`);
  if (r.minInverseRatio !== undefined) t.push(`ref >= ${r.minInverseRatio}x this`);
  if (r.maxSeconds !== undefined) t.push(`<= ${r.maxSeconds} s`);
  return t.join(', ');
}

/** Render the rows as one aligned text table (plus notes under it). */
export function renderTable(rows: BenchRow[]): string {
  const header = ['area', 'measure', 'time', 'reference', 'ref time', 'ratio', 'target', 'verdict'];
  const cells = rows.map((r) => {
    const ratio =
      r.seconds !== undefined && r.referenceSeconds ? `${(r.seconds / r.referenceSeconds).toFixed(2)}x` : '-';
    return [r.group, r.what, s(r.seconds), r.reference, s(r.referenceSeconds), ratio, target(r), verdict(r)];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]) =>
    c
      .map((x, i) => x.padEnd(widths[i]!))
      .join(' | ')
      .trimEnd();
  const out = [line(header), widths.map((w) => '-'.repeat(w)).join('-|-'), ...cells.map(line)];
  const notes = rows.filter((r) => r.note).map((r) => `- ${r.group} / ${r.what}: ${r.note}`);
  return [...out, ...(notes.length ? ['', 'notes:', ...notes] : [])].join('\n');
}

/** Median of a non-empty list. */
export function median(xs: number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** Seconds a function takes. */
export async function timed<T>(fn: () => Promise<T> | T): Promise<[number, T]> {
  const t0 = performance.now();
  const value = await fn();
  return [(performance.now() - t0) / 1000, value];
}

/** Progress lines go to stderr, so stdout holds the table alone. */
export function progress(message: string): void {
  process.stderr.write(`${message}\n`);
}
