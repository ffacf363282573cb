/**
 * Finding and loading migrations (README, "The migrations"): `V_name.up.sql` + `.down.sql`, `V_name/up.sql` +
 * `down.sql` (+ diesel's `metadata.toml`), a single `V_name.sql` (sqlx's up-only form, or dbmate /
 * goose up and down sections), and `V_name.ts` exporting `up(ctx)`/`down(ctx)`. Every problem of
 * the directory is collected and reported at once, before anything runs.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { MigrationFileError } from '../errors.js';
import { dieselRunsOutsideTransaction, splitSections } from './markers.js';
import {
  compareVersions,
  numericDateConflict,
  type OrderingSetting,
  parseMigrationName,
  resolveOrdering,
  type VersionOrdering,
} from './naming.js';
import { DEFAULT_PG_MAJOR, type PgMajor, type ParseOptions, type SqlScript } from './sql.js';
import { decodeMigrationText, describeTsLoadError, migrationsDirExists } from './file-text.js';
import { LoadCache } from './load-cache.js';
import type { Migration, MigrationFn, TsModule } from './types.js';

export interface LoadOptions {
  /**
   * False for read-only views (`status`, `plan`): a TypeScript migration whose shape is cached (see
   * load-cache.ts) is not imported; its up/down import it when called. Default true: a run imports
   * every TS migration before anything runs, so a broken one is reported up front.
   */
  importTs?: boolean;
  /** The `ordering` setting (default `auto`). */
  ordering?: OrderingSetting;
  /** The PostgreSQL major whose grammar the files are parsed with (default 17). */
  postgresVersion?: PgMajor;
}

/** Parse an SQL file, from the cache when this exact text was parsed before (the parser loads only on a miss). */
async function parseCached(cache: LoadCache, file: string, text: string, options: ParseOptions): Promise<SqlScript> {
  const variant = `${options.major ?? DEFAULT_PG_MAJOR}:${options.noTransaction === true}`;
  const hit = cache.sql(file, text, variant);
  if (hit) return hit;
  const { parseSqlFile } = await import('./sql.js');
  const script = await parseSqlFile(file, text, options);
  cache.rememberSql(script, variant);
  return script;
}

/** A TS module imported on first call of up/down (its shape known from the cache). */
function lazyTsModule(projectDir: string, rel: string, shape: { hasDown: boolean; noTransaction: boolean }): TsModule {
  let loaded: Promise<TsModule> | undefined;
  const load = () => (loaded ??= loadTsModule(projectDir, rel));
  return {
    file: rel,
    up: async (ctx) => (await load()).up(ctx),
    down: shape.hasDown ? async (ctx) => (await load()).down!(ctx) : undefined,
    noTransaction: shape.noTransaction,
  };
}

