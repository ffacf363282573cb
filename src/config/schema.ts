/** zod schemas for `neon-migrate.json` and `environments/*.json` (README, "Conventions"). Unknown keys are errors. */
import { z } from 'zod';
import { DURATION_PATTERN, durationMs } from './duration.js';
import { maskingSchema } from './masking-schema.js';
import { runnerSchema } from './runner-schema.js';

/** How reversibility is proven on an environment (see checks.reversibility). */
export type ReversibilityMode = 'data' | 'schema' | 'off';

/** A duration such as `5s`, `15min`, `2h`, `7d` (Postgres-style units for timeouts). */
export const durationSchema = z
  .string()
  .regex(/^\d+\s*(ms|s|min|h|d)$/, 'expected a duration like "5s", "15min", "2h" or "7d"');

/**
 * A branch lifetime: a duration of at most 30 days (Neon's limit on `expires_at`), or `off` for
 * branches that never expire by themselves.
 */
export const ttlSchema = z.union([
  z.literal('off'),
  // zod runs the refinement even after the pattern failed: only a well-formed duration is measured
  durationSchema.refine(
    (d) => !DURATION_PATTERN.test(d.trim()) || durationMs(d) <= 30 * 86_400_000,
    'at most 30d (Neon expires branches at most 30 days ahead)',
  ),
]);

/** How a lint rule is treated: an error stops the run, a warning is reported, off is ignored. */
export const lintLevelSchema = z.enum(['error', 'warning', 'off']);

/** squawk rule name → level. Rules not listed use `defaultLevel` (or squawk's own defaults). */
const lintRulesSchema = z.record(
  z.string().regex(/^[a-z0-9-]+$/, 'expected a squawk rule name like "ban-drop-column"'),
  lintLevelSchema,
);

/** Lint settings in neon-migrate.json (issue 11). */
export const lintSettingsSchema = z
  .object({
    /** Level of every rule not listed in `rules`. */
    defaultLevel: lintLevelSchema.default('warning'),
    rules: lintRulesSchema.default({}),
    /** Postgres version squawk assumes, e.g. "17" or "16.4" (some rules depend on it). */
    pgVersion: z
      .string()
      .regex(/^\d+(\.\d+)?$/, 'expected a Postgres version like "17" or "16.4"')
      .optional(),
  })
  .strict();

/** An environment's lint override: its rule levels win over neon-migrate.json's. */
export const environmentLintSchema = z
  .object({
    defaultLevel: lintLevelSchema.optional(),
    rules: lintRulesSchema.default({}),
  })
  .strict();

/** A destructive change approved for one migration version (issue 11). */
export const approvalSchema = z
  .object({
    /** The migration version whose destructive changes are approved. */
    version: z.string().min(1),
    /** Who approved it (recorded in the history). */
    by: z.string().min(1).optional(),
    reason: z.string().min(1).optional(),
  })
  .strict();

/** Limits on what a migration may do, measured on a branch during `test` (issue 11). */
export const budgetsSchema = z
  .object({
    /** Longest time the probe session may be blocked on any table, in milliseconds. */
    maxBlockedMs: z.number().int().min(0).optional(),
    /** Largest table (MB) a migration may rewrite. */
    maxRewriteMB: z.number().min(0).optional(),
    /** Largest allowed p95 latency regression of a workload query, in percent. */
    maxP95RegressionPct: z.number().min(0).optional(),
  })
  .strict();

/** A workload query timed before and after the migrations: a SQL file, optionally with parameters. */
export const workloadQuerySchema = z.union([
  z.string().min(1),
  z
    .object({
      file: z.string().min(1),
      params: z.array(z.union([z.string(), z.number(), z.boolean(), z.null()])).default([]),
      /** How many timed runs (after one warm-up). */
      runs: z.number().int().min(1).max(10000).optional(),
    })
    .strict(),
]);

