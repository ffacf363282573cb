/**
 * Waiting for Neon operations: every mutation returns `operations`, and nothing may connect to
 * the branch before they reach a terminal state. `finished`/`skipped` are success; `error` and
 * `cancelled` are fatal; `failed` means Neon is retrying it, so we keep waiting up to a deadline.
 */
import { PlatformError } from '../../errors.js';
import type { NeonClient } from './client.js';
import { type NeonOperation, operationSchema, operationsSchema } from './schemas.js';

export interface OperationWaitPolicy {
  pollIntervalMs: number;
  /** Give up after this long (the operation may still complete on Neon's side). */
  timeoutMs: number;
}

export const DEFAULT_OPERATION_WAIT: OperationWaitPolicy = { pollIntervalMs: 1_000, timeoutMs: 10 * 60_000 };

const SUCCESS = new Set(['finished', 'skipped']);
const FATAL = new Set(['error', 'cancelled']);

/** Wait until every operation succeeded; throws PlatformError on a fatal status or the deadline. */
export async function waitForOperations(
  client: NeonClient,
  operations: NeonOperation[],
  policy: OperationWaitPolicy,
  doing: string,
): Promise<void> {
  const deadline = client.clock.now() + policy.timeoutMs;
  for (const initial of operations) {
    let op = initial;
    let interval = Math.min(200, policy.pollIntervalMs);
    while (!SUCCESS.has(op.status)) {
      if (FATAL.has(op.status)) {
        throw new PlatformError(
          `Neon operation ${op.action} (${op.id}) ended "${op.status}" while ${doing}${op.error ? `: ${op.error}` : ''}`,
          {
            hint: 'nothing further was changed; check the project in the Neon console and retry',
            code: 'NEON_OPERATION_FAILED',
          },
        );
      }
      if (client.clock.now() >= deadline) {
        throw new PlatformError(
          `Neon operation ${op.action} (${op.id}) still "${op.status}" after ${Math.round(policy.timeoutMs / 1000)}s while ${doing}`,
          {
            hint: 'it may still complete: check the operation in the Neon console before retrying',
            code: 'NEON_OPERATION_TIMEOUT',
          },
        );
      }
      await client.clock.sleep(interval);
      interval = Math.min(policy.pollIntervalMs, interval * 2);
      const id = op.id;
      op = (
        await client.call(`waiting for operation ${op.action}`, operationSchema, (api) =>
          api.getProjectOperation(client.projectId, id),
        )
      ).operation;
    }
  }
}

/** Operations of a branch that are not terminal yet (used after a lost response, to wait for them). */
export async function pendingOperationsOf(client: NeonClient, branchId: string): Promise<NeonOperation[]> {
  const { operations } = await client.call('listing operations', operationsSchema, (api) =>
    api.listProjectOperations({ projectId: client.projectId, limit: 100 }),
  );
  return operations.filter((op) => op.branch_id === branchId && !SUCCESS.has(op.status));
}
