/**
 * Issue 14 items 9-10: every bad input of the table gets the right exit code and one error line
 * that names the problem and its fix, and changes nothing (branches, and row counts and applied
 * migrations on main and dev, identical before and after). One engine is shared by every case.
 * Then a secrets scan: no branch password and no API key in any output or report of the suite.
 */
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BAD_INPUTS, type CaseFiles, FAKE_API_KEY } from './bad-input-cases.js';
import { cliRun, copyProject, outputs } from './support.js';

interface Snapshot {
  branches: string[];
  main: Record<string, string>;
  dev: Record<string, string>;
}

/** Row counts of the public tables and the applied migrations of one branch. */
async function branchFacts(uri: string): Promise<Record<string, string>> {
  const client = new pg.Client({ connectionString: uri });
  await client.connect();
  try {
    const facts: Record<string, string> = {};
    const tables = await client.query<{ t: string }>(
      `SELECT quote_ident(tablename) AS t FROM pg_tables WHERE schemaname = 'public' ORDER BY 1`,
    );
    for (const { t } of tables.rows)
      facts[t] = (await client.query<{ n: string }>(`SELECT count(*)::text AS n FROM ${t}`)).rows[0]!.n;
    const applied = await client.query<{ v: string }>(
      `SELECT string_agg(version, ',' ORDER BY version) AS v FROM neon_migrate.applied`,
    );
    facts['(applied)'] = applied.rows[0]!.v ?? '';
    return facts;
  } finally {
    await client.end();
  }
}

/** Put a case's files in place in its own project copy (`null` removes a file). */
function placeFiles(project: string, files: CaseFiles = {}): void {
  for (const [rel, content] of Object.entries(files)) {
    const file = path.join(project, rel);
    if (content === null) rmSync(file, { force: true });
    else {
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, content);
    }
  }
}

describe('bad input changes nothing and says how to fix it', () => {
  let project: string;
  let uris: { main: string; dev: string };
  let before: Snapshot;
  const passed: string[] = [];

  const snapshot = async (): Promise<Snapshot> => {
    const state = JSON.parse(readFileSync(path.join(project, '.neon-migrate', 'local', 'state.json'), 'utf8')) as {
      branches: { id: string; name: string }[];
    };
    return {
      branches: state.branches.map((b) => `${b.name}=${b.id}`).sort(),
      main: await branchFacts(uris.main),
      dev: await branchFacts(uris.dev),
    };
  };

  beforeAll(async () => {
    project = copyProject(mkdtempSync(path.join(tmpdir(), 'nm-bad-input-')));
    chmodSync(project, 0o755);
    const created = await cliRun(project, ['branches', 'create', 'dev']);
    expect(created.exitCode, created.stderr).toBe(0);
    const up = await cliRun(project, ['up', '--branch', 'dev', '--yes']);
    expect(up.exitCode, up.stderr).toBe(0);
    uris = {
      main: (await cliRun(project, ['connection-string', 'main'])).stdout.trim(),
      dev: (await cliRun(project, ['connection-string', 'dev'])).stdout.trim(),
    };
    before = await snapshot();
    expect(Number(before.main.tasks)).toBeGreaterThan(0);
  });

  afterAll(async () => {
    if (project) {
      await cliRun(project, ['local', 'destroy', '--yes']);
      rmSync(project, { recursive: true, force: true });
    }
  });

  it(`has at least 60 cases (${BAD_INPUTS.length})`, () => {
    expect(BAD_INPUTS.length).toBeGreaterThanOrEqual(60);
    expect(new Set(BAD_INPUTS.map((c) => c.name)).size).toBe(BAD_INPUTS.length);
  });

  // Cases run a few at a time, each in its own copy of the project whose .neon-migrate links to the
  // shared one: one engine, but a case's files never meet another's. Any change by any case shows in
  // every later snapshot, so running them side by side loses no "nothing changed" check.
  it.concurrent.each(BAD_INPUTS)('$name', async (c) => {
    const scratch = copyProject(mkdtempSync(path.join(path.dirname(project), 'nm-bad-case-')));
    symlinkSync(path.join(project, '.neon-migrate'), path.join(scratch, '.neon-migrate'));
    placeFiles(scratch, c.files);
    let r: Awaited<ReturnType<typeof cliRun>>;
    try {
      r = await cliRun(scratch, c.args, c.env);
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
    // `local gc` may report clusters of other test files' removed projects (one engine registry per machine)
    const lines = r.stderr
      .trimEnd()
      .split('\n')
      .filter((l) => !l.startsWith('local gc: '));
    expect({ exit: r.exitCode, stderr: r.stderr }).toMatchObject({ exit: c.exit });
    expect(lines, r.stderr).toHaveLength(1);
    expect(lines[0]).toMatch(/^error: /);
    expect(lines[0]).toMatch(c.message);
    // the fix: every error ends with its hint in parentheses
    expect(lines[0], 'has a fix').toMatch(/ \(.{8,}\)$/);
    expect(await snapshot()).toEqual(before);
    passed.push(c.name);
  });

  it('the CLI lists the same branches as before, and no output or report holds a secret', async () => {
    const list = await cliRun(project, ['--json', 'branches', 'list']);
    expect(list.json.branches.map((b: { name: string; id: string }) => `${b.name}=${b.id}`).sort()).toEqual(
      before.branches,
    );

    const state = JSON.parse(readFileSync(path.join(project, '.neon-migrate', 'local', 'state.json'), 'utf8')) as {
      project: { ownerPassword: string; superuserPassword: string };
    };
    const passwords = [
      state.project.ownerPassword,
      state.project.superuserPassword,
      ...Object.values(uris).map((u) => decodeURIComponent(new URL(u).password)),
    ];
    const secrets = [...new Set(passwords), FAKE_API_KEY];
    expect(secrets.every((s) => s.length >= 12)).toBe(true);
    const reportsDir = path.join(project, '.neon-migrate', 'reports');
    const reports = existsSync(reportsDir)
      ? readdirSync(reportsDir).map((f) => readFileSync(path.join(reportsDir, f), 'utf8'))
      : [];
    // the connection-string outputs are the one place a password belongs: leave them out
    const scanned = [...outputs.filter((o) => !Object.values(uris).includes(o.trim())), ...reports];
    const found = scanned.flatMap((text) => secrets.filter((s) => text.includes(s)));
    process.stderr.write(
      `bad-input suite: ${passed.length}/${BAD_INPUTS.length} bad inputs passed; secrets scan: ${scanned.length} outputs and reports, ${found.length} secrets found\n`,
    );
    expect(found).toEqual([]);
    expect(scanned.length).toBeGreaterThan(BAD_INPUTS.length);
  });
});
