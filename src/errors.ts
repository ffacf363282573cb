/**
 * Typed errors with stable codes. The library throws these; `cli/` maps `exitCode` to the
 * process exit status (README, "Exit codes"). Messages are one line and say how to fix the problem.
 */

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

/** Base class: every error the library raises on purpose. */
export class NeonMigrateError extends Error {
  /** Stable machine-readable code, e.g. `BRANCH_NOT_FOUND`. */
  readonly code: string;
  readonly exitCode: ExitCodeValue;
  /** What the user can do about it (shown after the message). */
  readonly hint?: string;

  constructor(code: string, exitCode: ExitCodeValue, message: string, hint?: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
    this.exitCode = exitCode;
    this.hint = hint;
  }

  /** JSON shape used by `--json` output. */
  toJSON(): { code: string; message: string; hint?: string; exitCode: number } {
    return { code: this.code, message: this.message, hint: this.hint, exitCode: this.exitCode };
  }
}

/** Bad flags or arguments (exit 2). */
export class UsageError extends NeonMigrateError {
  constructor(message: string, hint?: string, code = 'USAGE') {
    super(code, ExitCode.usage, message, hint);
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
  constructor(problems: ConfigProblem[], hint?: string) {
    const text = problems.map((p) => `${p.file}${p.key ? `: ${p.key}` : ''}: ${p.message}`).join('; ');
    super('CONFIG_INVALID', ExitCode.usage, text, hint);
    this.problems = problems;
  }
}

/** A migration file cannot be used (exit 2): syntax error, duplicate version, bad module... */
export class MigrationFileError extends NeonMigrateError {
  constructor(message: string, hint?: string, code = 'MIGRATION_FILE') {
    super(code, ExitCode.usage, message, hint);
  }
}

/** A migration or verification failed; the branch was restored (exit 1). */
export class MigrationFailedError extends NeonMigrateError {
  constructor(message: string, hint?: string, code = 'MIGRATION_FAILED') {
    super(code, ExitCode.migrationFailed, message, hint);
  }
}

/** Refused by a gate: untested on staging, unapproved destructive change, protected branch (exit 3). */
export class GateError extends NeonMigrateError {
  constructor(message: string, hint?: string, code = 'GATE_REFUSED') {
    super(code, ExitCode.gate, message, hint);
  }
}

/**
 * An explicit "no" at a confirmation prompt: not approved (exit 3). A missing `--yes` off a TTY is a
 * UsageError (exit 2).
 *
 * @example
 * ```ts
 * if (!(await ask('restore main?'))) throw notConfirmed('restore main'); // GateError NOT_CONFIRMED, exit 3
 * ```
 */
export function notConfirmed(what: string): GateError {
  return new GateError(`${what}: not confirmed`, 'nothing was changed; answer y, or pass --yes', 'NOT_CONFIRMED');
}

/** The platform (Neon API or local engine) failed or refused (exit 4). */
export class PlatformError extends NeonMigrateError {
  /** HTTP-like status where one applies (404, 409, 423...). */
  readonly status?: number;
  constructor(message: string, hint?: string, code = 'PLATFORM', status?: number, options?: { cause?: unknown }) {
    super(code, ExitCode.platform, message, hint, options);
    this.status = status;
  }
}

/** No branch with that name or id (exit 4, as Neon answers 404). */
export class BranchNotFoundError extends PlatformError {
  constructor(ref: string, known: string[] = []) {
    const hint = known.length
      ? `existing branches: ${known.join(', ')}`
      : 'run `neon-migrate branches list` to see the branches';
    super(`branch "${ref}" not found`, hint, 'BRANCH_NOT_FOUND', 404);
  }
}

/** A name already taken, a rule of Neon's broken, etc. (exit 4, HTTP 409/400-like). */
export class ConflictError extends PlatformError {
  constructor(message: string, hint?: string, code = 'CONFLICT') {
    super(message, hint, code, 409);
  }
}

/** Another run holds the branch lock (exit 5). */
export class LockedError extends NeonMigrateError {
  constructor(message: string, hint = 'wait for the other run to finish, or pass --wait') {
    super('LOCKED', ExitCode.locked, message, hint);
  }
}

/** A user table stayed locked by another session past lock_timeout (exit 5: retry when it is free). */
export class TableLockedError extends NeonMigrateError {
  /** The qualified table name. */
  readonly table: string;
  constructor(message: string, hint: string, table: string) {
    super('TABLE_LOCKED', ExitCode.locked, message, hint);
    this.table = table;
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
 *   process.exitCode = e.exitCode;
 * }
 * ```
 */
export function toNeonMigrateError(err: unknown): NeonMigrateError {
  if (err instanceof NeonMigrateError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new PlatformError(redactSecrets(message), undefined, 'UNEXPECTED', undefined, { cause: err });
}
