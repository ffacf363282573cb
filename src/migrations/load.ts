/**
 * Finding and loading migrations (README, "The migrations"): `V_name.up.sql` + `.down.sql`, `V_name/up.sql` +
 * `down.sql`, and `V_name.ts` exporting `up(ctx)`/`down(ctx)`. Every problem of the directory is
 * collected and reported at once, before anything runs.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { MigrationFileError } from '../errors.js';
import { compareVersions, parseMigrationName } from './naming.js';
import { parseSqlFile, type SqlScript } from './sql.js';
import type { Migration, MigrationFn, TsModule } from './types.js';

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
}

const FORMS = 'V_name.up.sql + V_name.down.sql, V_name/up.sql + V_name/down.sql, or V_name.ts';

/** List the migration files of a directory (relative paths), grouped by base name. */
function discover(projectDir: string, dirRel: string, problems: string[]): Found[] {
  const dir = path.join(projectDir, dirRel);
  const byBase = new Map<string, Found>();
  const entry = (base: string, kind: 'sql' | 'ts', form: string): Found | undefined => {
    const parsed = parseMigrationName(base);
    if (!parsed) {
      problems.push(`${path.join(dirRel, form === 'folder' ? base : `${base}${form}`)}: not a migration name (expected ${FORMS}, V = digits)`);
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
    } else if (name.endsWith('.up.sql')) {
      const f = entry(name.slice(0, -'.up.sql'.length), 'sql', '.up.sql');
      if (f) f.up = rel;
    } else if (name.endsWith('.down.sql')) {
      const f = entry(name.slice(0, -'.down.sql'.length), 'sql', '.down.sql');
      if (f) f.down = rel;
    } else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) {
      const f = entry(name.slice(0, -'.ts'.length), 'ts', '.ts');
      if (f) f.up = rel;
    } else {
      problems.push(`${rel}: not a migration file (expected ${FORMS})`);
    }
  }
  const found = [...byBase.values()];
  for (const f of found) {
    if (f.forms.size > 1) problems.push(`${path.join(dirRel, f.base)}: defined in more than one form (${[...f.forms].join(', ')}); keep one`);
    else if (!f.up && f.down) problems.push(`${f.down}: a down without an up; add ${path.join(dirRel, `${f.base}.up.sql`)}`);
  }
  const byVersion = new Map<string, string[]>();
  for (const f of found) byVersion.set(f.version, [...(byVersion.get(f.version) ?? []), f.base]);
  for (const [version, bases] of byVersion) {
    if (bases.length > 1) problems.push(`duplicate version ${version}: ${bases.sort().join(', ')}; give each migration its own version`);
  }
  return found.sort((a, b) => compareVersions(a.version, b.version));
}

/** Import a TypeScript migration without a build step and check its exports. */
async function loadTsModule(projectDir: string, rel: string): Promise<TsModule> {
  const { tsImport } = await import('tsx/esm/api');
  let mod: Record<string, unknown>;
  try {
    mod = (await tsImport(pathToFileURL(path.join(projectDir, rel)).href, import.meta.url)) as Record<string, unknown>;
  } catch (err) {
    throw new Error(`cannot be loaded: ${(err as Error).message.split('\n')[0]}`);
  }
  if (typeof mod.up !== 'function') throw new Error('does not export an up(ctx) function');
  if (mod.down !== undefined && typeof mod.down !== 'function') throw new Error('exports a down that is not a function');
  return { file: rel, up: mod.up as MigrationFn, down: mod.down as MigrationFn | undefined, noTransaction: mod.transaction === false };
}

function read(projectDir: string, rel: string): Buffer {
  try {
    return readFileSync(path.join(projectDir, rel));
  } catch (err) {
    throw new Error(`unreadable (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
}

/** Load, parse and validate every migration of `migrationsDir` (relative to the project), in version order. */
export async function loadMigrations(projectDir: string, migrationsDir: string): Promise<Migration[]> {
  if (!existsSync(path.join(projectDir, migrationsDir))) return [];
  const problems: string[] = [];
  const fileErrors: MigrationFileError[] = [];
  const found = discover(projectDir, migrationsDir, problems);
  const migrations: Migration[] = [];
  for (const f of found) {
    if (!f.up) continue;
    let current = f.up;
    try {
      const upBytes = read(projectDir, f.up);
      if (f.kind === 'ts') {
        const mod = await loadTsModule(projectDir, f.up);
        migrations.push({ version: f.version, name: f.base, kind: 'ts', checksum: sha256(upBytes), upFile: f.up, up: mod, down: mod.down ? mod : undefined, reversible: Boolean(mod.down) });
        continue;
      }
      const up: SqlScript = await parseSqlFile(f.up, upBytes.toString('utf8'));
      let down: SqlScript | undefined;
      let downChecksum: string | undefined;
      if (f.down) {
        current = f.down;
        const downBytes = read(projectDir, f.down);
        downChecksum = sha256(downBytes);
        down = await parseSqlFile(f.down, downBytes.toString('utf8'));
      }
      migrations.push({ version: f.version, name: f.base, kind: 'sql', checksum: sha256(upBytes), downChecksum, upFile: f.up, downFile: f.down, up, down, reversible: Boolean(down) });
    } catch (err) {
      const message = (err as Error).message;
      if (err instanceof MigrationFileError) fileErrors.push(err);
      problems.push(err instanceof MigrationFileError ? message : `${current}: ${message}`);
    }
  }
  // A single parser error keeps its own code and hint (e.g. SQL_SYNTAX, NEEDS_NO_TRANSACTION).
  if (problems.length === 1 && fileErrors.length === 1) throw fileErrors[0];
  if (problems.length) {
    throw new MigrationFileError(problems.join('; '), 'fix the migration files; nothing was applied', problems.length === 1 && /duplicate version/.test(problems[0]!) ? 'DUPLICATE_VERSION' : 'MIGRATION_FILE');
  }
  return migrations;
}
