/** E2E helpers: a copy of the example project in a temp dir, and the built CLI run on it. */
import { chmodSync, cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import pg from 'pg';

const REPO = path.resolve(import.meta.dirname, '../..');
const BIN = path.join(REPO, 'bin', 'neon-migrate.js');

/** Copy the repo's example project (migrations, environments, scripts, settings) to a temp dir. */
export function copyExampleProject(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'nm-e2e-'));
  chmodSync(dir, 0o755); // the engine's cluster user must reach the state dir inside
  for (const entry of ['migrations', 'environments', 'scripts', 'neon-migrate.json']) {
    cpSync(path.join(REPO, entry), path.join(dir, entry), { recursive: true });
  }
  return dir;
}

export interface CliRun {
  exitCode: number;
  stdout: string;
  stderr: string;
  /** stdout parsed as JSON when the run used --json. */
  // `any`: each command prints its own JSON document shape; tests read the fields they assert on.
  json: any;
}

/** Run the built CLI on a project (non-TTY stdin, small seed). */
export async function cli(project: string, args: string[], env: Record<string, string> = {}): Promise<CliRun> {
  const r = await execa('node', [BIN, '-C', project, ...args], {
    reject: false,
    stdin: 'ignore',
    env: { NEON_MIGRATE_SEED_TASKS: '1000', ...env },
  });
  let json: unknown;
  if (args.includes('--json')) {
    try {
      json = JSON.parse(r.stdout);
    } catch {
      json = undefined;
    }
  }
  return { exitCode: r.exitCode ?? -1, stdout: r.stdout, stderr: r.stderr, json };
}

const uris = new Map<string, string>();

/** A branch's URI (stable across restores, so cached). */
export async function branchUri(project: string, branch: string): Promise<string> {
  const key = `${project}\0${branch}`;
  if (!uris.has(key)) uris.set(key, (await cli(project, ['connection-string', branch])).stdout.trim());
  return uris.get(key)!;
}

/** Run SQL on a branch through its connection string. */
export async function sql<R extends pg.QueryResultRow = pg.QueryResultRow>(
  project: string,
  branch: string,
  text: string,
): Promise<R[]> {
  const uri = await branchUri(project, branch);
  const client = new pg.Client({ connectionString: uri });
  await client.connect();
  try {
    return (await client.query<R>(text)).rows;
  } finally {
    await client.end();
  }
}

/** Applied versions on a branch. */
export async function appliedVersions(project: string, branch: string): Promise<string[]> {
  const rows = await sql<{ version: string }>(
    project,
    branch,
    `SELECT version FROM neon_migrate.applied ORDER BY version`,
  );
  return rows.map((r) => r.version);
}

/** An independent content fingerprint of the user tables (not the tool's own snapshot code). */
export async function contentDigest(project: string, branch: string): Promise<Record<string, string>> {
  const tables = await sql<{ t: string }>(
    project,
    branch,
    `SELECT quote_ident(schemaname) || '.' || quote_ident(tablename) AS t FROM pg_tables WHERE schemaname = 'public' ORDER BY 1`,
  );
  const out: Record<string, string> = {};
  for (const { t } of tables) {
    const [row] = await sql<{ d: string }>(
      project,
      branch,
      `SELECT count(*) || ':' || coalesce(md5(string_agg(x::text, '|' ORDER BY x::text)), '') AS d FROM ${t} AS x`,
    );
    out[t] = row!.d;
  }
  return out;
}

/** Branch names of the project. */
export async function branchNames(project: string): Promise<string[]> {
  const r = await cli(project, ['--json', 'branches', 'list']);
  return (r.json.branches as { name: string }[]).map((b) => b.name).sort();
}

/** Stop the project's computes and delete it. */
export async function removeProject(project: string): Promise<void> {
  await cli(project, ['local', 'stop']);
  rmSync(project, { recursive: true, force: true });
}
