/** Printing for the CLI: one JSON document on stdout with --json, human text otherwise; logs on stderr. */
import { type NeonMigrateError, redactSecrets, toNeonMigrateError } from '../errors.js';

/** What a command hands back to the CLI adapter for printing. */
export interface CommandOutput {
  /** The `--json` document. */
  json: unknown;
  /** Human-readable text (stdout). */
  human: string;
  /** Defaults to 0. A result can carry a non-zero code without throwing (e.g. a failed run, rolled back). */
  exitCode?: number;
  /** Print without redacting secrets: only for output whose point is a secret (`connection-string`). */
  unredacted?: boolean;
}

/** Print a command's result and return its exit code. */
export function printOutput(out: CommandOutput, json: boolean): number {
  const redact = out.unredacted ? (text: string) => text : redactSecrets;
  if (json) process.stdout.write(`${redact(JSON.stringify(out.json, null, 2))}\n`);
  else if (out.human) process.stdout.write(`${redact(out.human)}${out.human.endsWith('\n') ? '' : '\n'}`);
  return out.exitCode ?? 0;
}

/** Print an error as one line (plus hint) on stderr, or as JSON on stdout; return its exit code. */
export function printError(err: unknown, json: boolean): number {
  const e: NeonMigrateError = toNeonMigrateError(err);
  if (json) {
    process.stdout.write(`${redactSecrets(JSON.stringify({ ok: false, error: e.toJSON() }, null, 2))}\n`);
  } else {
    const hint = e.hint ? ` (${e.hint})` : '';
    process.stderr.write(`error: ${redactSecrets(e.message)}${redactSecrets(hint)}\n`);
    if (process.env.NEON_MIGRATE_DEBUG && err instanceof Error && err.stack) {
      process.stderr.write(`${redactSecrets(err.stack)}\n`);
    }
  }
  return e.exitCode;
}

/** A progress/log line on stderr (never stdout, so --json stays parseable). */
export function log(message: string): void {
  process.stderr.write(`${redactSecrets(message)}\n`);
}
