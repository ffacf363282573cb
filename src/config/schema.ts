/** zod schemas for `neon-migrate.json` and `environments/*.json` (README, "Conventions"). Unknown keys are errors. */
import { z } from 'zod';
import { runnerSchema } from './runner-schema.js';

/** A duration such as `5s`, `15min`, `2h`, `7d` (Postgres-style units for timeouts). */
export const durationSchema = z
  .string()
  .regex(/^\d+\s*(ms|s|min|h|d)$/, 'expected a duration like "5s", "15min", "2h" or "7d"');

export const settingsSchema = z
  .object({
    $schema: z.string().optional(),
    migrationsDir: z.string().default('migrations'),
    environmentsDir: z.string().default('environments'),
    scriptsDir: z.string().default('scripts'),
    /** The production branch name. */
    defaultBranch: z.string().default('main'),
    /** Which tool applies the migrations: `native` (our files) or a wrapped tool (src/config/runner-schema.ts). */
    runner: runnerSchema.default('native'),
    checkpoints: z
      .object({
        /** Keep at least this many newest checkpoints per branch. */
        keepLast: z.number().int().min(1).default(5),
        /** Checkpoints older than this are pruned (beyond keepLast). */
        maxAge: durationSchema.default('7d'),
      })
      .strict()
      .default({ keepLast: 5, maxAge: '7d' }),
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
        reversibility: z.boolean().default(true),
      })
      .strict()
      .default({ assertions: [], run: [], reversibility: true }),
  })
  .strict();

export type Environment = z.infer<typeof environmentSchema> & { name: string; file: string };
