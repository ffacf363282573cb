/**
 * A per-project cache of what loading migrations computes, in `.neon-migrate/cache/migrations.json`:
 * - parsed SQL files, keyed by SHA-256 of (path, text): a warm run never loads the parser's WASM
 *   module nor parses again (500 files: ~0.5 s saved);
 * - the shape of TypeScript migrations (has a down, runs outside a transaction), keyed by the file's
 *   checksum, so read-only views (`status`, `plan`) need not import them through tsx (~1 s).
 * Only successful results are stored; anything unreadable is ignored and recomputed. The cache is
 * an optimisation: deleting it changes nothing but the time. It is written only into an existing
 * `.neon-migrate/` (created by the first command that changes something), so a command refused for
 * bad input leaves the project untouched.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { SqlScript } from './sql.js';

/** Bump when sql.ts changes what a parse yields, so stale entries are never used. */
const FORMAT = 1;
/** Entries beyond this many are dropped (oldest first) when the cache is saved. */
const MAX_ENTRIES = 20_000;

type ParsedSql = Omit<SqlScript, 'file' | 'text'>;

/** What a TS migration exports, as far as loading needs to know. */
export interface TsShape {
  hasDown: boolean;
  noTransaction: boolean;
}

interface CacheFile {
  format: number;
  sql: Record<string, ParsedSql>;
  ts: Record<string, TsShape>;
}

/** The cache of one project; `save()` writes it back when something was added. */
export class LoadCache {
  private dirty = false;

  private constructor(
    private readonly file: string,
    private readonly data: CacheFile,
  ) {}

  /** Open the cache of a project (empty when missing or unreadable). */
  static open(projectDir: string): LoadCache {
    const file = path.join(projectDir, '.neon-migrate', 'cache', 'migrations.json');
    let data: CacheFile = { format: FORMAT, sql: {}, ts: {} };
    try {
      const read = JSON.parse(readFileSync(file, 'utf8')) as CacheFile;
      if (read.format === FORMAT && read.sql && read.ts) data = read;
    } catch {
      // missing or corrupt: start empty
    }
    return new LoadCache(file, data);
  }

  // `variant` holds what else shapes the parse: the PostgreSQL major and another tool's no-transaction marker.
  private static sqlKey(file: string, text: string, variant: string): string {
    return createHash('sha256').update(`${file}\0${variant}\0${text}`).digest('hex');
  }

  /** The parse of `text` at `file` (with the parse options `variant`), when cached. */
  sql(file: string, text: string, variant: string): SqlScript | undefined {
    const hit = this.data.sql[LoadCache.sqlKey(file, text, variant)];
    return hit ? { file, text, ...hit } : undefined;
  }

  /** Remember a successful parse. */
  rememberSql(script: SqlScript, variant: string): void {
    const { file, text, ...parsed } = script;
    this.data.sql[LoadCache.sqlKey(file, text, variant)] = parsed;
    this.dirty = true;
  }

  /** The shape of the TS migration whose file has this checksum, when cached. */
  tsShape(checksum: string): TsShape | undefined {
    return this.data.ts[checksum];
  }

  /** Remember a TS migration's shape from a real import. */
  rememberTs(checksum: string, shape: TsShape): void {
    const known = this.data.ts[checksum];
    if (known && known.hasDown === shape.hasDown && known.noTransaction === shape.noTransaction) return;
    this.data.ts[checksum] = shape;
    this.dirty = true;
  }

  /** Write the cache if it changed (best effort: a read-only project just stays uncached). */
  save(): void {
    if (!this.dirty || !existsSync(path.dirname(path.dirname(this.file)))) return;
    const trim = <T>(r: Record<string, T>) => Object.fromEntries(Object.entries(r).slice(-MAX_ENTRIES));
    try {
      mkdirSync(path.dirname(this.file), { recursive: true });
      const tmp = `${this.file}.${process.pid}.tmp`;
      writeFileSync(tmp, JSON.stringify({ format: FORMAT, sql: trim(this.data.sql), ts: trim(this.data.ts) }));
      // rename: a concurrent reader sees the old or the new file, never half of one
      renameSync(tmp, this.file);
      this.dirty = false;
    } catch {
      // not writable: fine, the next load parses again
    }
  }
}
