/**
 * Typed errors with stable codes. The library throws these; `cli/` maps `exitCode` to the
 * process exit status (README, "Exit codes"). Messages are one line and say how to fix the problem.
 */
import { nearestNames } from './nearest-names.js';

/** Exit codes (README, "Exit codes"). */
export const ExitCode = {
  ok: 0,
  migrationFailed: 1,
  usage: 2,
  gate: 3,
  platform: 4,
  locked: 5,
} as const;
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/**
 * Every stable error code the library uses (`--json` prints it as `error.code`; README, "Error
 * codes"). A code never changes meaning; new ones are only added.
 */
export const ERROR_CODES = [
  'ALREADY_ADOPTED',
  'ALREADY_ROLLED_BACK',
  'APPLY_FAILED',
  'ARCHIVE_FAILED',
  'ARCHIVE_TIMEOUT',
  'ASSERTION_FILE',
  'AUTO_RESTORE_FAILED',
  'BACKFILL_INCOMPLETE',
  'BACKFILL_IN_TRANSACTION',
  'BACKFILL_SPEC',
  'BACKFILL_UNKNOWN',
  'BAD_DURATION',
  'BAD_FROM',
  'BAD_LSN',
  'BAD_NAME',
  'BAD_SEED_SIZE',
  'BAD_STEPS',
  'BAD_TIMESTAMP',
  'BAD_VERSION',
  'BASELINE_AMBIGUOUS',
  'BASELINE_MISMATCH',
  'BASELINE_NEEDS_TO',
  'BASELINE_TO_WITH_TABLE',
  'BRANCH_ARGS',
  'BRANCH_EXISTS',
  'BRANCH_GATED',
  'BRANCH_HAS_CHILDREN',
  'BRANCH_IS_DEFAULT',
  'BRANCH_IS_ROOT',
  'BRANCH_NOT_FOUND',
  'BRANCH_PROTECTED',
  'BRANCH_RESTRICTED',
  'CHECKPOINT_FAILED',
  'CLOCK',
  'COMPUTE_UNREACHABLE',
  'CONFIG_INVALID',
  'CONFIRMATION_REQUIRED',
  'CONFLICT',
  'COPY_FAILED',
  'DATA_MISSING',
  'DB_CONNECT',
  'DESTRUCTIVE_DOWN',
  'DESTRUCTIVE_UNAPPROVED',
  'DRIFT',
  'DUPLICATE_VERSION',
  'EXPIRY_NOT_ALLOWED',
  'GATE_REFUSED',
  'HISTORY_FAILED',
  'INITDB_FAILED',
  'INTERRUPTED_RUN',
  'INVALID_BRANCH_NAME',
  'INVALID_EXPIRY',
  'INVALID_LSN',
  'INVALID_TIMESTAMP',
  'LATENCY_REGRESSION',
  'LINT_ERROR',
  'LINT_FAILED',
  'LINT_UNAVAILABLE',
  'LOCKED',
  'MASKED_BRANCH',
  'MASKING_FAILED',
  'MASKING_FK_COLUMN',
  'MASKING_LEAK',
  'MASKING_TARGET',
  'MIGRATION_EMPTY',
  'MIGRATION_ENCODING',
  'MIGRATION_FAILED',
  'MIGRATION_FILE',
  'MIGRATION_TS_LOAD',
  'MISSING_FILE',
  'NEEDS_NO_TRANSACTION',
  'NEON_API',
  'NEON_BAD_REQUEST',
  'NEON_BAD_RESPONSE',
  'NEON_BUSY',
  'NEON_FORBIDDEN',
  'NEON_NOT_FOUND',
  'NEON_OPERATION_FAILED',
  'NEON_OPERATION_TIMEOUT',
  'NEON_UNAUTHORIZED',
  'NEON_UNREACHABLE',
  'NOTHING_TO_RESUME',
  'NOTHING_TO_REVERT',
  'NOTHING_TO_ROLL_BACK',
  'NOT_APPLIED',
  'NOT_CONFIRMED',
  'NOT_LOCAL',
  'NO_BACKUP',
  'NO_CHECKPOINT',
  'NO_DOWN',
  'NO_FOREIGN_HISTORY',
  'NO_GATE',
  'NO_PARENT',
  'NO_PORT',
  'NO_PROJECT_DIR',
  'ORDERING_CONFLICT',
  'OUT_OF_ORDER',
  'OVER_BUDGET',
  'PARTIAL',
  'PG_BINARIES_MISSING',
  'PG_BINARIES_UNREACHABLE',
  'PG_BINARIES_WRONG_MAJOR',
  'PG_MAJOR_CHANGED',
  'PG_USER',
  'PITR_ROOT_ONLY',
  'PLAN_OFFLINE',
  'PLATFORM',
  'PORT_IN_USE',
  'PRESERVE_NAME_REQUIRED',
  'PREVIEW_FAILED',
  'RECORD_FAILED',
  'REPLAY_FAILED',
  'REPLAY_TIMEOUT',
  'REPORTS_UNWRITABLE',
  'RESET_DEFAULT',
  'RESET_ROOT',
  'RESTORE_ARGS',
  'RESTORE_FAILED',
  'RESTORE_NOOP',
  'RESUME_DIRECTION',
  'RESUME_EDITED',
  'RESUME_SELECTION',
  'REVERSIBILITY_FAILED',
  'RUNNER_CONFIG_MISSING',
  'RUNNER_FILES',
  'RUNNER_HISTORY',
  'RUNNER_MERGE_DOWN',
  'RUNNER_MULTIPLE_HEADS',
  'RUNNER_NO_DOWN',
  'RUNNER_NO_TARGET',
  'RUNNER_OFFLINE_SQL',
  'RUNNER_STATE',
  'RUNNER_UNAVAILABLE',
  'RUNNER_UNKNOWN_REVISION',
  'RUN_COMMAND_NOT_FOUND',
  'SEED_FAILED',
  'SNAPSHOT_FAILED',
  'SQL_SYNTAX',
  'START_FAILED',
  'STATE_CORRUPTED',
  'STATE_INVALID',
  'STATE_MISSING',
  'STOP_FAILED',
  'SYSTEM_DIR_UNUSABLE',
  'TABLE_LOCKED',
  'TARGET_OUT_OF_RANGE',
  'TEST_ON_DEFAULT',
  'TLS_CERT_FAILED',
  'TOOL_BROKEN',
  'TOOL_MISSING',
  'TRANSACTION_CONTROL',
  'UNEXPECTED',
  'UNKNOWN_CHECKPOINT',
  'UNKNOWN_ENVIRONMENT',
  'UNKNOWN_REPORT',
  'UNKNOWN_ROLE',
  'UNKNOWN_VERSION',
  'USAGE',
  'VERIFY_FAILED',
  'WAL',
  'WRONG_GATE',
] as const;

