/** What every engine operation needs: directories, binaries, the cluster user, and the state. */
import type { PgBinaries } from './binaries.js';
import type { ClusterHandle } from './cluster.js';
import { branchPaths } from './layout.js';
import type { RunAs } from './osuser.js';
import type { BranchRecord, EngineState } from './state.js';
import { tlsFiles } from './tls.js';

export interface EngineContext {
  projectDir: string;
  /** `.neon-migrate/local` */
  stateDir: string;
  bins: PgBinaries;
  runAs: RunAs | undefined;
  retentionSeconds: number;
}

/** The cluster handle of a branch record. */
export function handleFor(
  ctx: EngineContext,
  state: EngineState,
  branch: Pick<BranchRecord, 'id' | 'port'>,
): ClusterHandle {
  return {
    bins: ctx.bins,
    runAs: ctx.runAs,
    paths: branchPaths(state.project.clusterRoot, branch.id),
    port: branch.port,
    superuserPassword: state.project.superuserPassword,
    tls: tlsFiles(state.project.clusterRoot),
  };
}
