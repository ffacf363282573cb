/**
 * The GitHub Action's scripts (action.yml, scripts/action/) run as the action runs them, with a fake
 * GITHUB_* environment and a small local HTTP server that behaves like GitHub's issue-comments
 * endpoints: the step summary, and one pull-request comment found by its marker, created, left
 * alone when the result is unchanged, updated when it changed. Needs dist/ (`npm run build`).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { type IncomingMessage, type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { RunReport } from '../../src/workflow/report.js';

const TOKEN = 'ghs_faketoken1234567890';
const dir = mkdtempSync(path.join(tmpdir(), 'nm-action-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Comment {
  id: number;
  body: string;
}

/** GitHub's issue-comments endpoints, in memory: list (paginated), create, update; bearer auth. */
class FakeGitHub {
  comments: Comment[] = [];
  requests: string[] = [];
  failWith?: number;
  private server?: Server;
  private nextId = 1000;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((req, res) => void this.handle(req, res.writeHead.bind(res), (b) => res.end(b)));
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
  }

  private async handle(
    req: IncomingMessage,
    head: (status: number, headers: Record<string, string>) => unknown,
    end: (body: string) => void,
  ): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = chunks.length ? (JSON.parse(Buffer.concat(chunks).toString()) as { body: string }) : undefined;
    const url = new URL(req.url ?? '/', 'http://x');
    this.requests.push(`${req.method} ${url.pathname}${url.search}`);
    const send = (status: number, json: unknown) => {
      head(status, { 'content-type': 'application/json' });
      end(JSON.stringify(json));
    };
    if (req.headers.authorization !== `Bearer ${TOKEN}`) return send(401, { message: 'Bad credentials' });
    if (this.failWith) return send(this.failWith, { message: 'Resource not accessible by integration' });
    let m = /^\/repos\/acme\/shop\/issues\/12\/comments$/.exec(url.pathname);
    if (m && req.method === 'GET') {
      const per = Number(url.searchParams.get('per_page') ?? 30);
      const page = Number(url.searchParams.get('page') ?? 1);
      return send(200, this.comments.slice((page - 1) * per, page * per));
    }
    if (m && req.method === 'POST') {
      const c = { id: this.nextId++, body: body!.body };
      this.comments.push(c);
      return send(201, c);
    }
    m = /^\/repos\/acme\/shop\/issues\/comments\/(\d+)$/.exec(url.pathname);
    const found = m && this.comments.find((c) => c.id === Number(m![1]));
    if (found && req.method === 'PATCH') {
      found.body = body!.body;
      return send(200, found);
    }
    return send(404, { message: 'Not Found' });
  }

  close(): Promise<void> {
    return new Promise((r) => this.server?.close(() => r()));
  }
}

/** A run report as `test --json` prints it (the fields the renderers read). */
function output(outcome: 'passed' | 'failed', durationMs: number): Record<string, unknown> {
  const report: RunReport = {
    reportVersion: 1,
    runId: 'run-1',
    command: 'test',
    branch: 'pr-12',
    environment: 'pr-12',
    platform: 'neon',
    startedAt: '2026-12-01T10:00:00.000Z',
    finishedAt: '2026-12-01T10:00:05.000Z',
    durationMs,
    outcome,
    ...(outcome === 'failed'
      ? { failure: 'could not reach postgresql://neondb_owner:npg_s3cret@ep-x.neon.tech/neondb' }
      : {}),
    checkpoint: 'checkpoint/pr-12/20261201T100000Z',
    timings: [{ phase: 'apply', ms: durationMs }],
    migrations: [
      {
        version: '1',
        name: '0001_tasks',
        checksum: 'c',
        direction: 'up',
        status: outcome === 'passed' ? 'applied' : 'failed',
        durationMs,
      },
    ],
    integrity: {},
    notes: [],
  };
  return { ok: outcome === 'passed', reportFile: '.neon-migrate/reports/run-1.json', report };
}

function writeJson(name: string, value: unknown): string {
  const file = path.join(dir, name);
  writeFileSync(file, JSON.stringify(value));
  return file;
}

const pullEvent = writeJson('event.json', { pull_request: { number: 12 } });
const pushEvent = writeJson('push.json', { ref: 'refs/heads/main' });
let gh: FakeGitHub;

function runScript(script: string, file: string, env: Record<string, string>) {
  return execa('node', [path.join('scripts/action', script), file], {
    env: { PATH: process.env.PATH ?? '', ...env },
    extendEnv: false,
    reject: false,
  });
}

function commentEnv(extra: Record<string, string> = {}): Record<string, string> {
  return {
    GITHUB_TOKEN: TOKEN,
    GITHUB_REPOSITORY: 'acme/shop',
    GITHUB_EVENT_PATH: pullEvent,
    GITHUB_API_URL: gh.url,
    GITHUB_OUTPUT: path.join(dir, 'output.txt'),
    ...extra,
  };
}

beforeAll(async () => {
  gh = new FakeGitHub();
  await gh.start();
});
afterAll(async () => {
  await gh?.close();
});

