/**
 * Neon-style asynchronous operations for `local serve`: each mutation's work runs in the
 * background as an operation that moves scheduling → running → finished (or error). A mutation
 * touching a branch with an unfinished operation is refused with 423, as Neon does.
 */
import { randomUUID } from 'node:crypto';
import { toNeonMigrateError } from '../../../errors.js';
import type { ServerFaults } from './fault-hooks.js';

export type OperationStatus =
  | 'scheduling'
  | 'running'
  | 'finished'
  | 'failed'
  | 'error'
  | 'cancelling'
  | 'cancelled'
  | 'skipped';

export interface OperationRecord {
  id: string;
  project_id: string;
  branch_id?: string;
  endpoint_id?: string;
  action: string;
  status: OperationStatus;
  error?: string;
  failures_count: number;
  created_at: string;
  updated_at: string;
  total_duration_ms: number;
}

export interface StartedOperation {
  record: OperationRecord;
  /** Settles when the work ends: resolves on success, rejects with the work's error. */
  done: Promise<void>;
}

const TERMINAL = new Set<OperationStatus>(['finished', 'skipped', 'error', 'cancelled']);

export class OperationStore {
  private readonly records: OperationRecord[] = [];
  /** Branch ids each unfinished operation holds. */
  private readonly holds = new Map<string, string[]>();

  constructor(
    private readonly projectId: string,
    private readonly faults?: ServerFaults,
  ) {}

  /** The unfinished operation holding any of these branches, if one exists. */
  conflicting(branchIds: string[]): OperationRecord | undefined {
    for (const record of this.records) {
      if (TERMINAL.has(record.status)) continue;
      if ((this.holds.get(record.id) ?? []).some((id) => branchIds.includes(id))) return record;
    }
    return undefined;
  }

  /** A new operation record in `status`, kept in the list the API reads. */
  private record(action: string, branchId: string, status: OperationStatus, endpointId?: string): OperationRecord {
    const now = new Date().toISOString();
    const record: OperationRecord = {
      id: randomUUID(),
      project_id: this.projectId,
      branch_id: branchId,
      ...(endpointId ? { endpoint_id: endpointId } : {}),
      action,
      status,
      failures_count: 0,
      created_at: now,
      updated_at: now,
      total_duration_ms: 0,
    };
    this.records.push(record);
    return record;
  }

  /** Record an operation whose work already happened (e.g. create_timeline during a create). */
  finished(action: string, branchId: string, endpointId?: string): OperationRecord {
    return this.record(action, branchId, 'finished', endpointId);
  }

  /** Start `work` as an operation holding `holds` (branch ids) until it ends. */
  start(
    action: string,
    branchId: string,
    holds: string[],
    work: () => Promise<void>,
    endpointId?: string,
  ): StartedOperation {
    const started = Date.now();
    const record = this.record(action, branchId, 'scheduling', endpointId);
    this.holds.set(record.id, holds);
    const set = (status: OperationStatus, error?: string): void => {
      record.status = status;
      if (error) record.error = error;
      record.updated_at = new Date().toISOString();
      record.total_duration_ms = Date.now() - started;
      if (TERMINAL.has(status)) this.holds.delete(record.id);
    };
    const outcome = this.faults?.takeOperationOutcome(action);
    const done = (async () => {
      await new Promise((resolve) => setImmediate(resolve));
      set('running');
      if (outcome === 'stuck') return new Promise<void>(() => undefined); // test-only: never finishes
      if (outcome === 'error') {
        set('error', 'injected failure (test fault)');
        throw new Error('injected failure (test fault)');
      }
      try {
        await work();
        set('finished');
      } catch (err) {
        set('error', toNeonMigrateError(err).message);
        throw err;
      }
    })();
    done.catch(() => undefined);
    return { record, done };
  }

  get(id: string): OperationRecord | undefined {
    return this.records.find((r) => r.id === id);
  }

  /** Newest first, as Neon lists them. */
  list(): OperationRecord[] {
    return [...this.records].reverse();
  }
}
