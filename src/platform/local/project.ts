/**
 * Creating the local project on first use: its TLS certificate, `main` via initdb, the
 * `neondb_owner` role, `neondb`, a first base backup.
 */
import { existsSync, mkdirSync, rmSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { takeBaseBackup } from './backup.js';
import { adminClient, initCluster, startCluster, stopCluster } from './cluster.js';
import { pickPort } from './ports.js';
import { scramVerifier } from './scram.js';
import { type EngineContext, handleFor } from './engine-context.js';
import { canTraverse, mkdirFor } from './osuser.js';
import { register } from './registry.js';
import { ensureSystemDir, systemDir } from './system-dir.js';
import { ensureServerCert } from './tls.js';
import { type BranchRecord, type EngineState, newId, newPassword } from './state.js';

/** WAL segment size for local clusters: small segments keep a branch point's forced segment switch cheap. */
export const WAL_SEGMENT_MB = 4;

/** The directory holding branch clusters: under the state dir, or a system dir when the cluster user cannot reach the project. */
function chooseClusterRoot(ctx: EngineContext, projectId: string): string {
  if (canTraverse(ctx.runAs, ctx.stateDir)) return ctx.stateDir;
  // e.g. a project under /root (mode 700): clusters live where `nmpg` can reach them, linked from the state dir,
  // and registered with the project so `local gc` can remove them once the project folder is gone.
  const dir = systemDir();
  ensureSystemDir(dir, ctx.runAs);
  const root = path.join(dir, projectId);
  mkdirSync(root, { recursive: true, mode: 0o711 });
  registerClusterRoot(ctx, root, projectId);
  const link = path.join(ctx.stateDir, 'branches');
  if (!existsSync(link)) symlinkSync(path.join(root, 'branches'), link);
  return root;
}

/** Register a cluster root kept outside the project with its project (idempotent). */
export function registerClusterRoot(
  ctx: Pick<EngineContext, 'projectDir' | 'stateDir'>,
  root: string,
  projectId: string,
): void {
  const where = { projectDir: path.resolve(ctx.projectDir), stateDir: path.resolve(ctx.stateDir) };
  register(root, { projectId, ...where, registeredAt: new Date().toISOString() });
}

/** Create the project and its running `main` branch; returns the new state (not yet written). */
export async function createProject(ctx: EngineContext, defaultBranchName: string): Promise<EngineState> {
  const projectId = newId('local');
  const clusterRoot = chooseClusterRoot(ctx, projectId);
  mkdirFor(ctx.runAs, path.join(clusterRoot, 'branches'), 0o711);
  const state: EngineState = {
    version: 1,
    project: {
      id: projectId,
      name: path.basename(path.resolve(ctx.projectDir)),
      historyRetentionSeconds: ctx.retentionSeconds,
      superuserPassword: newPassword(),
      ownerPassword: newPassword(),
      walSegmentBytes: WAL_SEGMENT_MB * 1024 * 1024,
      clusterRoot,
      pgMajor: ctx.bins.major,
    },
    branches: [],
  };
  const main: BranchRecord = {
    id: newId('br'),
    name: defaultBranchName,
    createdAt: new Date().toISOString(),
    default: true,
    protected: false,
    port: await pickPort(new Set(), ctx.stateDir),
    status: 'ready',
  };
  const c = handleFor(ctx, state, main);
  try {
    mkdirFor(ctx.runAs, c.paths.root);
    mkdirFor(ctx.runAs, c.paths.wal);
    mkdirFor(ctx.runAs, c.paths.base);
    // the project's TLS certificate, served by every branch (startCluster would make it too)
    ensureServerCert(ctx.runAs, c.tls);
    await initCluster(c, WAL_SEGMENT_MB);
    await startCluster(c);
    const client = await adminClient(c);
    try {
      // the verifier, not the password: a failing statement is logged with its text (base64 needs no quoting)
      await client.query(
        `CREATE ROLE neondb_owner LOGIN CREATEDB CREATEROLE PASSWORD '${scramVerifier(state.project.ownerPassword)}'`,
      );
      await client.query('CREATE DATABASE neondb OWNER neondb_owner');
    } finally {
      await client.end().catch(() => undefined);
    }
    await takeBaseBackup(c);
  } catch (err) {
    await stopCluster(c).catch(() => undefined);
    rmSync(c.paths.root, { recursive: true, force: true });
    rmSync(path.dirname(c.tls.cert), { recursive: true, force: true });
    // a cluster root outside the project holds nothing else yet: leave no registered leftovers
    if (clusterRoot !== ctx.stateDir) rmSync(clusterRoot, { recursive: true, force: true });
    throw err;
  }
  state.branches.push(main);
  return state;
}
