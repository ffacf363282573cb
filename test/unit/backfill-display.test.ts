/** A backfill's progress on a terminal: the cli-progress bar with rows done / total and rows/s. */
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { backfillDisplay } from '../../src/backfill/display.js';
import type { BackfillProgress } from '../../src/backfill/run.js';

/** A stream that says it is a terminal, keeping what is drawn on it. */
function fakeTerminal(): Writable & { drawn: string } {
  const stream = new Writable({
    write(chunk, _enc, done) {
      stream.drawn += chunk.toString();
      done();
    },
  }) as Writable & { drawn: string; isTTY: boolean; columns: number };
  stream.drawn = '';
  stream.isTTY = true;
  stream.columns = 120;
  Object.assign(stream, { cursorTo: () => true, clearLine: () => true, moveCursor: () => true });
  return stream;
}

const at = (rowsDone: number, phase: BackfillProgress['phase'] = 'ranges'): BackfillProgress => ({
  id: 'b1',
  table: 'tasks',
  rowsDone,
  total: 1000,
  rowsPerSecond: 5000,
  etaMs: 100,
  batches: rowsDone / 100,
  batchSize: 100,
  phase,
});

describe('backfill progress on a terminal', () => {
  it('draws a bar with rows done / total and rows/s, and no log lines', () => {
    const stream = fakeTerminal();
    const lines: string[] = [];
    const display = backfillDisplay({ tty: true, stream, log: (l) => lines.push(l) });
    display.onProgress(at(0));
    display.onProgress(at(500));
    display.onProgress(at(1000, 'done'));
    display.stop();
    expect(stream.drawn).toMatch(/backfill tasks \[.*\] 100% \| 1000\/1000 rows \| 5000 rows\/s/);
    expect(lines).toEqual([]);
  });
});
