/**
 * The runner at wire speed: 500 one-table migrations applied to a fresh branch of an empty main by
 * `neon-migrate up` (the whole CLI process: startup, load, lock, checkpoint, history), by one psql
 * session running each file in its own transaction, and by `alembic upgrade head` with a
 * transaction per migration (from ALEMBIC_VENV, <repo>/.venv, the Alembic example's venv or /work/venv-bench; skipped with a
 * note when absent). Rounds alternate the contenders; medians are reported.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { benchEnv, cli, REPO, timeCommand } from './cli.js';
import { type BenchRow, median, progress } from './table.js';

const COUNT = Number(process.env.BENCH_MIGRATIONS ?? 500);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

function migrationSql(i: number): string {
  return `CREATE TABLE t_${i} (id int PRIMARY KEY, v text NOT NULL);\nINSERT INTO t_${i} VALUES (1, 'row ${i}');\n`;
}

const base = (i: number) => `${String(i).padStart(4, '0')}_t${i}`;

/** A project with COUNT native migrations, and the psql driver script for the same files. */
function writeProject(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'nm-bench-runner-'));
  chmodSync(dir, 0o755);
  mkdirSync(path.join(dir, 'migrations'));
  writeFileSync(path.join(dir, 'neon-migrate.json'), '{}\n');
  const psql: string[] = [];
  for (let i = 1; i <= COUNT; i++) {
    const up = path.join(dir, 'migrations', `${base(i)}.up.sql`);
    writeFileSync(up, migrationSql(i));
    writeFileSync(path.join(dir, 'migrations', `${base(i)}.down.sql`), `DROP TABLE t_${i};\n`);
    // one transaction per file, as `psql --single-transaction -f FILE` would, in one session
    psql.push('BEGIN;', `\\i ${up}`, 'COMMIT;');
  }
  writeFileSync(path.join(dir, 'psql-run.sql'), `${psql.join('\n')}\n`);
  return dir;
}

/** The alembic executable of a venv, if one is there. */
function alembicBin(): string | undefined {
  // the Alembic example's venv exists on any clone that ran `npm test` (scripts/dev/alembic-venv.sh)
  const example = path.join(REPO, 'examples', 'alembic-todo', '.venv');
  const candidates = [process.env.ALEMBIC_VENV, path.join(REPO, '.venv'), example, '/work/venv-bench'].filter(
    Boolean,
  ) as string[];
  return candidates.map((v) => path.join(v, 'bin', 'alembic')).find((bin) => existsSync(bin));
}

/** An Alembic project with the same migrations, one transaction per migration. */
function writeAlembicProject(dir: string): string {
  const root = path.join(dir, 'alembic');
  mkdirSync(path.join(root, 'versions'), { recursive: true });
  writeFileSync(path.join(root, 'alembic.ini'), '[alembic]\nscript_location = %(here)s\n');
  writeFileSync(
    path.join(root, 'env.py'),
    [
      'import os',
      'from alembic import context',
      'from sqlalchemy import create_engine',
      "engine = create_engine(os.environ['BENCH_ALEMBIC_URL'])",
      'with engine.connect() as connection:',
      '    context.configure(connection=connection, target_metadata=None, transaction_per_migration=True)',
      '    with context.begin_transaction():',
      '        context.run_migrations()',
      '',
    ].join('\n'),
  );
  for (let i = 1; i <= COUNT; i++) {
    const down = i === 1 ? 'None' : `'r${i - 1}'`;
    const sql = migrationSql(i).replace(/\n/g, ' ');
    writeFileSync(
      path.join(root, 'versions', `r${i}.py`),
      `from alembic import op\nrevision = 'r${i}'\ndown_revision = ${down}\nbranch_labels = None\ndepends_on = None\n\n` +
        `def upgrade():\n    op.execute("""${sql}""")\n\n\ndef downgrade():\n    op.execute("DROP TABLE t_${i}")\n`,
    );
  }
  return root;
}

/** A fresh branch of main with its compute running; returns its URI. */
function freshBranch(dir: string, name: string): string {
  const env = benchEnv();
  cli(dir, ['branches', 'create', name], env);
  return cli(dir, ['connection-string', name], env).stdout.trim();
}

function hasPsql(): boolean {
  return spawnSync('psql', ['--version'], { stdio: 'ignore' }).status === 0;
}

/** Measure and return the rows. */
export async function bench(): Promise<BenchRow[]> {
  const dir = writeProject();
  const env = benchEnv();
  const alembic = alembicBin();
  const alembicRoot = alembic ? writeAlembicProject(dir) : undefined;
  const psql = hasPsql();
  const times = { coldLoad: 0, up: [] as number[], psql: [] as number[], alembic: [] as number[] };
  try {
    // the first load after a checkout parses every file (and fills .neon-migrate/cache): timed apart,
    // with `plan --applied ''` (loads, connects to nothing), so every timed `up` has a warm cache
    cli(dir, ['local', 'status'], env);
    times.coldLoad = cli(dir, ['plan', '--applied', ''], env).seconds;
    progress(
      `runner: ${COUNT} migrations x ${ROUNDS} rounds (neon-migrate up${psql ? ', psql' : ''}${alembic ? ', alembic' : ''})...`,
    );
    for (let r = 0; r < ROUNDS; r++) {
      freshBranch(dir, `up-${r}`);
      times.up.push(cli(dir, ['up', '--branch', `up-${r}`, '--yes'], env).seconds);
      if (psql) {
        const uri = freshBranch(dir, `psql-${r}`);
        times.psql.push(
          timeCommand('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-f', path.join(dir, 'psql-run.sql'), uri], {
            env,
          }),
        );
      }
      if (alembic && alembicRoot) {
        const uri = freshBranch(dir, `alembic-${r}`).replace(/^postgres(ql)?:/, 'postgresql+psycopg2:');
        times.alembic.push(
          timeCommand(alembic, ['-c', path.join(alembicRoot, 'alembic.ini'), 'upgrade', 'head'], {
            env: { ...env, BENCH_ALEMBIC_URL: uri },
          }),
        );
      }
      cli(dir, ['local', 'stop'], env);
    }
  } finally {
    try {
      cli(dir, ['local', 'stop'], env);
    } catch {
      // nothing running
    }
    rmSync(dir, { recursive: true, force: true });
  }
  const up = median(times.up);
  const what = `neon-migrate up, ${COUNT} migrations (whole CLI run)`;
  const rounds = (xs: number[]) => xs.map((x) => x.toFixed(2)).join('/');
  return [
    {
      group: 'runner',
      what,
      seconds: up,
      reference: 'psql, one session, a transaction per file',
      referenceSeconds: psql ? median(times.psql) : undefined,
      maxRatio: 1.5,
      note: `${psql ? `psql rounds ${rounds(times.psql)}` : 'psql not installed (apt-get install -y postgresql-client): skipped'}; up rounds ${rounds(times.up)} (warm load cache); the first load after a checkout (cold cache, plan --applied '') takes ${times.coldLoad.toFixed(2)} s`,
    },
    {
      group: 'runner',
      what,
      seconds: up,
      reference: 'alembic upgrade head, a transaction per migration',
      referenceSeconds: alembic ? median(times.alembic) : undefined,
      minInverseRatio: 2,
      note: alembic
        ? `alembic rounds ${rounds(times.alembic)} (${alembic})`
        : 'no alembic venv (ALEMBIC_VENV, <repo>/.venv, examples/alembic-todo/.venv from `npm test`, or /work/venv-bench: python3 -m venv DIR && DIR/bin/pip install alembic psycopg2-binary): skipped',
    },
  ];
}