/** One of ERROR_CODES. */
export type ErrorCode = (typeof ERROR_CODES)[number];

/** Options every error takes besides its message: the fix, a specific code, the underlying cause. */
export interface ErrorOptions {
  /** What the user can do about it (shown after the message). */
  hint?: string;
  /** A stable code more specific than the class's default (see ERROR_CODES). */
  code?: ErrorCode;
  cause?: unknown;
}

/** Base class: every error the library raises on purpose. */
export class NeonMigrateError extends Error {
  /** Stable machine-readable code, e.g. `BRANCH_NOT_FOUND`. */
  readonly code: ErrorCode;
  readonly exitCode: ExitCodeValue;
  /** What the user can do about it (shown after the message). */
  readonly hint?: string;

  constructor(exitCode: ExitCodeValue, message: string, options: ErrorOptions & { code: ErrorCode }) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = options.code;
    this.exitCode = exitCode;
    this.hint = options.hint;
  }

  /** JSON shape used by `--json` output. */
  toJSON(): { code: string; message: string; hint?: string; exitCode: number } {
    return { code: this.code, message: this.message, hint: this.hint, exitCode: this.exitCode };
  }
}

/** Bad flags or arguments (exit 2). */
export class UsageError extends NeonMigrateError {
  constructor(message: string, options: ErrorOptions = {}) {
    super(ExitCode.usage, message, { ...options, code: options.code ?? 'USAGE' });
  }
}

/**
 * Masking rules that cannot be applied to the database as it is (exit 2): an unknown table or
 * column, a foreign-key column, a type the function cannot write. Lists every problem at once.
 */
export class MaskingRuleError extends NeonMigrateError {
  readonly problems: string[];
  constructor(problems: string[], options: ErrorOptions = {}) {
    super(ExitCode.usage, `masking rules cannot be applied: ${problems.join('; ')}`, {
      ...options,
      code: options.code ?? 'MASKING_TARGET',
      hint: options.hint ?? 'fix the masking rules of the environment; nothing was created',
    });
    this.problems = problems;
  }
}

/** An action a masked (anonymized) branch never allows, e.g. being a restore source or target (exit 2). */
export class MaskedBranchError extends NeonMigrateError {
  constructor(message: string, options: ErrorOptions = {}) {
    super(ExitCode.usage, message, { ...options, code: options.code ?? 'MASKED_BRANCH' });
  }
}

/** One problem in a config file. */
export interface ConfigProblem {
  file: string;
  key: string;
  message: string;
}

/** Invalid neon-migrate.json / environments/*.json / .env (exit 2); lists every problem at once. */
export class ConfigError extends NeonMigrateError {
  readonly problems: ConfigProblem[];
  constructor(problems: ConfigProblem[], options: Pick<ErrorOptions, 'hint'> = {}) {
    const text = problems.map((p) => `${p.file}${p.key ? `: ${p.key}` : ''}: ${p.message}`).join('; ');
    const files = [...new Set(problems.map((p) => p.file))].join(', ');
    const hint = options.hint ?? `fix ${files || 'the configuration'} and run the command again; nothing was changed`;
    super(ExitCode.usage, text, { code: 'CONFIG_INVALID', hint });
    this.problems = problems;
  }
}