describe('action.yml', () => {
  it('is a composite action whose steps run the scripts that exist, with the inputs it declares', () => {
    const action = parse(readFileSync('action.yml', 'utf8')) as {
      runs: { using: string; steps: { run?: string }[] };
      inputs: Record<string, unknown>;
    };
    expect(action.runs.using).toBe('composite');
    expect(Object.keys(action.inputs)).toEqual(expect.arrayContaining(['command', 'neon-api-key', 'neon-project-id']));
    const runs = action.runs.steps.map((s) => s.run ?? '').join('\n');
    for (const script of ['bin/neon-migrate.js', 'scripts/action/summary.mjs', 'scripts/action/comment.mjs']) {
      expect(runs).toContain(script);
      expect(() => readFileSync(script)).not.toThrow();
    }
  });
});

describe('step summary', () => {
  it('appends the report as markdown to $GITHUB_STEP_SUMMARY, secrets redacted', async () => {
    const summary = path.join(dir, 'summary.md');
    const r = await runScript('summary.mjs', writeJson('failed.json', output('failed', 900)), {
      GITHUB_STEP_SUMMARY: summary,
    });
    expect(r.exitCode, r.stderr).toBe(0);
    const md = readFileSync(summary, 'utf8');
    expect(md).toMatch(/^### ❌ neon-migrate test on branch pr-12: FAILED/);
    expect(md).toContain('| `0001_tasks` | up | failed |');
    expect(md).toContain('neondb_owner:****@');
    expect(md).not.toContain('npg_s3cret');
  });

  it('renders a dry run and an error too', async () => {
    const dry = writeJson('dry.json', {
      dryRun: true,
      branch: 'main',
      source: 'checkpoint/main/20261201T100000Z',
      deltas: [{ table: 'public.tasks', rowsBefore: 10, rowsAfter: 8, changed: true }],
      unapplied: [{ version: '2', name: '0002_tags' }],
      reapplied: [],
    });
    const md = (await runScript('summary.mjs', dry, {})).stdout;
    expect(md).toContain('| `public.tasks` | 10 | 8 |');
    expect(md).toContain('Migrations un-applied: `0002_tags`');
    const err = writeJson('err.json', {
      error: { code: 'BRANCH_RESTRICTED', message: 'promote refused', hint: 'lift it', exitCode: 3 },
    });
    expect((await runScript('summary.mjs', err, {})).stdout).toContain(
      '### ❌ neon-migrate failed (exit 3, BRANCH_RESTRICTED)',
    );
  });
});

describe('pull-request comment', () => {
  it('creates one comment with the marker, finding it again past the first page of comments', async () => {
    gh.comments = Array.from({ length: 120 }, (_, i) => ({ id: i + 1, body: `someone else ${i}` }));
    const r = await runScript('comment.mjs', writeJson('pass.json', output('passed', 1200)), commentEnv());
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/created comment 1000 on acme\/shop#12/);
    const mine = gh.comments.filter((c) => c.body.includes('<!-- neon-migrate:report -->'));
    expect(mine).toHaveLength(1);
    expect(mine[0]!.body).toContain('PASSED');
    expect(readFileSync(path.join(dir, 'output.txt'), 'utf8')).toContain('comment=created');
  });

  it('leaves the comment alone when only the timings changed, and updates it when the result did', async () => {
    gh.requests = [];
    const same = await runScript('comment.mjs', writeJson('pass2.json', output('passed', 4700)), commentEnv());
    expect(same.stdout).toMatch(/unchanged comment 1000/);
    expect(gh.requests.filter((q) => !q.startsWith('GET'))).toEqual([]);
    const changed = await runScript('comment.mjs', writeJson('fail2.json', output('failed', 800)), commentEnv());
    expect(changed.stdout).toMatch(/updated comment 1000/);
    expect(gh.requests.filter((q) => !q.startsWith('GET'))).toEqual(['PATCH /repos/acme/shop/issues/comments/1000']);
    const mine = gh.comments.filter((c) => c.body.includes('<!-- neon-migrate:report -->'));
    expect(mine).toHaveLength(1);
    expect(mine[0]!.body).toContain('FAILED');
    // another key keeps its own comment
    const other = await runScript('comment.mjs', writeJson('pass3.json', output('passed', 1)), {
      ...commentEnv(),
      NEON_MIGRATE_COMMENT_KEY: 'promote',
    });
    expect(other.stdout).toMatch(/created comment/);
  });

  it('skips outside pull requests; refuses a missing token (exit 2); an API refusal is exit 1 without the token', async () => {
    const file = writeJson('pass4.json', output('passed', 1));
    const push = await runScript('comment.mjs', file, commentEnv({ GITHUB_EVENT_PATH: pushEvent }));
    expect(push.exitCode).toBe(0);
    expect(push.stdout).toContain('not a pull request');
    const noToken = await runScript('comment.mjs', file, commentEnv({ GITHUB_TOKEN: '' }));
    expect(noToken.exitCode).toBe(2);
    expect(noToken.stderr).toMatch(/GITHUB_TOKEN is not set \(pass `github-token`/);
    gh.failWith = 403;
    try {
      const refused = await runScript('comment.mjs', file, commentEnv());
      expect(refused.exitCode).toBe(1);
      expect(refused.stderr.trim().split('\n')).toHaveLength(1);
      expect(refused.stderr).toMatch(/403 Resource not accessible .*pull-requests: write/);
      expect(refused.stderr).not.toContain(TOKEN);
    } finally {
      gh.failWith = undefined;
    }
  });
});
