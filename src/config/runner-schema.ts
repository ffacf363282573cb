/**
 * The `runner` setting of `neon-migrate.json`: which tool applies the migrations. A kind name
 * (`"alembic"`), or an object with one key naming the kind and holding its options
 * (`{ "alembic": { "config": "db/alembic.ini" } }`, `{ "command": { "up": "make migrate" } }`).
 */
import { z } from 'zod';

const duration = z.string().regex(/^\d+\s*(ms|s|min|h|d)$/, 'expected a duration like "5s", "15min", "2h" or "7d"');

/** Options every wrapped tool takes. */
const toolOptions = {
  /** The tool's executable (relative to the project or absolute); found in the project or on PATH when unset. */
  bin: z.string().min(1).optional(),
  /** Kill the tool when one invocation runs longer than this (the run fails and the branch is restored). */
  timeout: duration.optional(),
};

export const alembicOptionsSchema = z
  .object({
    ...toolOptions,
    /** alembic.ini, relative to the project. */
    config: z.string().min(1).default('alembic.ini'),
    /** Alembic's version table, when env.py sets another `version_table`. */
    versionTable: z
      .string()
      .regex(/^[A-Za-z_][\w$]*(\.[A-Za-z_][\w$]*)?$/)
      .default('alembic_version'),
  })
  .strict();

export const nodePgMigrateOptionsSchema = z
  .object({
    ...toolOptions,
    /** The migrations folder (node-pg-migrate's `-m`). */
    migrationsDir: z.string().min(1).default('migrations'),
    /** Its history table (`--migrations-table`). */
    table: z.string().min(1).default('pgmigrations'),
  })
  .strict();

export const drizzleOptionsSchema = z
  .object({
    ...toolOptions,
    /** drizzle.config.* (drizzle-kit's `--config`); drizzle.config.ts/js/mjs/cjs in the project when unset. */
    config: z.string().min(1).optional(),
    /** The config's `out`: the folder with the SQL files and meta/_journal.json. */
    migrationsDir: z.string().min(1).default('drizzle'),
    /** drizzle's history table as the config names it (`migrations.schema`.`migrations.table`). */
    table: z
      .string()
      .regex(/^[A-Za-z_][\w$]*(\.[A-Za-z_][\w$]*)?$/)
      .default('drizzle.__drizzle_migrations'),
  })
  .strict();

export const knexOptionsSchema = z
  .object({
    ...toolOptions,
    /** The knexfile (knex's `--knexfile`); found in the project (or above) as knex does when unset. */
    knexfile: z.string().min(1).optional(),
    /** The knexfile's environment (knex's `--env`); knex's default (NODE_ENV, else development) when unset. */
    environment: z.string().min(1).optional(),
    /** The migrations folder the knexfile names (`migrations.directory`), relative to the project. */
    migrationsDir: z.string().min(1).default('migrations'),
    /** knex's history table as the knexfile names it (`migrations.schemaName`.`migrations.tableName`). */
    table: z
      .string()
      .regex(/^[A-Za-z_][\w$]*(\.[A-Za-z_][\w$]*)?$/)
      .default('knex_migrations'),
  })
  .strict();

export const dbmateOptionsSchema = z
  .object({ ...toolOptions, migrationsDir: z.string().min(1).default('db/migrations') })
  .strict();

export const sqitchOptionsSchema = z
  .object({
    ...toolOptions,
    /** The folder with sqitch.plan and deploy/, revert/, verify/ (sqitch's top_dir), relative to the project. */
    topDir: z.string().min(1).default('.'),
    /** sqitch's registry schema (its `registry` setting). */
    registry: z
      .string()
      .regex(/^[A-Za-z_][\w$]*$/)
      .default('sqitch'),
  })
  .strict();

export const commandOptionsSchema = z
  .object({
    /** Applies what is pending; run through a shell with DATABASE_URL set to the branch. */
    up: z.string().min(1),
    /** Reverts what `up` applied; without it the runner cannot go down. */
    down: z.string().min(1).optional(),
    /** Prints the current revision (its last line is shown as the revision). */
    status: z.string().min(1).optional(),
    /** Globs (relative to the project) of the files that define the migrations: the fingerprint. */
    files: z.array(z.string().min(1)).default([]),
    timeout: duration.optional(),
  })
  .strict();

export const runnerSchema = z.union([
  z.enum(['native', 'alembic', 'node-pg-migrate', 'drizzle', 'knex', 'dbmate', 'sqitch']),
  z.object({ native: z.object({}).strict() }).strict(),
  z.object({ alembic: alembicOptionsSchema }).strict(),
  z.object({ 'node-pg-migrate': nodePgMigrateOptionsSchema }).strict(),
  z.object({ drizzle: drizzleOptionsSchema }).strict(),
  z.object({ knex: knexOptionsSchema }).strict(),
  z.object({ dbmate: dbmateOptionsSchema }).strict(),
  z.object({ sqitch: sqitchOptionsSchema }).strict(),
  z.object({ command: commandOptionsSchema }).strict(),
]);

export type RunnerSetting = z.infer<typeof runnerSchema>;
/** The `runner` setting as written in neon-migrate.json (options with defaults may be left out). */
export type RunnerSettingInput = z.input<typeof runnerSchema>;
export type AlembicOptions = z.infer<typeof alembicOptionsSchema>;
export type NodePgMigrateOptions = z.infer<typeof nodePgMigrateOptionsSchema>;
export type DrizzleOptions = z.infer<typeof drizzleOptionsSchema>;
export type KnexOptions = z.infer<typeof knexOptionsSchema>;
export type DbmateOptions = z.infer<typeof dbmateOptionsSchema>;
export type SqitchOptions = z.infer<typeof sqitchOptionsSchema>;
export type CommandOptions = z.infer<typeof commandOptionsSchema>;
