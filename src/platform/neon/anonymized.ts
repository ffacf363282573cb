/**
 * Masked branches on Neon (Neon's anonymized branches, Beta): created with
 * `POST /projects/{id}/branch_anonymized` carrying the masking rules and `start_anonymization: true`,
 * then the branch's operations and `anonymized_status` are polled until it is `anonymized` before
 * anything connects. The branch is annotated with its rule count, which is how the tool recognizes a
 * masked branch in a listing (Neon's Branch object has no field for it). A branch whose anonymization
 * fails is deleted: it may hold original values.
 */
import { EndpointType } from '@neondatabase/api-client';
import { z } from 'zod';
import { PlatformError } from '../../errors.js';
import { fromNeonRule, type MaskingRule, toNeonRule } from '../../masking/rules.js';
import type { MaskingStatus } from '../types.js';
import { findNeonBranchByName, MASKING_ANNOTATION } from './branch-api.js';
import type { NeonClient } from './client.js';
import { type OperationWaitPolicy, pendingOperationsOf, waitForOperations } from './operations.js';
import { branchOperationsSchema, type NeonBranch } from './schemas.js';

const statusSchema = z.object({
  branch_id: z.string(),
  state: z.string(),
  status_message: z.string().optional(),
  created_at: z.string(),
  updated_at: z.string(),
  failed_at: z.string().optional(),
  last_run: z.object({ masked_columns: z.number().int().optional() }).optional(),
});
const rulesSchema = z.object({
  masking_rules: z.array(
    z.object({
      database_name: z.string(),
      schema_name: z.string(),
      table_name: z.string(),
      column_name: z.string(),
      masking_function: z.string().optional(),
      masking_value: z.string().optional(),
    }),
  ),
});

/** Anonymization states after which nothing more happens by itself. */
const FAILED = new Set(['initialization_error', 'error']);

/** What `createAnonymizedBranch` sends besides the rules. */
export interface AnonymizedCreate {
  name: string;
  parentId: string;
  /** `parent_lsn`/`parent_timestamp`, `expires_at`... as in a plain create. */
  branch: Record<string, unknown>;
  annotations?: Record<string, string>;
  rules: MaskingRule[];
}

/** Create the masked branch and wait until it is anonymized; returns its id. */
export async function createAnonymizedBranch(
  client: NeonClient,
  wait: OperationWaitPolicy,
  request: AnonymizedCreate,
): Promise<string> {
  const doing = `creating masked branch "${request.name}"`;
  let reconciled: NeonBranch | undefined;
  const created = await client.call(
    doing,
    branchOperationsSchema,
    (api) =>
      api.createProjectBranchAnonymized(client.projectId, {
        branch_create: {
          branch: { name: request.name, parent_id: request.parentId, ...request.branch },
          endpoints: [{ type: EndpointType.ReadWrite }],
        },
        masking_rules: request.rules.map(toNeonRule),
        start_anonymization: true,
        annotation_value: { ...request.annotations, [MASKING_ANNOTATION]: String(request.rules.length) },
      }),
    async () => {
      // The answer was lost: if the branch exists, the create was applied; don't send it again.
      reconciled = await findNeonBranchByName(client, request.name);
      return reconciled ? { branch: reconciled, operations: [] } : undefined;
    },
  );
  const id = created.branch.id;
  const operations = reconciled ? await pendingOperationsOf(client, id) : created.operations;
  await waitForOperations(client, operations, wait, doing);
  await waitAnonymized(client, wait, id, doing);
  return id;
}

/** Poll `anonymized_status` until `anonymized`; a failed or overdue anonymization is a PlatformError. */
async function waitAnonymized(client: NeonClient, wait: OperationWaitPolicy, id: string, doing: string) {
  const deadline = client.clock.now() + wait.timeoutMs;
  let interval = Math.min(200, wait.pollIntervalMs);
  for (;;) {
    const status = await client.call(`${doing}: reading anonymized_status`, statusSchema, (api) =>
      api.getAnonymizedBranchStatus(client.projectId, id),
    );
    if (status.state === 'anonymized') return;
    if (FAILED.has(status.state) || client.clock.now() >= deadline)
      throw new PlatformError(
        `anonymization of branch ${id} ${FAILED.has(status.state) ? `ended "${status.state}"` : `still "${status.state}" after ${Math.round(wait.timeoutMs / 1000)}s`}${status.status_message ? `: ${status.status_message}` : ''}`,
        {
          hint: 'delete the branch (it may hold original values), check the masking rules, and retry',
          code: 'MASKING_FAILED',
        },
      );
    await client.clock.sleep(interval);
    interval = Math.min(wait.pollIntervalMs, interval * 2);
  }
}

/** The branch's anonymization status and rules; undefined when it is not an anonymized branch (404). */
export async function neonMaskingStatus(client: NeonClient, id: string): Promise<MaskingStatus | undefined> {
  let status: z.infer<typeof statusSchema>;
  try {
    status = await client.call('reading anonymized_status', statusSchema, (api) =>
      api.getAnonymizedBranchStatus(client.projectId, id),
    );
  } catch (err) {
    if (err instanceof PlatformError && err.status === 404) return undefined;
    throw err;
  }
  const { masking_rules } = await client.call('reading masking rules', rulesSchema, (api) =>
    api.getMaskingRules(client.projectId, id),
  );
  // rules written with other Anonymizer functions (in the Neon console) are not ours to type: left out
  const rules = masking_rules.map(fromNeonRule).filter((r): r is MaskingRule => typeof r !== 'string');
  return {
    state: status.state,
    rules,
    createdAt: status.created_at,
    updatedAt: status.updated_at,
    ...(status.failed_at ? { failedAt: status.failed_at } : {}),
    ...(status.status_message ? { message: status.status_message } : {}),
    ...(status.last_run?.masked_columns !== undefined ? { maskedColumns: status.last_run.masked_columns } : {}),
  };
}
