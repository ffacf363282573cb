/** The engine's persistent state: `.neon-migrate/local/state.json`, written atomically. */
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PlatformError } from '../../errors.js';
import type { Branch } from '../types.js';
import type { MaskingRecord } from './masking.js';
import { engineStateSchema } from './state-schema.js';

/** A branch as persisted: the public Branch fields (less the derived `state`) plus engine facts. */
export interface BranchRecord extends Omit<Branch, 'state' | 'masking'> {
  /** Set on a masked (anonymized) branch: its rules and anonymization status. */
  masking?: MaskingRecord;
  port: number;
  /** `pointer`: self-contained base backup + WAL, no data dir yet; `ready`: materialized. */
  status: 'pointer' | 'ready';
  /** For a pointer: where replay stops (LSN, exclusive) or the timestamp (inclusive). */
  target?: { lsn: string } | { timestamp: string };
  /** Seconds between when the expiry was set and the expiry (Neon's `ttl_interval_seconds`). */
  ttlIntervalSeconds?: number;
}

export interface ProjectRecord {
  id: string;
  name: string;
  historyRetentionSeconds: number;
  superuserPassword: string;
  ownerPassword: string;
  walSegmentBytes: number;
  /** Where the branch directories live (under the state dir, or elsewhere when the cluster user cannot reach it). */
  clusterRoot: string;
  /** The PostgreSQL major its clusters run; absent in projects created before 18 existed here (= 17). */
  pgMajor?: 17 | 18;
}

/** A snapshot as persisted: a base backup and the WAL up to `lsn`, hard-linked under `snapshots/<id>`. */
export interface SnapshotRecord {
  id: string;
  name: string;
  sourceBranchId: string;
  lsn: string;
  throughSegno: string;
  backupLabel: string;
  createdAt: string;
  expiresAt?: string;
}

export interface EngineState {
  version: 1;
  project: ProjectRecord;
  branches: BranchRecord[];
  snapshots?: SnapshotRecord[];
}

export const STATE_FILE = 'state.json';

/** A Neon-like id, e.g. `br-quiet-tree-a1b2c3d4`-ish: prefix + random lowercase. */
export function newId(prefix: string): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  const bytes = randomBytes(16);
  let out = '';
  for (let i = 0; i < 16; i++) out += alphabet[bytes[i] % alphabet.length];
  return `${prefix}-${out.slice(0, 8)}-${out.slice(8)}`;
}

/** A random password (URL-safe, no characters that need escaping in a URI). */
export function newPassword(): string {
  return randomBytes(18).toString('base64url');
}

function corrupted(file: string, why: string): PlatformError {
  return new PlatformError(`local engine state file ${file} is corrupted (${why})`, {
    hint: `move it aside (e.g. \`mv ${file} ${file}.broken\`) and stop its clusters with \`neon-migrate local stop\` first if you can; the engine then starts a fresh project, or restore the file from ${file}.bak`,
    code: 'STATE_CORRUPTED',
  });
}

/** Read state.json; undefined when absent; PlatformError (never an overwrite) when unparseable. */
export function readState(stateDir: string): EngineState | undefined {
  const file = path.join(stateDir, STATE_FILE);
  if (!existsSync(file)) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw corrupted(file, (err as Error).message.split('\n')[0]);
  }
  const checked = engineStateSchema.safeParse(parsed);
  if (!checked.success) {
    const issue = checked.error.issues[0];
    throw corrupted(
      file,
      `unexpected content${issue ? ` at ${issue.path.join('.') || 'top level'}: ${issue.message}` : ''}`,
    );
  }
  return checked.data as EngineState;
}

/** Write state.json atomically (tmp + rename), mode 600 since it holds passwords; keeps one .bak. */
export function writeState(stateDir: string, state: EngineState): void {
  const file = path.join(stateDir, STATE_FILE);
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  chmodSync(tmp, 0o600);
  if (existsSync(file)) {
    try {
      writeFileSync(`${file}.bak`, readFileSync(file), { mode: 0o600 });
    } catch {
      // the backup copy is a convenience only
    }
  }
  renameSync(tmp, file);
}