/** SHA-256 (hex) of a file's bytes. */
export function sha256(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

interface Found {
  base: string;
  version: string;
  up?: string;
  down?: string;
  kind: 'sql' | 'ts';
  forms: Set<string>;
  /** A single `V_name.sql` holding both directions (sections) or only the up. */
  single?: boolean;
  /** diesel's `metadata.toml` of a folder migration. */
  metadata?: string;
}

const FORMS = 'V_name.up.sql + V_name.down.sql, V_name/up.sql + V_name/down.sql, V_name.sql, or V_name.ts';

/** List the migration files of a directory (relative paths), grouped by base name. */
function discover(projectDir: string, dirRel: string, problems: string[]): Found[] {
  const dir = path.join(projectDir, dirRel);
  const byBase = new Map<string, Found>();
  const entry = (base: string, kind: 'sql' | 'ts', form: string): Found | undefined => {
    const parsed = parseMigrationName(base);
    if (!parsed) {
      problems.push(
        `${path.join(dirRel, form === 'folder' ? base : `${base}${form}`)}: not a migration name (expected ${FORMS}, V = digits)`,
      );
      return undefined;
    }
    const found = byBase.get(base) ?? { base, version: parsed.version, kind, forms: new Set<string>() };
    byBase.set(base, found);
    found.forms.add(form === '.down.sql' ? '.up.sql' : form);
    if (kind === 'ts') found.kind = 'ts';
    return found;
  };
  for (const d of readdirSync(dir, { withFileTypes: true })) {
    const name = d.name;
    if (name.startsWith('.') || name.toLowerCase().endsWith('.md')) continue;
    const rel = path.join(dirRel, name);
    if (d.isDirectory()) {
      const f = entry(name, 'sql', 'folder');
      if (!f) continue;
      const up = path.join(rel, 'up.sql');
      const down = path.join(rel, 'down.sql');
      if (existsSync(path.join(projectDir, up))) f.up = up;
      else problems.push(`${rel}/: no up.sql in the migration folder`);
      if (existsSync(path.join(projectDir, down))) f.down = down;
      const metadata = path.join(rel, 'metadata.toml');
      if (existsSync(path.join(projectDir, metadata))) f.metadata = metadata;
    } else if (name.endsWith('.up.sql')) {
      const f = entry(name.slice(0, -'.up.sql'.length), 'sql', '.up.sql');
      if (f) f.up = rel;
    } else if (name.endsWith('.down.sql')) {
      const f = entry(name.slice(0, -'.down.sql'.length), 'sql', '.down.sql');
      if (f) f.down = rel;
    } else if (name.endsWith('.sql')) {
      const f = entry(name.slice(0, -'.sql'.length), 'sql', '.sql');
      if (f) (f.up = rel), (f.single = true);
    } else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) {
      const f = entry(name.slice(0, -'.ts'.length), 'ts', '.ts');
      if (f) f.up = rel;
    } else {
      problems.push(`${rel}: not a migration file (expected ${FORMS})`);
    }
  }
  const found = [...byBase.values()];
  for (const f of found) {
    if (f.forms.size > 1)
      problems.push(
        `${path.join(dirRel, f.base)}: defined in more than one form (${[...f.forms].join(', ')}); keep one`,
      );
    else if (!f.up && f.down)
      problems.push(`${f.down}: a down without an up; add ${path.join(dirRel, `${f.base}.up.sql`)}`);
  }
  const byVersion = new Map<string, string[]>();
  for (const f of found) byVersion.set(f.version, [...(byVersion.get(f.version) ?? []), f.base]);
  for (const [version, bases] of byVersion) {
    if (bases.length > 1)
      problems.push(`duplicate version ${version}: ${bases.sort().join(', ')}; give each migration its own version`);
  }
  return found;
}

/** Sort by the resolved ordering; refuse a numeric order that would run dates out of date order. */
function orderFound(found: Found[], setting: OrderingSetting, problems: string[]): VersionOrdering {
  const versions = found.map((f) => f.version);
  const ordering = resolveOrdering(setting, versions);
  const conflict = ordering === 'numeric' ? numericDateConflict(versions) : undefined;
  if (conflict) {
    const name = (v: string) => found.find((f) => f.version === v)?.base ?? v;
    problems.push(
      `ordering: numeric order would run ${name(conflict[1])} before ${name(conflict[0])}, against their dates` +
        ` (versions of ${conflict[1].length} and ${conflict[0].length} digits)`,
    );
  }
  found.sort((a, b) => compareVersions(a.version, b.version, ordering));
  return ordering;
}

/** A single `V_name.sql`: its up and optional down section, parsed with file positions. */
async function loadSingleFile(
  f: Found,
  bytes: Buffer,
  major: PgMajor,
): Promise<Pick<Migration, 'checksum' | 'downChecksum' | 'upFile' | 'downFile' | 'up' | 'down' | 'reversible'>> {
  const sections = splitSections(bytes.toString('utf8'));
  const { parseSqlFile } = await import('./sql.js');
  const up = await parseSqlFile(f.up!, sections.up.text, { major, noTransaction: sections.up.noTransaction });
  const down = sections.down
    ? await parseSqlFile(f.up!, sections.down.text, { major, noTransaction: sections.down.noTransaction })
    : undefined;
  const checksum = sections.down ? sha256(sections.up.own) : sha256(bytes);
  return {
    checksum,
    downChecksum: sections.down ? sha256(sections.down.own) : undefined,
    upFile: f.up!,
    downFile: sections.down ? f.up : undefined,
    up,
    down,
    reversible: Boolean(down),
  };
}

/** Import a TypeScript migration without a build step and check its exports. */
async function loadTsModule(projectDir: string, rel: string): Promise<TsModule> {
  const { tsImport } = await import('tsx/esm/api');
  let mod: Record<string, unknown>;
  try {
    mod = (await tsImport(pathToFileURL(path.join(projectDir, rel)).href, import.meta.url)) as Record<string, unknown>;
  } catch (err) {
    throw new MigrationFileError(describeTsLoadError(rel, err), {
      hint: 'fix the TypeScript; nothing was applied',
      code: 'MIGRATION_TS_LOAD',
    });
  }
  if (typeof mod.up !== 'function') throw new Error('does not export an up(ctx) function');
  if (mod.down !== undefined && typeof mod.down !== 'function')
    throw new Error('exports a down that is not a function');
  return {
    file: rel,
    up: mod.up as MigrationFn,
    down: mod.down as MigrationFn | undefined,
    noTransaction: mod.transaction === false,
  };
}

