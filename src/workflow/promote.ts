/** `promote`: the gated production run (docs/architecture.md §2). Gate failure → exit 3 with nothing touched. */
import { userInfo } from 'node:os';
import { versionArgument } from '../migrations/naming.js';
import { loadEnvironment } from '../config/load.js';
import { GateError, notConfirmed, UsageError } from '../errors.js';
import { runnerKind } from '../executors/index.js';
import { projectMigrations } from '../run/run-context.js';
import { assertCommandsExist } from '../verify/user-commands.js';
import type { WorkflowContext } from './workflow-context.js';
import { type GateResult, checkGate } from './gate.js';
import { type GuardedRunResult, guardedRun } from './guarded-run.js';
import { seedIfCreated } from './seed.js';

export interface PromoteOptions {
  /** Names one of the target's `requires` (checked); it never narrows the gate: every required environment is checked. */
  from?: string;
  /** Target environment or branch; defaults to the default branch's environment. */
  to?: string;
  run?: string[];
  wait?: boolean;
  /** Continue an interrupted promote. */
  resume?: boolean;
  /** Versions whose destructive changes are approved for this promote (`--allow-destructive`). */
  allowDestructive?: string[];
}

export interface PromoteResult extends GuardedRunResult {
  gate?: GateResult;
}

/**
 * Run `promote`.
 *
 * @example
 * ```ts
 * try {
 *   const { report } = await runPromote(ctx, { from: 'staging', to: 'main' });
 *   console.log(report.outcome, report.checkpoint);
 * } catch (err) {
 *   if (err instanceof GateError) console.error(err.message); // exit 3: nothing was touched
 *   else throw err;
 * }
 * ```
 */
export async function runPromote(ctx: WorkflowContext, opts: PromoteOptions): Promise<PromoteResult> {
  const target = loadEnvironment(ctx.projectDir, ctx.settings, opts.to ?? ctx.settings.defaultBranch);
  // Every required environment gates the promote; `--from` only names one of them (a narrower gate would be a bypass).
  const required = target.requires;
  if (!required.length) {
    throw new GateError(
      `${target.file} has no "requires": promote needs an environment whose tests gate ${target.branch}`,
      { hint: 'add e.g. "requires": ["staging"]', code: 'NO_GATE' },
    );
  }
  if (opts.from && !target.requires.includes(opts.from)) {
    throw new GateError(`${target.name} requires ${target.requires.join(', ') || 'nothing'}, not ${opts.from}`, {
      hint: `promote --from ${target.requires[0] ?? 'staging'}`,
      code: 'WRONG_GATE',
    });
  }
  const runCommands = [...target.checks.run, ...(opts.run ?? [])];
  // Our own files are loaded (and their errors reported) up front; a wrapped tool's are its executor's (prepare).
  if (runnerKind(ctx.settings.runner) === 'native') await projectMigrations(ctx);
  assertCommandsExist(runCommands, ctx.projectDir, ctx.env);
  await seedIfCreated(ctx);
  let gate: GateResult | undefined;
  const result = await guardedRun(ctx, {
    command: 'promote',
    environment: target,
    runCommands,
    reversibility: target.checks.reversibility,
    wait: opts.wait,
    resume: opts.resume,
    analysis: {
      settings: ctx.settings,
      environment: target,
      measure: false,
      approvals: {
        // `20260309T090000` and `20260309090000` name the same migration
        flagVersions: (opts.allowDestructive ?? []).map((v) => versionArgument(v, '--allow-destructive')),
        flagApprovedBy: userInfo().username,
        environment: target.approve.map((a) => ({
          ...a,
          version: versionArgument(a.version, `${target.file}: approve`),
        })),
      },
    },
    beforeTouch: async (pending, tested) => {
      gate = await checkGate(ctx, target, required, pending, tested);
      if (!gate.passed) {
        throw new GateError(`promote to ${target.branch} refused: ${gate.problems.join('; ')}`, {
          hint: `nothing was changed on ${target.branch}`,
          code: 'GATE_REFUSED',
        });
      }
      // Before the prompt: how long the run and its locks should take, from what staging measured.
      for (const note of gate.notes) if (note.startsWith('estimate on ')) ctx.log?.(note);
      if (target.confirm) {
        const question = `apply ${pending.length} migration(s) to ${target.branch} (${pending.map((m) => m.name).join(', ')})?`;
        if (!ctx.confirm)
          throw new UsageError(`confirmation needed: ${question}`, {
            hint: 'pass --yes to confirm',
            code: 'CONFIRMATION_REQUIRED',
          });
        if (!(await ctx.confirm(question))) throw notConfirmed(`promote to ${target.branch}`);
      }
      return [
        ...gate.checks.map(
          (c) =>
            `gate: ${c.environment} passed these migrations (runs ${c.passingRuns.map((r) => r.slice(0, 8)).join(', ')}), refreshed from ${target.branch} at ${c.refreshedAt}`,
        ),
        ...gate.notes,
      ];
    },
    notes: [],
  });
  return { ...result, ...(gate ? { gate } : {}) };
}
