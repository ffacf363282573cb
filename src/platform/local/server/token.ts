/** The bearer token of `local serve`: generated once, kept in .neon-migrate/local/api-token (mode 600). */
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Path of the token file for a project. */
export function tokenPath(projectDir: string): string {
  return join(projectDir, '.neon-migrate', 'local', 'api-token');
}

/** Read the persisted token, creating it on first use. */
export function loadOrCreateToken(projectDir: string): string {
  const file = tokenPath(projectDir);
  if (existsSync(file)) {
    const token = readFileSync(file, 'utf8').trim();
    if (/^nm_[a-f0-9]{48}$/.test(token)) return token;
  }
  mkdirSync(join(projectDir, '.neon-migrate', 'local'), { recursive: true });
  const token = `nm_${randomBytes(24).toString('hex')}`;
  writeFileSync(file, `${token}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  return token;
}
