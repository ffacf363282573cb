/**
 * The fields of Neon API responses that NeonPlatform depends on, checked with zod. A response
 * that lacks them (a proxy's HTML page, an incompatible server) becomes one clear PlatformError
 * instead of a TypeError deep inside a workflow.
 */
import { z } from 'zod';
import { PlatformError } from '../../errors.js';

const id = z.string().regex(/^[a-z0-9-]{1,60}$/);

export const neonBranchSchema = z.object({
  id,
  name: z.string(),
  parent_id: id.optional(),
  parent_lsn: z.string().optional(),
  parent_timestamp: z.string().optional(),
  created_at: z.string(),
  default: z.boolean(),
  protected: z.boolean(),
  current_state: z.string(),
  last_reset_at: z.string().optional(),
  expires_at: z.string().optional(),
  init_source: z.string().optional(),
  restricted_actions: z.array(z.object({ name: z.string(), reason: z.string() })).optional(),
  restored_from: z.string().optional(),
  /** Not in Neon's Branch object: merged in from the listing's `annotations` map (branch-api.ts). */
  annotations: z.record(z.string(), z.string()).optional(),
});
export type NeonBranch = z.infer<typeof neonBranchSchema>;

export const operationStatusSchema = z.enum([
  'scheduling',
  'running',
  'finished',
  'failed',
  'error',
  'cancelling',
  'cancelled',
  'skipped',
]);

export const neonOperationSchema = z.object({
  id: z.string().min(1),
  action: z.string(),
  status: operationStatusSchema,
  branch_id: z.string().optional(),
  error: z.string().optional(),
});
export type NeonOperation = z.infer<typeof neonOperationSchema>;

export const branchesPageSchema = z.object({
  branches: z.array(neonBranchSchema),
  annotations: z.record(z.string(), z.object({ value: z.record(z.string(), z.string()) })).optional(),
  pagination: z.object({ next: z.string().optional() }).optional(),
});
export const branchSchema = z.object({ branch: neonBranchSchema });
export const branchOperationsSchema = z.object({ branch: neonBranchSchema, operations: z.array(neonOperationSchema) });
export const operationSchema = z.object({ operation: neonOperationSchema });
export const operationsSchema = z.object({ operations: z.array(neonOperationSchema) });
export const projectSchema = z.object({
  project: z.object({
    id,
    name: z.string(),
    history_retention_seconds: z.number().int(),
    pg_version: z.number().int().optional(),
  }),
});
export const connectionUriSchema = z.object({ uri: z.string().min(1) });
export const databasesSchema = z.object({ databases: z.array(z.object({ name: z.string(), owner_name: z.string() })) });
export const compareSchemaSchema = z.object({ diff: z.string().optional() });

/** Parse `data` or throw the "response doesn't match the spec" PlatformError (exit 4). */
export function parseResponse<S extends z.ZodType>(schema: S, data: unknown, doing: string): z.infer<S> {
  const result = schema.safeParse(data);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const where = issue?.path.length ? issue.path.join('.') : 'body';
  throw new PlatformError(
    `the Neon API answered with a response that doesn't match its spec while ${doing}: ${where}: ${issue?.message ?? 'invalid'}`,
    { hint: 'check that NEON_API_HOST points at a Neon API v2 server', code: 'NEON_BAD_RESPONSE' },
  );
}
