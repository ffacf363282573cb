/**
 * Online base backups with only the `postgres` binary: pg_backup_start on one session, a plain
 * copy of the data directory, pg_backup_stop on the same session (its label file becomes
 * backup_label). Stored as `base/<label>/` (the copy) plus `base/<label>.json` (written last).
 */
import { existsSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { PlatformError } from '../../errors.js';
import { adminClient, type ClusterHandle, writeOwned } from './cluster.js';
import { parseLsn } from './lsn.js';
import { mkdirFor, run, type RunAs } from './osuser.js';

export interface BackupMeta {
  label: string;
  startLsn: string;
  stopLsn: string;
  startTime: string;
  stopTime: string;
  timeline: number;
}

/** Entries of a data dir that a base backup leaves out (recreated empty where Postgres needs the dir). */
const SKIP = new Set([
  'postmaster.pid',
  'postmaster.opts',
  'pg_wal',
  'pg_stat_tmp',
  'pg_replslot',
  'backup_label',
  'tablespace_map',
  'recovery.signal',
  'standby.signal',
]);
const EMPTY_DIRS = ['pg_wal', 'pg_wal/archive_status', 'pg_stat_tmp', 'pg_replslot'];

/** Copy entries of `src` into `dest` with `cp -a` as the cluster user; tolerates files vanishing meanwhile. */
export async function copyTree(
  runAs: RunAs | undefined,
  src: string,
  dest: string,
  options: { skip?: Set<string>; hardLink?: boolean; tolerateVanished?: boolean } = {},
): Promise<void> {
  mkdirFor(runAs, dest);
  const entries = readdirSync(src).filter((e) => !options.skip?.has(e));
  if (entries.length === 0) return;
  const flags = options.hardLink ? ['-al'] : ['-a', '--reflink=auto'];
  const r = await run(runAs, 'cp', [...flags, '-t', dest, ...entries.map((e) => path.join(src, e))]);
  if (r.code !== 0) {
    const problems = r.stderr
      .split('\n')
      .filter((l) => l.trim() && !(options.tolerateVanished && /No such file or directory/.test(l)));
    if (problems.length)
      throw new PlatformError(`copy of ${src} failed: ${problems[0]}`, {
        hint: 'check free disk space and permissions',
        code: 'COPY_FAILED',
      });
  }
}

/** The complete base backups of a branch, oldest first. */
export function listBackups(baseDir: string): BackupMeta[] {
  if (!existsSync(baseDir)) return [];
  const metas: BackupMeta[] = [];
  for (const f of readdirSync(baseDir)) {
    if (!f.endsWith('.json')) continue;
    try {
      const meta = JSON.parse(readFileSync(path.join(baseDir, f), 'utf8')) as BackupMeta;
      if (existsSync(path.join(baseDir, meta.label))) metas.push(meta);
    } catch {
      // an unreadable meta file is an incomplete backup: ignored
    }
  }
  return metas.sort((a, b) =>
    parseLsn(a.stopLsn) < parseLsn(b.stopLsn)
      ? -1
      : parseLsn(a.stopLsn) > parseLsn(b.stopLsn)
        ? 1
        : a.stopTime.localeCompare(b.stopTime),
  );
}

/** Take an online base backup of a running cluster into its own `base/` dir. */
export async function takeBaseBackup(c: ClusterHandle): Promise<BackupMeta> {
  const label = `${new Date()
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z')}-${Math.random().toString(36).slice(2, 8)}`;
  const dest = path.join(c.paths.base, label);
  const partial = `${dest}.partial`;
  mkdirFor(c.runAs, c.paths.base);
  const client = await adminClient(c);
  try {
    const start = await client.query<{ lsn: string; t: Date; tli: number }>(
      `SELECT pg_backup_start($1, true)::text AS lsn, now() AS t, (SELECT timeline_id FROM pg_control_checkpoint()) AS tli`,
      [label],
    );
    try {
      await copyTree(c.runAs, c.paths.data, partial, { skip: SKIP, tolerateVanished: true });
      for (const d of EMPTY_DIRS) mkdirFor(c.runAs, path.join(partial, d));
    } catch (err) {
      await client.query('SELECT pg_backup_stop(false)').catch(() => undefined);
      rmSync(partial, { recursive: true, force: true });
      throw err;
    }
    // waits until the WAL needed by the backup is archived (wait_for_archive = true)
    const stop = await client.query<{ lsn: string; labelfile: string; spcmapfile: string | null; t: Date }>(
      `SELECT lsn::text AS lsn, labelfile, spcmapfile, clock_timestamp() AS t FROM pg_backup_stop(true)`,
    );
    const s = stop.rows[0];
    writeOwned(c.runAs, path.join(partial, 'backup_label'), s.labelfile);
    if (s.spcmapfile) writeOwned(c.runAs, path.join(partial, 'tablespace_map'), s.spcmapfile);
    renameSync(partial, dest);
    const tliMatch = /START TIMELINE: (\d+)/.exec(s.labelfile);
    const meta: BackupMeta = {
      label,
      startLsn: start.rows[0].lsn,
      stopLsn: s.lsn,
      startTime: start.rows[0].t.toISOString(),
      stopTime: s.t.toISOString(),
      timeline: tliMatch ? Number(tliMatch[1]) : start.rows[0].tli,
    };
    writeOwned(c.runAs, path.join(c.paths.base, `${label}.json`), `${JSON.stringify(meta, null, 2)}\n`, 0o644);
    return meta;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Remove a base backup (meta first, so a half-removed backup is never used). */
export function removeBackup(baseDir: string, label: string): void {
  rmSync(path.join(baseDir, `${label}.json`), { force: true });
  rmSync(path.join(baseDir, label), { recursive: true, force: true });
}