/** A migration file cannot be used (exit 2): syntax error, duplicate version, bad module... */
export class MigrationFileError extends NeonMigrateError {
  constructor(message: string, options: ErrorOptions = {}) {
    super(ExitCode.usage, message, { ...options, code: options.code ?? 'MIGRATION_FILE' });
  }
}

/** A migration or verification failed; the branch was restored (exit 1). */
export class MigrationFailedError extends NeonMigrateError {
  constructor(message: string, options: ErrorOptions = {}) {
    super(ExitCode.migrationFailed, message, { ...options, code: options.code ?? 'MIGRATION_FAILED' });
  }
}

/** Refused by a gate: untested on staging, unapproved destructive change, protected branch (exit 3). */
export class GateError extends NeonMigrateError {
  constructor(message: string, options: ErrorOptions = {}) {
    super(ExitCode.gate, message, { ...options, code: options.code ?? 'GATE_REFUSED' });
  }
}

/** An explicit "no" at a confirmation prompt: not approved (exit 3). A missing `--yes` off a TTY is a UsageError (exit 2). */
export function notConfirmed(what: string): GateError {
  return new GateError(`${what}: not confirmed`, {
    hint: 'nothing was changed; answer y, or pass --yes',
    code: 'NOT_CONFIRMED',
  });
}

/** The platform (Neon API or local engine) failed or refused (exit 4). */
export class PlatformError extends NeonMigrateError {
  /** HTTP-like status where one applies (404, 409, 423...). */
  readonly status?: number;
  constructor(message: string, options: ErrorOptions & { status?: number } = {}) {
    super(ExitCode.platform, message, { ...options, code: options.code ?? 'PLATFORM' });
    this.status = options.status;
  }
}

/** No branch with that name or id (exit 4, as Neon answers 404). */
export class BranchNotFoundError extends PlatformError {
  /** The name or id that was asked for. */
  readonly branch: string;
  /** Up to 5 existing names nearest to it. */
  readonly nearest: string[];
  constructor(ref: string, known: string[] = []) {
    const near = nearestNames(ref, known, 5);
    const hint = near.length
      ? `nearest existing: ${near.join(', ')}${known.length > near.length ? ` (${known.length} branches; \`neon-migrate branches list\` shows all)` : ''}`
      : 'run `neon-migrate branches list` to see the branches';
    super(`branch "${ref}" not found`, { hint, code: 'BRANCH_NOT_FOUND', status: 404 });
    this.branch = ref;
    this.nearest = near;
  }
}

/** A name already taken, a rule of Neon's broken, etc. (exit 4, HTTP 409/400-like). */
export class ConflictError extends PlatformError {
  constructor(message: string, options: ErrorOptions = {}) {
    super(message, { ...options, code: options.code ?? 'CONFLICT', status: 409 });
  }
}

/** Another run holds the branch lock (exit 5). */
export class LockedError extends NeonMigrateError {
  constructor(message: string, options: ErrorOptions = {}) {
    super(ExitCode.locked, message, {
      ...options,
      code: options.code ?? 'LOCKED',
      hint: options.hint ?? 'wait for the other run to finish, or pass --wait',
    });
  }
}

/** A user table stayed locked by another session past lock_timeout (exit 5: retry when it is free). */
export class TableLockedError extends NeonMigrateError {
  /** The qualified table name. */
  readonly table: string;
  constructor(message: string, options: ErrorOptions & { table: string }) {
    super(ExitCode.locked, message, { ...options, code: 'TABLE_LOCKED' });
    this.table = options.table;
  }
}

/**
 * Replace secrets (passwords in URIs, API keys) with "****" so they never reach output.
 *
 * @example
 * ```ts
 * redactSecrets('postgresql://neondb_owner:s3cret@host/neondb'); // 'postgresql://neondb_owner:****@host/neondb'
 * ```
 */
export function redactSecrets(text: string): string {
  return text
    .replace(/(postgres(?:ql)?:\/\/[^:/@\s]+:)[^@\s]+@/gi, '$1****@')
    .replace(/(Bearer\s+)[A-Za-z0-9._~+/=-]+/g, '$1****')
    .replace(/(NEON_API_KEY=)\S+/g, '$1****')
    .replace(/(password=)[^\s&]+/gi, '$1****');
}

/**
 * Wrap anything thrown into a NeonMigrateError (unknown errors become platform errors).
 *
 * @example
 * ```ts
 * catch (err) {
 *   const e = toNeonMigrateError(err);
 *   console.error(`${e.code}: ${e.message}`);
 *   return e.exitCode; // the CLI exits with it
 * }
 * ```
 */
export function toNeonMigrateError(err: unknown): NeonMigrateError {
  if (err instanceof NeonMigrateError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new PlatformError(redactSecrets(message), { code: 'UNEXPECTED', cause: err });
}
