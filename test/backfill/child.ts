/**
 * A backfill in a process of its own, for the kill -9 and off-terminal tests:
 * `node --import tsx test/backfill/child.ts <uri> <batch> <pauseMs>`. Progress goes to stdout
 * (not a terminal here) through the line display; the final figures are the last line, as JSON.
 */
import { connect } from '../../src/db/connect.js';
import { backfillDisplay, formatBackfillResult } from '../../src/backfill/display.js';
import { runBackfill } from '../../src/backfill/run.js';
import { backfillSpecFromSql } from '../../src/backfill/spec.js';
import { ITEMS_BACKFILL } from './fixtures.js';

const [uri, batch, pause] = process.argv.slice(2);
const db = await connect(uri!);
const spec = await backfillSpecFromSql('items_backfill.up.sql', '2', ITEMS_BACKFILL(Number(batch), Number(pause)));
const display = backfillDisplay({
  tty: Boolean(process.stdout.isTTY),
  stream: process.stdout,
  log: (l) => console.log(l),
  intervalMs: 200,
});
const result = await runBackfill(
  db,
  { ...spec, targetBatchMs: 1_000_000 },
  { onProgress: display.onProgress, log: (l) => console.log(l), maxBatchSize: Number(batch) },
);
display.stop();
console.log(formatBackfillResult(result));
console.log(JSON.stringify(result));
await db.close();
