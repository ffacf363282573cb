/**
 * Branches the tool creates (checkpoints, scratch, dry-run, preview and schema-only test branches)
 * never live forever: each gets Neon's `expires_at` from a configured TTL, and annotations that
 * trace it to its run (run id, command, git commit). Where the platform refuses the expiry, the
 * intended one stays in the `neon-migrate/expires-at` annotation, so prune and status handle it.
 */
import { execFileSync } from 'node:child_process';
import type { Settings } from '../config/schema.js';
import { durationMs } from '../config/duration.js';
import { ttlSchema } from '../config/schema.js';
import { NeonMigrateError, UsageError } from '../errors.js';
import { expiryStamp } from '../platform/expiry.js';
import type { Branch, CreateBranchOptions, Platform } from '../platform/types.js';

/** Annotation keys set on every branch the tool creates. */
export const ANNOTATION = {
  kind: 'neon-migrate/kind',
  runId: 'neon-migrate/run-id',
  command: 'neon-migrate/command',
  gitCommit: 'neon-migrate/git-commit',
  /** The expiry the tool asked for: still known when the platform could not set it. */
  expiresAt: 'neon-migrate/expires-at',
} as const;

/** `--ttl` or `--expires-at` as an RFC 3339 expiry (checked: a duration of at most 30d). */
export function expiryFromFlags(opts: { ttl?: string; expiresAt?: string }): string | undefined {
  if (opts.ttl !== undefined && opts.expiresAt !== undefined)
    throw new UsageError('--ttl and --expires-at are mutually exclusive', { code: 'BRANCH_ARGS' });
  if (opts.expiresAt !== undefined) return opts.expiresAt;
  if (opts.ttl === undefined) return undefined;
  const parsed = ttlSchema.safeParse(opts.ttl);
  if (!parsed.success || parsed.data === 'off')
    throw new UsageError(`--ttl "${opts.ttl}" is not a duration of at most 30d`, {
      hint: 'use e.g. 4h, 3d or 30d',
      code: 'BAD_DURATION',
    });
  return expiryStamp(Date.now() + durationMs(parsed.data));
}

/** What the tool creates a branch for; checkpoints follow `checkpoints.ttl`, the rest `branches.ttl`. */
export type ToolBranchKind = 'checkpoint' | 'scratch' | 'dry-run' | 'preview' | 'schema-only' | 'user';

/** Default lifetimes when the settings say nothing. */
export const DEFAULT_TTL = { checkpoint: '30d', other: '1d' } as const;

/** The TTL of a kind of tool branch in milliseconds; undefined when it is `off`. */
export function ttlMs(settings: Pick<Settings, 'checkpoints' | 'branches'>, kind: ToolBranchKind): number | undefined {
  if (kind === 'user') return undefined; // a branch the user asked for: its expiry is theirs to give
  const ttl =
    kind === 'checkpoint'
      ? (settings.checkpoints.ttl ?? DEFAULT_TTL.checkpoint)
      : (settings.branches?.ttl ?? DEFAULT_TTL.other);
  return ttl === 'off' ? undefined : durationMs(ttl);
}

const commits = new Map<string, string | undefined>();

/** HEAD's commit of the git repository holding `dir`, or undefined outside one (cached per dir). */
export function gitCommit(dir: string): string | undefined {
  if (commits.has(dir)) return commits.get(dir);
  let sha: string | undefined;
  try {
    sha = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: dir, stdio: ['ignore', 'pipe', 'ignore'], timeout: 5000 })
      .toString()
      .trim();
    if (!/^[0-9a-f]{40,64}$/.test(sha)) sha = undefined;
  } catch {
    sha = undefined; // not a repository, no commit yet, or no git
  }
  commits.set(dir, sha);
  return sha;
}

/** What a tool branch is for and which run made it. */
export interface ToolBranchMeta {
  kind: ToolBranchKind;
  runId?: string;
  command?: string;
}

