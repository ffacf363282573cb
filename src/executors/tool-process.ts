/**
 * Running a wrapped migration tool: DATABASE_URL and the libpq settings point it at the branch,
 * its output streams through the target's `log` (prefixed, secrets scrubbed) and is kept for the
 * report, and an invocation past the configured limit is killed.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { readdirSync, readFileSync } from 'node:fs';
import { execa } from 'execa';
import { redactSecrets, UsageError } from '../errors.js';
import type { ExecutorTarget, ToolInvocation } from './types.js';

/** Terminal colour and cursor sequences (spinners redraw with them): not text, dropped from lines. */
const ANSI_CONTROL = new RegExp(`${String.fromCharCode(27)}\\[[0-9;?]*[A-Za-z]`, 'g');

/** How much of a tool's output the report keeps (the head and the tail survive). */
const MAX_KEPT_OUTPUT = 64 * 1024;

/** One line of a tool's output, with when it arrived (ms since the invocation started). */
export interface ToolLine {
  stream: 'stdout' | 'stderr';
  text: string;
  atMs: number;
}

export interface ToolCall {
  /** Label for the command line in reports, e.g. `alembic upgrade head`. */
  display: string;
  /** The executable and its arguments, or a shell command line (`shell: true`). */
  file: string;
  args?: string[];
  shell?: boolean;
  cwd: string;
  /** The process environment (PATH...), before the branch settings are added. */
  env: NodeJS.ProcessEnv;
  /** Variables that point the tool at the branch (DATABASE_URL, PGOPTIONS...). */
  extraEnv?: Record<string, string>;
  /** Prefix for streamed lines, e.g. `alembic`. */
  prefix: string;
  log?: (message: string) => void;
  /** Kill the tool after this many ms. */
  timeoutMs?: number;
  /** Literal secrets to scrub besides what redactSecrets finds (the branch password). */
  secrets?: string[];
  /** Called for each output line as it arrives (already scrubbed). */
  onLine?: (line: ToolLine) => void;
}

export interface ToolOutcome {
  invocation: ToolInvocation;
  /** The tool's stdout, scrubbed (for parsing `alembic current` and the like). */
  stdout: string;
  lines: ToolLine[];
  /** The executable could not be started (ENOENT, EACCES). */
  notFound: boolean;
}

/** A function that removes every known secret from a text. */
export function scrubber(secrets: string[]): (text: string) => string {
  const literal = [...new Set(secrets.filter((s) => s.length >= 4))].sort((a, b) => b.length - a.length);
  return (text) => {
    let out = redactSecrets(text);
    for (const s of literal) out = out.split(s).join('****');
    return out;
  };
}

/** The branch password in raw and URI-encoded form, for scrubbing. */
export function uriSecrets(uri: string): string[] {
  try {
    const encoded = new URL(uri).password;
    return encoded ? [encoded, decodeURIComponent(encoded)] : [];
  } catch {
    return [];
  }
}

/** Postgres duration text as PGOPTIONS takes it (no blanks: they separate options). */
function pgDuration(text: string): string {
  return text.replace(/\s+/g, '');
}

/**
 * The variables that point a tool at the branch: DATABASE_URL; the libpq PG* variables (a tool that
 * reads those, psql for one, reaches the branch and never what the caller's shell points at);
 * PGOPTIONS carrying lock_timeout and statement_timeout (libpq and node-postgres both read it); and
 * PGAPPNAME, so that a killed tool's sessions can be found and ended.
 */
export function branchEnv(target: ExecutorTarget): Record<string, string> {
  const inherited = target.env.PGOPTIONS ? `${target.env.PGOPTIONS} ` : '';
  return {
    ...libpqEnv(target.uri),
    DATABASE_URL: target.uri,
    PGOPTIONS:
      `${inherited}-c lock_timeout=${pgDuration(target.timeouts.lockTimeout)}` +
      ` -c statement_timeout=${pgDuration(target.timeouts.statementTimeout)}`,
    PGAPPNAME: toolApplicationName(target.runId),
  };
}

/** PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE (and PGSSLMODE) of a connection URI. */
export function libpqEnv(uri: string): Record<string, string> {
  const u = new URL(uri);
  const env: Record<string, string> = {
    PGHOST: u.hostname,
    PGPORT: u.port || '5432',
    PGUSER: decodeURIComponent(u.username),
    PGPASSWORD: decodeURIComponent(u.password),
    PGDATABASE: decodeURIComponent(u.pathname.replace(/^\//, '')),
  };
  const sslmode = u.searchParams.get('sslmode');
  if (sslmode) env.PGSSLMODE = sslmode;
  return env;
}

/** The application_name a run's tool sessions carry. */
export function toolApplicationName(runId: string): string {
  return `neon-migrate-tool:${runId}`.slice(0, 63);
}

/** Keep the head and the tail of a long output. */
function truncate(text: string): string {
  if (text.length <= MAX_KEPT_OUTPUT) return text;
  const half = MAX_KEPT_OUTPUT / 2;
  return `${text.slice(0, half)}\n… ${text.length - MAX_KEPT_OUTPUT} characters left out …\n${text.slice(-half)}`;
}

/** Run a tool to completion; never throws for the tool's own failure (see `invocation.exitCode`). */
export async function runTool(call: ToolCall): Promise<ToolOutcome> {
  const scrub = scrubber(call.secrets ?? []);
  const lines: ToolLine[] = [];
  const started = performance.now();
  const tap = (stream: ToolLine['stream']) =>
    function* (raw: unknown) {
      const text = scrub(String(raw).replace(ANSI_CONTROL, ''));
      const line: ToolLine = { stream, text, atMs: performance.now() - started };
      lines.push(line);
      call.log?.(`${call.prefix}| ${line.text}`);
      call.onLine?.(line);
      yield raw;
    };
  const subprocess = execa(call.file, call.args ?? [], {
    cwd: call.cwd,
    env: { ...call.env, ...call.extraEnv },
    extendEnv: false,
    shell: call.shell ?? false,
    reject: false,
    stdin: 'ignore',
    stdout: [tap('stdout'), 'pipe'],
    stderr: [tap('stderr'), 'pipe'],
  });
  // Our own limit rather than execa's: a shell's children (psql under `sh -c`) must die with it.
  let timedOut = false;
  let forceKill: NodeJS.Timeout | undefined;
  const limit = call.timeoutMs
    ? setTimeout(() => {
        timedOut = true;
        killTree(subprocess.pid, 'SIGTERM');
        forceKill = setTimeout(() => killTree(subprocess.pid, 'SIGKILL'), 3000);
      }, call.timeoutMs)
    : undefined;
  const result = await subprocess;
  clearTimeout(limit);
  clearTimeout(forceKill);
  const errno = (result as { code?: string }).code;
  const notFound = result.failed && result.exitCode === undefined && (errno === 'ENOENT' || errno === 'EACCES');
  let output = lines.map((l) => l.text).join('\n');
  if (timedOut) output += `\nkilled: ran longer than ${call.timeoutMs} ms`;
  else if (notFound) output += `\ncannot start ${call.file}: ${errno}`;
  const invocation: ToolInvocation = {
    command: scrub(call.display),
    exitCode: result.exitCode ?? null,
    durationMs: Math.round(performance.now() - started),
    output: truncate(output),
    ...(timedOut ? { timedOut: true } : {}),
  };
  return {
    invocation,
    stdout: lines
      .filter((l) => l.stream === 'stdout')
      .map((l) => l.text)
      .join('\n'),
    lines,
    notFound,
  };
}

/** The descendants of a process, deepest first (Linux /proc; [] where there is none). */
function descendants(pid: number): number[] {
  const children = new Map<number, number[]>();
  let entries: string[];
  try {
    entries = readdirSync('/proc').filter((e) => /^\d+$/.test(e));
  } catch {
    return [];
  }
  for (const e of entries) {
    try {
      // Fields after the command name (which may hold spaces), the second is the parent pid.
      const stat = readFileSync(`/proc/${e}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(e)]);
    } catch {
      // The process ended while we looked.
    }
  }
  const out: number[] = [];
  const walk = (p: number) => {
    for (const c of children.get(p) ?? []) {
      walk(c);
      out.push(c);
    }
  };
  walk(pid);
  return out;
}

/** Signal a process and everything it started. */
function killTree(pid: number | undefined, signal: NodeJS.Signals): void {
  if (!pid) return;
  for (const p of [...descendants(pid), pid]) {
    try {
      process.kill(p, signal);
    } catch {
      // Already gone.
    }
  }
}

/** End the sessions a killed tool left on the branch (they would keep holding locks), and wait until they are gone. */
export async function endToolSessions(target: ExecutorTarget): Promise<void> {
  const name = toolApplicationName(target.runId);
  const others = `FROM pg_stat_activity WHERE application_name = $1 AND pid <> pg_backend_pid()`;
  await target.db.query(`SELECT pg_terminate_backend(pid) ${others}`, [name]);
  // pg_terminate_backend only signals: a backend leaves pg_stat_activity (and its locks) a moment later.
  for (let i = 0; i < 50; i++) {
    const left = await target.db.query<{ n: number }>(`SELECT count(*)::int AS n ${others}`, [name]);
    if (!left.rows[0]?.n) return;
    await sleep(100);
  }
}

/** A duration setting ("30min") in milliseconds. */
export function durationMs(text: string | undefined): number | undefined {
  if (!text) return undefined;
  const m = /^(\d+)\s*(ms|s|min|h|d)$/.exec(text.trim());
  if (!m) return undefined;
  const unit = { ms: 1, s: 1000, min: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] as 'ms' | 's' | 'min' | 'h' | 'd'];
  return Number(m[1]) * unit;
}

/** One run of a wrapped tool, as every adapter makes it (see runBranchTool). */
export interface BranchToolCall {
  /** The tool's name: the output prefix, and the first word of the command shown in reports. */
  tool: string;
  bin: string;
  args: string[];
  /** The arguments shown in reports (default: `args`), e.g. without the flags every call adds. */
  shownArgs?: string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  extraEnv?: Record<string, string>;
  /** The branch it runs on (its password is scrubbed from the output). */
  target?: ExecutorTarget;
  /** Streams the output (prefixed, to the target's log) and applies `timeoutMs`: a migrating run. */
  onLine?: ToolCall['onLine'];
  timeoutMs?: number;
  /** How to install the tool, for the one-line error when it cannot be started. */
  installHint: string;
}

/** Run a wrapped tool; a tool that cannot be started is a UsageError (TOOL_MISSING, exit 2). */
export async function runBranchTool(call: BranchToolCall): Promise<ToolOutcome> {
  const { target, onLine } = call;
  const out = await runTool({
    display: `${call.tool} ${(call.shownArgs ?? call.args).join(' ')}`,
    file: call.bin,
    args: call.args,
    cwd: call.cwd,
    env: call.env,
    ...(call.extraEnv ? { extraEnv: call.extraEnv } : {}),
    prefix: call.tool,
    ...(target?.log && onLine ? { log: target.log } : {}),
    ...(onLine ? { onLine, ...(call.timeoutMs ? { timeoutMs: call.timeoutMs } : {}) } : {}),
    secrets: target ? uriSecrets(target.uri) : [],
  });
  if (out.notFound)
    throw new UsageError(`${call.tool} cannot be started (${call.bin})`, {
      hint: call.installHint,
      code: 'TOOL_MISSING',
    });
  return out;
}
