/**
 * Port allocation for local computes. A branch keeps its port for life (its connection URI never
 * changes), but it only listens while its compute runs, so "free right now" is not enough: another
 * engine on this machine, or an outgoing connection, could take the port while the compute is down.
 * Hence ports come from below Linux's ephemeral range (32768+), and each pick is reserved machine-wide
 * with a file naming the engine that owns it; reservations of engines whose state is gone are reused.
 */
import { existsSync, mkdirSync, openSync, closeSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { PlatformError } from '../../errors.js';

const FIRST_PORT = 20000;
const LAST_PORT = 32000; // exclusive; the ephemeral range starts at 32768 on Linux

/** True when the port can be bound on 127.0.0.1 right now. */
export function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen({ host: '127.0.0.1', port, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

function reservationDir(): string {
  const dir = path.join(os.tmpdir(), 'neon-migrate-ports');
  mkdirSync(dir, { recursive: true, mode: 0o1777 });
  return dir;
}

/** Reserve `port` for the engine whose state lives in `owner`; false when another live engine holds it. */
function reserve(port: number, owner: string): boolean {
  const file = path.join(reservationDir(), String(port));
  try {
    closeSync(openSync(file, 'wx'));
    writeFileSync(file, owner);
    return true;
  } catch {
    let holder = '';
    try {
      holder = readFileSync(file, 'utf8');
    } catch {
      return false;
    }
    if (holder === owner) return true;
    if (holder && existsSync(holder)) return false;
    writeFileSync(file, owner); // the holder's project is gone: take the reservation over
    return true;
  }
}

/** A free TCP port on 127.0.0.1, not in `taken`, reserved for the engine whose state dir is `owner`. */
export async function pickPort(taken: Set<number>, owner: string): Promise<number> {
  for (let i = 0; i < 300; i++) {
    const port = FIRST_PORT + Math.floor(Math.random() * (LAST_PORT - FIRST_PORT));
    if (taken.has(port) || !(await portIsFree(port))) continue;
    if (reserve(port, owner)) return port;
  }
  throw new PlatformError('no free TCP port found on 127.0.0.1 between 20000 and 32000', {
    hint: 'free some ports and retry',
    code: 'NO_PORT',
  });
}
