/**
 * The Alembic executor's overhead: the example's `alembic upgrade head`, bare (the tool run by hand
 * with DATABASE_URL), against the same upgrade through AlembicExecutor.apply (PGOPTIONS, streamed
 * and scrubbed output, the version table read before and after). Rounds alternate on fresh
 * branches of an empty main; medians are reported. Target: ≤ 1.2× the bare run.
 */
import type { BenchRow } from './table.js';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { alembicOptionsSchema } from '../src/config/runner-schema.js';
import { settingsSchema } from '../src/config/schema.js';
import { connect } from '../src/db/connect.js';
import { AlembicExecutor } from '../src/executors/alembic.js';
import { openLocalPlatform } from '../src/platform/local/index.js';

export const name = 'alembic executor overhead (examples/alembic-todo, 9 revisions)';
const ROUNDS = 3;
const EXAMPLE = path.resolve(import.meta.dirname, '../examples/alembic-todo');

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Run the comparison and print the medians and their ratio. */
export async function bench(): Promise<BenchRow[]> {
  const dir = mkdtempSync(path.join(tmpdir(), 'nm-bench-alembic-'));
  chmodSync(dir, 0o755);
  const platform = await openLocalPlatform({ projectDir: dir, env: process.env, settings: settingsSchema.parse({}) });
  const executor = new AlembicExecutor(EXAMPLE, alembicOptionsSchema.parse({}), process.env);
  await executor.prepare();
  const bare: number[] = [];
  const wrapped: number[] = [];
  try {
    for (let round = 0; round < ROUNDS; round++) {
      await platform.createBranch({ name: `bare-${round}`, parent: 'main' });
      const bareUri = await platform.connectionUri(`bare-${round}`);
      let t = performance.now();
      await execa(path.join(EXAMPLE, '.venv/bin/alembic'), ['upgrade', 'head'], {
        cwd: EXAMPLE,
        env: { ...process.env, DATABASE_URL: bareUri },
      });
      bare.push(performance.now() - t);

      await platform.createBranch({ name: `wrapped-${round}`, parent: 'main' });
      const uri = await platform.connectionUri(`wrapped-${round}`);
      const db = await connect(uri);
      const target = {
        branch: `wrapped-${round}`,
        uri,
        db,
        runId: `bench-${round}`,
        timeouts: { lockTimeout: '5s', statementTimeout: '15min' },
        env: process.env,
      };
      const { pending } = await executor.state(target);
      t = performance.now();
      const result = await executor.apply(target, pending);
      wrapped.push(performance.now() - t);
      await db.close();
      if (result.outcome !== 'succeeded')
        throw new Error(`wrapped run failed: ${JSON.stringify(result.results.at(-1))}`);
    }
  } finally {
    await platform.stopComputes();
    await platform.close();
    rmSync(dir, { recursive: true, force: true });
  }
  const b = median(bare);
  const w = median(wrapped);
  return [
    {
      group: 'runners',
      what: 'alembic upgrade head of the example, wrapped (AlembicExecutor.apply)',
      seconds: w / 1000,
      reference: 'the same, bare',
      referenceSeconds: b / 1000,
      maxRatio: 1.2,
      note: `rounds: wrapped ${wrapped.map((x) => x.toFixed(0)).join(', ')} ms, bare ${bare.map((x) => x.toFixed(0)).join(', ')} ms; the checkpoint is extra (engine rows)`,
    },
  ];
}