export const settingsSchema = z
  .object({
    $schema: z.string().optional(),
    migrationsDir: z.string().default('migrations'),
    environmentsDir: z.string().default('environments'),
    scriptsDir: z.string().default('scripts'),
    /** The production branch name. */
    defaultBranch: z.string().default('main'),
    /**
     * How migration versions are ordered: `timestamp` (the digit strings, as diesel and dbmate do),
     * `numeric` (by value, as golang-migrate and sqlx do), or `auto` (timestamp when every version is a date).
     */
    ordering: z.enum(['auto', 'timestamp', 'numeric']).default('auto'),
    /**
     * The PostgreSQL major the database runs (17 or 18): the local engine's binaries and the SQL
     * parser follow it; on Neon it is checked against the project's pg_version. Unset = 17.
     */
    postgresVersion: z.union([z.literal(17), z.literal(18)]).optional(),
    /** Which tool applies the migrations: `native` (our files) or a wrapped tool (src/config/runner-schema.ts). */
    runner: runnerSchema.default('native'),
    checkpoints: z
      .object({
        /** Keep at least this many newest checkpoints per branch. */
        keepLast: z.number().int().min(1).default(5),
        /** Checkpoints older than this are pruned (beyond keepLast). */
        maxAge: durationSchema.default('7d'),
        /** Checkpoint branches expire (Neon's expires_at) this long after they are taken; default 30d. */
        ttl: ttlSchema.optional(),
        /**
         * `branch` (default): a child branch; `snapshot`: a snapshot (no branch, outlives the history
         * window); `auto`: a snapshot of a root branch where the platform takes one, else a branch.
         */
        kind: z.enum(['branch', 'snapshot', 'auto']).optional(),
      })
      .strict()
      .default({ keepLast: 5, maxAge: '7d' }),
    branches: z
      .object({
        /** Scratch, dry-run, preview and schema-only test branches expire this long after creation; default 1d. */
        ttl: ttlSchema.optional(),
      })
      .strict()
      .default({}),
    timeouts: z
      .object({
        lockTimeout: durationSchema.default('5s'),
        statementTimeout: durationSchema.default('15min'),
      })
      .strict()
      .default({ lockTimeout: '5s', statementTimeout: '15min' }),
    local: z
      .object({
        /** The local engine's history window (Neon's history_retention_seconds). */
        historyRetentionSeconds: z.number().int().min(60).default(604800),
        /** Script run once on `main` when the local project is first created. */
        seed: z.string().optional(),
      })
      .strict()
      .default({ historyRetentionSeconds: 604800 }),
    lint: lintSettingsSchema.default({ defaultLevel: 'warning', rules: {} }),
  })
  .strict();

export type Settings = z.infer<typeof settingsSchema>;

export const environmentSchema = z
  .object({
    $schema: z.string().optional(),
    /** Branch this environment runs on. */
    branch: z.string().min(1),
    /** Branch it is created from / refreshed from (defaults to the default branch). */
    parent: z.string().min(1).optional(),
    /** Environments whose passing `test` run gates this one (`promote`). */
    requires: z.array(z.string().min(1)).default([]),
    /** Ask for confirmation before touching this branch (`--yes` in CI). */
    confirm: z.boolean().default(false),
    /** How stale a required environment's refresh may be at promote (the stricter of target's and required's applies). */
    maxRefreshAge: durationSchema.default('7d'),
    checks: z
      .object({
        /** SQL assertion files (relative to the project) run after apply. */
        assertions: z.array(z.string()).default([]),
        /** Shell commands run with DATABASE_URL set to the branch. */
        run: z.array(z.string()).default([]),
        /** Check that up → down → up gives back the same schema, on a scratch branch. */
        /**
         * up → down → up on a scratch branch: `data` on a full copy (true, the default), `schema` on a
         * copy whose tables are emptied first (fast; proves the schema round trip only), `off` (false).
         */
        reversibility: z
          .union([z.boolean(), z.enum(['data', 'schema', 'off'])])
          .default('data')
          .transform((v): ReversibilityMode => (v === true ? 'data' : v === false ? 'off' : v)),
        /** Workload queries timed before and after the migrations (p50/p95 change). */
        queries: z.array(workloadQuerySchema).default([]),
      })
      .strict()
      .default({ assertions: [], run: [], reversibility: 'data', queries: [] }),
    /** Lint rule levels for this environment (override neon-migrate.json's `lint`). */
    lint: environmentLintSchema.optional(),
    /** Destructive changes approved for promotion to this environment. */
    approve: z.array(approvalSchema).default([]),
    /** Measured limits; a run over budget fails `test`. */
    budgets: budgetsSchema.default({}),
    /** `test` runs on a schema-only copy of the branch (no rows copied); data checks are skipped. */
    schemaOnly: z.boolean().default(false),
    /** The branch is created masked (anonymized): `"[schema.]table.column"` → hash, md5, name, email, null or { value }. */
    masking: maskingSchema.optional(),
  })
  .strict();

export type Environment = z.infer<typeof environmentSchema> & { name: string; file: string };
