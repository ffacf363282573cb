/** Where a branch's files live: `<clusterRoot>/branches/<id>/{data,wal,base,postgres.log}`. */
import path from 'node:path';

export interface BranchPaths {
  root: string;
  data: string;
  wal: string;
  base: string;
  log: string;
}

/** The paths of a branch's directory (by branch id). */
export function branchPaths(clusterRoot: string, branchId: string): BranchPaths {
  const root = path.join(clusterRoot, 'branches', branchId);
  return {
    root,
    data: path.join(root, 'data'),
    wal: path.join(root, 'wal'),
    base: path.join(root, 'base'),
    log: path.join(root, 'postgres.log'),
  };
}

/** Quote a string for /bin/sh (single quotes). */
export function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/** Quote a string as a postgresql.conf value. */
export function confQuote(text: string): string {
  return `'${text.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;
}
