/**
 * SCRAM-SHA-256 password verifiers computed on this side (RFC 5802/7677, Postgres' stored form),
 * so `CREATE ROLE ... PASSWORD` carries the verifier and never the password: a statement that
 * fails is written to postgres.log with its text, and that text must hold no secret.
 */
import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';

/** Postgres' default (scram_iterations). */
const ITERATIONS = 4096;

/**
 * The verifier Postgres stores in pg_authid.rolpassword: `SCRAM-SHA-256$<iter>:<salt>$<StoredKey>:<ServerKey>`.
 * The password must be ASCII (SASLprep leaves it unchanged); the engine generates such passwords.
 */
export function scramVerifier(password: string, salt: Buffer = randomBytes(16), iterations = ITERATIONS): string {
  const salted = pbkdf2Sync(Buffer.from(password, 'utf8'), salt, iterations, 32, 'sha256');
  const clientKey = createHmac('sha256', salted).update('Client Key').digest();
  const storedKey = createHash('sha256').update(clientKey).digest();
  const serverKey = createHmac('sha256', salted).update('Server Key').digest();
  return `SCRAM-SHA-256$${iterations}:${salt.toString('base64')}$${storedKey.toString('base64')}:${serverKey.toString('base64')}`;
}
