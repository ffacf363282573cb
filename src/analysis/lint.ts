/**
 * Static lint of SQL migrations with squawk (the `squawk-cli` npm package: a native binary shipped
 * in a per-platform optional dependency, so it runs offline). Findings are mapped to the statement
 * libpg-query locates, given a level per environment, and suppressed by a per-statement
 * `-- neon-migrate:allow <rule> because <reason>` comment, which is recorded.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import type { z } from 'zod';
import { ConfigError, PlatformError } from '../errors.js';
import type { environmentLintSchema, lintLevelSchema, lintSettingsSchema } from '../config/schema.js';
import { hasNoTransactionDirective, parseSqlFile } from '../migrations/sql.js';
import { type AllowComment, locateStatements, statementAtLine } from './statements.js';
import { saferFormForRule } from './safer-forms.js';

export type LintLevel = z.infer<typeof lintLevelSchema>;
export type LintSettings = z.output<typeof lintSettingsSchema>;
export type EnvironmentLint = z.output<typeof environmentLintSchema>;

/** A SQL migration to lint. */
export interface LintInput {
  /** Path shown in findings (relative to the project). */
  file: string;
  text: string;
  /** The migration version, carried into the findings for the report. */
  version?: string;
}

/** One squawk finding, placed on its statement. */
export interface LintFinding {
  version?: string;
  file: string;
  /** 1-based line and column of the finding. */
  line: number;
  column: number;
  rule: string;
  level: Exclude<LintLevel, 'off'>;
  message: string;
  /** What to write instead (squawk's help, or neon-migrate's own wording for the rule). */
  safer?: string;
  /** The statement it belongs to: position in the file, parse node kind, first line. */
  statement?: { index: number; kind: string; line: number };
}

/** A finding an allow comment suppressed. */
export interface AllowedFinding extends LintFinding {
  allow: AllowComment;
}

/** An allow comment that allows nothing (no reason given), worth showing. */
export interface AllowProblem {
  file: string;
  line: number;
  message: string;
}

export interface LintResult {
  findings: LintFinding[];
  allowed: AllowedFinding[];
  allowProblems: AllowProblem[];
  /** Number of error-level findings: one or more stops `test` before the checkpoint (exit 2). */
  errorCount: number;
}

/**
 * Rules off unless configured: neon-migrate already sets lock_timeout/statement_timeout on the run
 * session, and runs each migration in a transaction that a failure rolls back, so these are noise.
 */
export const BUILT_IN_RULE_LEVELS: Readonly<Record<string, LintLevel>> = {
  'require-lock-timeout': 'off',
  'require-statement-timeout': 'off',
  'require-timeout-settings': 'off',
  'prefer-robust-stmts': 'off',
};

/** The level of `rule`: environment rule, project rule, built-in default, then the default levels. */
export function ruleLevel(rule: string, settings: LintSettings, env?: EnvironmentLint): LintLevel {
  return (
    env?.rules[rule] ?? settings.rules[rule] ?? BUILT_IN_RULE_LEVELS[rule] ?? env?.defaultLevel ?? settings.defaultLevel
  );
}

/** Path of the squawk binary from its platform package; a clear error when it was not installed. */
export function squawkBinary(): string {
  const require = createRequire(import.meta.url);
  try {
    const index = require('squawk-cli/js/index.js') as { getBinaryPath(): string };
    return index.getBinaryPath();
  } catch (err) {
    throw new PlatformError(
      `squawk is not installed for ${process.platform}-${process.arch}: ${(err as Error).message.split('\n')[0]}`,
      { hint: 'reinstall with optional dependencies (npm ci --include=optional)', code: 'LINT_UNAVAILABLE' },
    );
  }
}

/** squawk's JSON reporter row (0-based line/column). */
interface SquawkViolation {
  file: string;
  line: number;
  column: number;
  level: string;
  message: string;
  help: string | null;
  rule_name: string;
}

/**
 * Run squawk once over many files (one process per file costs ~200 ms here): the texts are written
 * to a private temp dir as `<index>.sql`, and findings come back keyed by that index. Files that
 * run in a transaction are linted as such (`--assume-in-transaction`), so they go in one batch and
 * no-transaction files in another.
 */