/** The context the expiry and annotations come from. */
export interface ToolBranchContext {
  settings: Pick<Settings, 'checkpoints' | 'branches'>;
  projectDir: string;
  now?: () => Date;
}

/** `expiresAt` and `annotations` for a branch the tool is about to create. */
export function toolBranchOptions(
  ctx: ToolBranchContext,
  meta: ToolBranchMeta,
): Pick<CreateBranchOptions, 'expiresAt' | 'annotations'> {
  const ttl = ttlMs(ctx.settings, meta.kind);
  const now = (ctx.now ? ctx.now() : new Date()).getTime();
  const expiresAt = ttl === undefined ? undefined : expiryStamp(now + ttl);
  const commit = gitCommit(ctx.projectDir);
  const annotations: Record<string, string> = {
    [ANNOTATION.kind]: meta.kind,
    ...(meta.runId ? { [ANNOTATION.runId]: meta.runId } : {}),
    ...(meta.command ? { [ANNOTATION.command]: meta.command } : {}),
    ...(commit ? { [ANNOTATION.gitCommit]: commit } : {}),
    ...(expiresAt ? { [ANNOTATION.expiresAt]: expiresAt } : {}),
  };
  return { ...(expiresAt ? { expiresAt } : {}), annotations };
}

/** `toolBranchOptions` of a checkpoint, with the configured kind (`checkpoints.kind`: branch, snapshot, auto). */
export function checkpointOptions(
  ctx: ToolBranchContext,
  meta: Omit<ToolBranchMeta, 'kind'>,
): ReturnType<typeof toolBranchOptions> & { kind: 'branch' | 'snapshot' | 'auto' } {
  return {
    ...toolBranchOptions(ctx, { ...meta, kind: 'checkpoint' }),
    kind: ctx.settings.checkpoints.kind ?? 'branch',
  };
}

/** True when an error is the platform refusing the expiry itself (a plan without it, a clock ahead). */
function expiryRefused(err: unknown): boolean {
  return (
    err instanceof NeonMigrateError &&
    err.code !== 'EXPIRY_NOT_ALLOWED' &&
    (err.code === 'INVALID_EXPIRY' || /expir/i.test(err.message))
  );
}

/**
 * Create a tool branch; when the platform refuses the expiry, create it without one (the
 * annotation keeps the intended expiry for `checkpoints prune` and `status`) and say so.
 */
export async function createToolBranch(
  platform: Platform,
  options: CreateBranchOptions,
  log?: (line: string) => void,
): Promise<Branch> {
  try {
    return await platform.createBranch(options);
  } catch (err) {
    if (!options.expiresAt || !expiryRefused(err)) throw err;
    log?.(`${options.name}: expiry not set (${(err as Error).message}); prune removes it after ${options.expiresAt}`);
    const { expiresAt: _dropped, ...rest } = options;
    return platform.createBranch(rest);
  }
}

/** When a branch is due to go: its platform expiry, else the expiry the tool asked for. */
export function intendedExpiry(branch: Branch): string | undefined {
  return branch.expiresAt ?? branch.annotations?.[ANNOTATION.expiresAt];
}

/**
 * Run `fn` while `sourceRef` may have a child: Neon refuses children of an expiring branch (an
 * expiring checkpoint, say), so its expiry is lifted for `fn`, which must delete the child it made,
 * and set again afterwards. A crash in between leaves the intended expiry in its annotation.
 */
export async function withChildrenAllowed<T>(
  platform: Platform,
  sourceRef: string,
  fn: () => Promise<T>,
  log?: (line: string) => void,
): Promise<T> {
  const source = await platform.getBranch(sourceRef);
  const expiresAt = source.expiresAt;
  if (!expiresAt) return fn();
  await platform.updateBranch(source.id, { expiresAt: null });
  try {
    return await fn();
  } finally {
    if (Date.parse(expiresAt) > Date.now())
      await platform
        .updateBranch(source.id, { expiresAt })
        .catch((err: unknown) => log?.(`could not set the expiry of ${source.name} again: ${(err as Error).message}`));
  }
}
