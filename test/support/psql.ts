/** psql (Debian's postgresql-client, which .ci/run installs) for tests that check libpq's own behaviour. */
import { execFileSync } from 'node:child_process';

/** True when this machine has psql. */
export function hasPsql(): boolean {
  try {
    execFileSync('psql', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Run one query with psql on `uri` (no psqlrc, unaligned, tuples only) and return its trimmed output. */
export function psqlQuery(uri: string, sql: string): string {
  return execFileSync('psql', [uri, '-XAtc', sql], { encoding: 'utf8', env: { PATH: process.env.PATH } }).trim();
}