async function runSquawk(
  inputs: LintInput[],
  include: string[],
  pgVersion?: string,
): Promise<Map<number, SquawkViolation[]>> {
  const byIndex = new Map<number, SquawkViolation[]>();
  if (inputs.length === 0) return byIndex;
  const dir = mkdtempSync(path.join(tmpdir(), 'nm-lint-'));
  try {
    for (const [i, input] of inputs.entries()) writeFileSync(path.join(dir, `${i}.sql`), input.text);
    const batches = [true, false].map((inTx) =>
      inputs.map((input, i) => ({ input, i })).filter((x) => !hasNoTransactionDirective(x.input.text) === inTx),
    );
    for (const [b, batch] of batches.entries()) {
      if (batch.length === 0) continue;
      const args = ['--reporter', 'json', '--no-error-on-unmatched-pattern'];
      if (b === 0) args.push('--assume-in-transaction');
      if (pgVersion) args.push(`--pg-version=${pgVersion.includes('.') ? pgVersion : `${pgVersion}.0`}`);
      for (const rule of include) args.push(`--include=${rule}`);
      args.push(...batch.map((x) => `${x.i}.sql`));
      const res = await execa(squawkBinary(), args, { cwd: dir, reject: false, timeout: 120_000 });
      if (res.exitCode !== 0 && res.exitCode !== 1) throw squawkError(String(res.stderr), res.exitCode);
      const out = String(res.stdout).trim();
      for (const v of out === '' ? [] : (JSON.parse(out) as SquawkViolation[])) {
        const i = Number(path.basename(v.file, '.sql'));
        byIndex.set(i, [...(byIndex.get(i) ?? []), v]);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return byIndex;
}

/** squawk refused to run: an unknown rule in the settings is a config error, anything else a platform one. */
function squawkError(stderr: string, exitCode: number | undefined): Error {
  const why = stderr.trim().split('\n')[0] || `exit code ${exitCode}`;
  const bad = /invalid rule name (\S+)/.exec(why);
  if (bad)
    return new ConfigError([{ file: 'neon-migrate.json', key: `lint.rules.${bad[1]}`, message: 'not a squawk rule' }]);
  return new PlatformError(`squawk failed: ${why}`, {
    hint: 'run `npx squawk <file>` to see the problem',
    code: 'LINT_FAILED',
  });
}

/** Lint SQL migrations; levels come from the project's `lint` settings and the environment's override. */
export async function lintMigrations(
  files: LintInput[],
  settings: LintSettings,
  env?: EnvironmentLint,
): Promise<LintResult> {
  // Opt-in rules must be named to squawk; naming a default rule again is harmless.
  const configured = { ...settings.rules, ...env?.rules };
  const include = Object.keys(configured)
    .filter((r) => configured[r] !== 'off')
    .sort();
  const result: LintResult = { findings: [], allowed: [], allowProblems: [], errorCount: 0 };
  const violations = await runSquawk(files, include, settings.pgVersion);
  for (const [i, input] of files.entries()) {
    const statements = await locateOrExplain(input);
    for (const s of statements) {
      for (const a of s.allows) {
        if (!a.reason) {
          result.allowProblems.push({
            file: input.file,
            line: a.line,
            message: `"neon-migrate:allow ${a.rule}" has no "because <reason>" and allows nothing`,
          });
        }
      }
    }
    for (const v of violations.get(i) ?? []) {
      const level = v.rule_name === 'syntax-error' ? 'error' : ruleLevel(v.rule_name, settings, env);
      if (level === 'off') continue;
      const line = v.line + 1;
      const statement = statementAtLine(statements, line);
      const finding: LintFinding = {
        ...(input.version === undefined ? {} : { version: input.version }),
        file: input.file,
        line,
        column: v.column + 1,
        rule: v.rule_name,
        level,
        message: v.message,
        ...optionalSafer(saferFormForRule(v.rule_name) ?? v.help ?? undefined),
        ...(statement ? { statement: { index: statement.index, kind: statement.kind, line: statement.line } } : {}),
      };
      const allow = statement?.allows.find((a) => a.rule === v.rule_name && a.reason !== '');
      if (allow) {
        result.allowed.push({ ...finding, allow });
      } else {
        result.findings.push(finding);
        if (level === 'error') result.errorCount++;
      }
    }
  }
  return result;
}

/** Locate statements; invalid SQL becomes the project's file:line:column error. */
async function locateOrExplain(input: LintInput) {
  try {
    return await locateStatements(input.text);
  } catch (err) {
    await parseSqlFile(input.file, input.text);
    throw err;
  }
}

function optionalSafer(safer: string | undefined): { safer?: string } {
  return safer ? { safer } : {};
}
