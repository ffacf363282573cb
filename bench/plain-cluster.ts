/**
 * A plain PostgreSQL 17 cluster from the engine's own binaries, with default settings and no WAL
 * archiving: the reference the engine's apply is compared with (what the engine's machinery costs).
 */
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { resolveBinaries } from '../src/platform/local/binaries.js';
import { mkdirFor, resolveRunAs, run } from '../src/platform/local/osuser.js';
import { pickPort } from '../src/platform/local/ports.js';

export interface PlainCluster {
  uri: string;
  stop(): Promise<void>;
}

/** initdb (trust auth on loopback, defaults otherwise) and start a cluster in a temp dir. */
export async function startPlainCluster(): Promise<PlainCluster> {
  const bins = resolveBinaries(process.env);
  const runAs = resolveRunAs();
  const root = mkdtempSync(path.join(tmpdir(), 'nm-bench-plain-'));
  chmodSync(root, 0o755);
  const data = path.join(root, 'data');
  mkdirFor(runAs, data);
  const init = await run(runAs, bins.initdb, [
    '-D',
    data,
    '-U',
    'postgres',
    '-A',
    'trust',
    '-E',
    'UTF8',
    '--no-locale',
    '--no-instructions',
  ]);
  if (init.code !== 0) throw new Error(`plain cluster initdb failed: ${init.stderr}`);
  const port = await pickPort(new Set(), root);
  const log = path.join(root, 'server.log');
  writeFileSync(log, '');
  if (runAs) (await import('node:fs')).chownSync(log, runAs.uid, runAs.gid);
  const opts = `-p ${port} -c listen_addresses=127.0.0.1 -c unix_socket_directories=''`;
  const start = await run(runAs, bins.pgCtl, ['-D', data, '-l', log, '-w', '-o', opts, 'start']);
  if (start.code !== 0) throw new Error(`plain cluster failed to start: ${start.stderr || start.stdout}`);
  return {
    uri: `postgresql://postgres@127.0.0.1:${port}/postgres`,
    stop: async () => {
      await run(runAs, bins.pgCtl, ['-D', data, '-w', '-m', 'fast', 'stop']);
      rmSync(root, { recursive: true, force: true });
    },
  };
}