function read(projectDir: string, rel: string): Buffer {
  try {
    return readFileSync(path.join(projectDir, rel));
  } catch (err) {
    throw new Error(`unreadable (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
}

/** Load, parse and validate every migration of `migrationsDir` (relative to the project), in version order. */
export async function loadMigrations(
  projectDir: string,
  migrationsDir: string,
  options: LoadOptions = {},
): Promise<Migration[]> {
  if (!migrationsDirExists(projectDir, migrationsDir)) return [];
  const cache = LoadCache.open(projectDir);
  try {
    return await loadAll(projectDir, migrationsDir, cache, options);
  } finally {
    cache.save();
  }
}

async function loadAll(
  projectDir: string,
  migrationsDir: string,
  cache: LoadCache,
  options: LoadOptions,
): Promise<Migration[]> {
  const importTs = options.importTs ?? true;
  const major = options.postgresVersion ?? DEFAULT_PG_MAJOR;
  const problems: string[] = [];
  const fileErrors: MigrationFileError[] = [];
  const found = discover(projectDir, migrationsDir, problems);
  orderFound(found, options.ordering ?? 'auto', problems);
  const migrations: Migration[] = [];
  for (const f of found) {
    if (!f.up) continue;
    let current = f.up;
    try {
      const upBytes = read(projectDir, f.up);
      const upText = decodeMigrationText(f.up, upBytes);
      if (f.kind === 'ts') {
        const checksum = sha256(upBytes);
        const shape = importTs ? undefined : cache.tsShape(checksum);
        const mod = shape ? lazyTsModule(projectDir, f.up, shape) : await loadTsModule(projectDir, f.up);
        if (!shape) cache.rememberTs(checksum, { hasDown: Boolean(mod.down), noTransaction: mod.noTransaction });
        migrations.push({
          version: f.version,
          name: f.base,
          kind: 'ts',
          checksum,
          upFile: f.up,
          up: mod,
          down: mod.down ? mod : undefined,
          reversible: Boolean(mod.down),
        });
        continue;
      }
      if (f.single) {
        migrations.push({
          version: f.version,
          name: f.base,
          kind: 'sql',
          ...(await loadSingleFile(f, upBytes, major)),
        });
        continue;
      }
      // diesel: `run_in_transaction = false` in the folder's metadata.toml covers both directions.
      const outside = f.metadata ? dieselRunsOutsideTransaction(read(projectDir, f.metadata).toString('utf8')) : false;
      const up: SqlScript = await parseCached(cache, f.up, upText, { major, noTransaction: outside });
      let down: SqlScript | undefined;
      let downChecksum: string | undefined;
      if (f.down) {
        current = f.down;
        const downBytes = read(projectDir, f.down);
        downChecksum = sha256(downBytes);
        down = await parseCached(cache, f.down, decodeMigrationText(f.down, downBytes), {
          major,
          noTransaction: outside,
        });
      }
      migrations.push({
        version: f.version,
        name: f.base,
        kind: 'sql',
        checksum: sha256(upBytes),
        downChecksum,
        upFile: f.up,
        downFile: f.down,
        up,
        down,
        reversible: Boolean(down),
      });
    } catch (err) {
      const message = (err as Error).message;
      if (err instanceof MigrationFileError) fileErrors.push(err);
      problems.push(err instanceof MigrationFileError ? message : `${current}: ${message}`);
    }
  }
  // A single parser error keeps its own code and hint (e.g. SQL_SYNTAX, NEEDS_NO_TRANSACTION).
  if (problems.length === 1 && fileErrors.length === 1) throw fileErrors[0];
  if (problems.length) {
    const only = problems.length === 1 ? problems[0]! : '';
    if (only.startsWith('ordering:'))
      throw new MigrationFileError(only, {
        hint: 'set "ordering": "timestamp" in neon-migrate.json (diesel and dbmate order by the digit string); nothing was applied',
        code: 'ORDERING_CONFLICT',
      });
    throw new MigrationFileError(problems.join('; '), {
      hint: 'fix the migration files; nothing was applied',
      code: /^duplicate version/.test(only) ? 'DUPLICATE_VERSION' : 'MIGRATION_FILE',
    });
  }
  return migrations;
}
