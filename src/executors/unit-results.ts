/** Turning one tool invocation (its progress lines, its exit, the revisions after) into per-unit results. */
import type { ExecutorRunResult, ExecutorUnit, ToolInvocation, UnitResult } from './types.js';

export interface ToolRunFacts {
  /** The units asked for, in the order the tool runs them. */
  units: ExecutorUnit[];
  direction: 'up' | 'down';
  /** When each unit started (ms into the invocation), from the tool's progress lines. */
  starts: Map<string, number>;
  /** Units that are applied (up) or no longer applied (down) after the invocation. */
  done: Set<string>;
  invocation: ToolInvocation;
  transactional: boolean;
  revisionBefore?: string | null;
  revisionAfter?: string | null;
}

/** The line of a tool's output that best says why it failed. */
export function failureLine(output: string): string {
  const lines = output
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  const killed = lines.find((l) => l.startsWith('killed: '));
  if (killed) return killed;
  // A Python traceback's last word (`sqlalchemy.exc.DataError: (...) division by zero`), a Node error...
  const exception = /^([\w.]+(Error|Exception|Exit)|error|fatal|ERROR|FATAL)\b.*:/;
  for (let i = lines.length - 1; i >= 0; i--) if (exception.test(lines[i]!)) return lines[i]!;
  const errorish = /(error|exception|fatal|failed|refused|denied|not found|no such)/i;
  const noise = /^\(Background on this error/;
  for (let i = lines.length - 1; i >= 0; i--) if (errorish.test(lines[i]!) && !noise.test(lines[i]!)) return lines[i]!;
  return lines.at(-1) ?? 'the tool failed without output';
}

/** Per-unit results and the outcome of one invocation; the unit that was running when it failed is `failed`. */
export function unitResults(f: ToolRunFacts): ExecutorRunResult {
  const ok = f.invocation.exitCode === 0 && !f.invocation.timedOut;
  const endMs = f.invocation.durationMs;
  const startedOrder = f.units.filter((u) => f.starts.has(u.version));
  const lastStarted = startedOrder.at(-1)?.version;
  // Without progress lines, the first unit not done is the one the failure belongs to.
  const culprit = ok
    ? undefined
    : (f.units.find((u) => u.version === lastStarted && !f.done.has(u.version)) ??
      f.units.find((u) => !f.done.has(u.version)));
  const results: UnitResult[] = f.units.map((u, i) => {
    const start = f.starts.get(u.version);
    const nextStart = f.units
      .slice(i + 1)
      .map((n) => f.starts.get(n.version))
      .find((t) => t !== undefined);
    const durationMs = start === undefined ? 0 : Math.max(0, Math.round((nextStart ?? endMs) - start));
    const base = {
      version: u.version,
      name: u.name,
      direction: f.direction,
      durationMs,
      transactional: f.transactional,
    };
    if (f.done.has(u.version)) return { ...base, status: f.direction === 'up' ? 'applied' : 'reverted' } as UnitResult;
    if (u === culprit) {
      return {
        ...base,
        status: 'failed',
        error: { message: failureLine(f.invocation.output), location: u.file ?? f.invocation.command },
      };
    }
    if (ok) {
      const message = `${f.invocation.command} exited 0 but ${u.version} is ${f.direction === 'up' ? 'not applied' : 'still applied'}`;
      return { ...base, status: 'failed', error: { message, location: u.file ?? f.invocation.command } };
    }
    return { ...base, status: 'not-run' };
  });
  const allDone = f.units.every((u) => f.done.has(u.version));
  return {
    outcome: ok && allDone ? 'succeeded' : 'failed',
    results,
    revisionBefore: f.revisionBefore ?? null,
    revisionAfter: f.revisionAfter ?? null,
    tool: [f.invocation],
  };
}
