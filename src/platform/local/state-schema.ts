/**
 * zod schemas of the engine's JSON files (state.json, the restore journal): what is read back is
 * checked field by field, so a hand-edited or truncated file is a clear error, never a crash later.
 */
import { z } from 'zod';

const pointInTime = z.union([z.object({ lsn: z.string() }), z.object({ timestamp: z.string() })]);

const maskingRule = z.object({
  database: z.string(),
  schema: z.string(),
  table: z.string(),
  column: z.string(),
  method: z.union([
    z.object({ kind: z.enum(['hash', 'md5', 'name', 'email', 'null']) }),
    z.object({ kind: z.literal('value'), value: z.string() }),
  ]),
});

const maskingRecord = z.object({
  rules: z.array(maskingRule),
  state: z.literal('anonymized'),
  createdAt: z.string(),
  updatedAt: z.string(),
  maskedColumns: z.number().int(),
});

const branchRecord = z
  .object({
    id: z.string().min(1),
    name: z.string().min(1),
    parentId: z.string().optional(),
    parentLsn: z.string().optional(),
    parentTimestamp: z.string().optional(),
    createdAt: z.string(),
    default: z.boolean(),
    protected: z.boolean(),
    port: z.number().int().positive(),
    status: z.enum(['pointer', 'ready']),
    target: pointInTime.optional(),
    expiresAt: z.string().optional(),
    ttlIntervalSeconds: z.number().int().optional(),
    annotations: z.record(z.string(), z.string()).optional(),
    initSource: z.enum(['parent-data', 'schema-only']).optional(),
    restrictedActions: z.array(z.object({ name: z.string(), reason: z.string() })).optional(),
    restoredFrom: z.string().optional(),
    masking: maskingRecord.optional(),
  })
  .passthrough(); // fields added by newer versions are kept, not dropped, when the state is written back

const projectRecord = z
  .object({
    id: z.string().min(1),
    name: z.string(),
    historyRetentionSeconds: z.number(),
    superuserPassword: z.string(),
    ownerPassword: z.string(),
    walSegmentBytes: z.number(),
    clusterRoot: z.string(),
    pgMajor: z.union([z.literal(17), z.literal(18)]).optional(),
  })
  .passthrough();

const snapshotRecord = z
  .object({
    id: z.string().min(1),
    name: z.string(),
    sourceBranchId: z.string(),
    lsn: z.string(),
    /** The last WAL segment number held (decimal text of a bigint). */
    throughSegno: z.string(),
    backupLabel: z.string(),
    createdAt: z.string(),
    expiresAt: z.string().optional(),
  })
  .passthrough();

/** state.json. */
export const engineStateSchema = z.object({
  version: z.literal(1),
  project: projectRecord,
  branches: z.array(branchRecord),
  /** Snapshots (issue 13): their files live in `snapshots/<id>` under the cluster root. */
  snapshots: z.array(snapshotRecord).optional(),
});

/** The restore journal. */
export const restoreJournalSchema = z.object({ targetId: z.string().min(1), backupId: z.string().min(1) });
