/**
 * Crash safety for restore. A restore moves the target's directory aside (it becomes the backup
 * branch) and rebuilds the target before state.json records the backup; a process killed in
 * between would leave the pre-restore data in a directory no branch points to and a half-built
 * target. The journal, written before the move, lets the next locked operation put it back.
 */
import { restoreJournalSchema } from './state-schema.js';
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PlatformError } from '../../errors.js';
import { stopCluster } from './cluster.js';
import type { EngineContext } from './engine-context.js';
import { branchPaths } from './layout.js';
import { killProcessesUsing } from './orphans.js';
import type { EngineState } from './state.js';

export const RESTORE_JOURNAL = 'restore-journal.json';

/** What a restore in progress moved: the target's directory went to the backup's. */
export interface RestoreJournal {
  targetId: string;
  backupId: string;
}

/** Record a restore about to move directories (atomically: tmp + rename). */
export function writeRestoreJournal(stateDir: string, journal: RestoreJournal): void {
  const file = path.join(stateDir, RESTORE_JOURNAL);
  writeFileSync(`${file}.tmp`, `${JSON.stringify(journal)}\n`, { mode: 0o600 });
  renameSync(`${file}.tmp`, file);
}

/** Drop the journal once the restore is committed to state.json or fully rolled back. */
export function clearRestoreJournal(stateDir: string): void {
  rmSync(path.join(stateDir, RESTORE_JOURNAL), { force: true });
}

/**
 * Finish an interrupted restore (call under the engine lock, with state just read): when state.json
 * knows the backup branch the restore was committed and only the journal is left; otherwise the
 * half-built target is stopped and removed and the pre-restore directory moved back.
 */
export async function recoverInterruptedRestore(ctx: EngineContext, state: EngineState): Promise<void> {
  const file = path.join(ctx.stateDir, RESTORE_JOURNAL);
  if (!existsSync(file)) return;
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    // written atomically, so unreadable means it never named anything to undo
    clearRestoreJournal(ctx.stateDir);
    return;
  }
  const checked = restoreJournalSchema.safeParse(raw);
  if (!checked.success) {
    throw new PlatformError(`restore journal ${file} is corrupted`, {
      hint: `inspect ${path.join(state.project.clusterRoot, 'branches')} and remove the journal`,
      code: 'STATE_CORRUPTED',
    });
  }
  const journal: RestoreJournal = checked.data;
  if (!state.branches.some((b) => b.id === journal.backupId)) {
    const target = branchPaths(state.project.clusterRoot, journal.targetId);
    const backup = branchPaths(state.project.clusterRoot, journal.backupId);
    // the move happened (rename is atomic): what sits at the target's path is the half-built restore
    if (existsSync(backup.root)) {
      await stopCluster({ bins: ctx.bins, runAs: ctx.runAs, paths: target }).catch(() => undefined);
      // the dead process's children (a cp filling the target, a replaying postgres) outlive it
      await killProcessesUsing(target.root);
      rmSync(target.root, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
      renameSync(backup.root, target.root);
    }
  }
  clearRestoreJournal(ctx.stateDir);
}
