/**
 * A 1,000-migration history as real projects have it (diesel folders with spaces in the names,
 * interleaved 14/18-digit versions, metadata.toml markers, dbmate single files): load + parse + plan,
 * no database. Target: under 2 s. The first round includes loading the parser's WASM module.
 */
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { settingsSchema } from '../src/config/schema.js';
import { planMigrations } from '../src/workflow/inspect.js';
import type { BenchRow } from './table.js';

export const name = 'histories (1,000 migrations: load + parse + plan)';
const COUNT = 1000;
const ROUNDS = 5;

/** Version i as a diesel timestamp: every third one with the 4-digit suffix (18 digits), in date order. */
function version(i: number): string {
  const t = new Date(Date.UTC(2020, 0, 1) + i * 3_600_000).toISOString();
  const stamp = `${t.slice(0, 10)}-${t.slice(11, 13)}${t.slice(14, 16)}${t.slice(17, 19)}`;
  return i % 3 === 0 ? `${stamp}-0000` : stamp;
}

function up(i: number): string {
  return [
    `CREATE TABLE t_${i} (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, name text NOT NULL, created_at timestamptz NOT NULL DEFAULT now());`,
    `CREATE INDEX t_${i}_name_idx ON t_${i} (name);`,
    `COMMENT ON TABLE t_${i} IS 'table ${i}; generated';`,
    `CREATE FUNCTION f_${i}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.name := lower(NEW.name); RETURN NEW; END $$;`,
  ].join('\n');
}

function writeHistory(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'nm-bench-hist-'));
  chmodSync(dir, 0o755);
  const root = path.join(dir, 'migrations');
  mkdirSync(root);
  for (let i = 1; i <= COUNT; i++) {
    const base = `${version(i)}_Create table ${i}`;
    if (i % 10 === 0) {
      writeFileSync(
        path.join(root, `${base}.sql`),
        `-- migrate:up\n${up(i)}\n\n-- migrate:down\nDROP TABLE t_${i};\nDROP FUNCTION f_${i}();\n`,
      );
      continue;
    }
    mkdirSync(path.join(root, base));
    writeFileSync(path.join(root, base, 'up.sql'), up(i));
    writeFileSync(path.join(root, base, 'down.sql'), `DROP TABLE t_${i};\nDROP FUNCTION f_${i}();\n`);
    if (i % 7 === 0) writeFileSync(path.join(root, base, 'metadata.toml'), 'run_in_transaction = false\n');
  }
  return dir;
}

/** One `plan` as the CLI runs it offline: load + parse every file, compare with the applied set, select, build the script. */
async function round(dir: string, postgresVersion: 17 | 18): Promise<{ ms: number; planned: number }> {
  const settings = settingsSchema.parse({ postgresVersion });
  // All but the last 50 applied (what `status`/`plan` see on a long-lived database).
  const applied = Array.from({ length: COUNT - 50 }, (_, i) =>
    version(i + 1)
      .replace(/\D/g, '')
      .replace(/^0+/, ''),
  );
  const t0 = performance.now();
  const plan = await planMigrations({ projectDir: dir, settings }, { direction: 'up', applied });
  const ms = performance.now() - t0;
  if (plan.migrations.length !== 50 || plan.migrations[0]!.name !== `${version(COUNT - 49)}_Create table ${COUNT - 49}`)
    throw new Error('bench history misread');
  return { ms, planned: plan.migrations.length };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** The figures as bench rows: cold first round and warm median, per parser, against the 2 s target. */
export async function bench(): Promise<BenchRow[]> {
  const dir = writeHistory();
  const rows: BenchRow[] = [];
  try {
    for (const major of [17, 18] as const) {
      const rounds: number[] = [];
      for (let r = 0; r < ROUNDS; r++) rounds.push((await round(dir, major)).ms);
      const what = `load + parse + plan of ${COUNT} migrations, PG ${major} parser`;
      rows.push({
        group: 'histories',
        what: `${what}, first round (parser load)`,
        seconds: rounds[0]! / 1000,
        reference: 'target',
        maxSeconds: 2,
      });
      rows.push({
        group: 'histories',
        what: `${what}, median of ${ROUNDS}`,
        seconds: median(rounds) / 1000,
        reference: 'target',
        maxSeconds: 2,
      });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}
