/** `local serve` on its own: auth, asynchronous operations, 423 on conflicts, the persisted token. */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { LocalPlatform } from '../../src/platform/local/index.js';
import { loadOrCreateToken } from '../../src/platform/local/server/token.js';
import { type NeonFixture, startNeonFixture } from './support/fixture.js';

let f: NeonFixture;

async function api(
  method: string,
  path: string,
  body?: unknown,
  token = f.server.token,
): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${f.proxy.apiHost}/projects/${f.server.projectId}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, json: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

beforeAll(async () => {
  // A zero accept window: every mutation answers while its operation is still pending.
  f = await startNeonFixture({ acceptWindowMs: 0 });
});
afterEach(() => {
  expect(f.proxy.problems).toEqual([]);
});
afterAll(async () => {
  await f?.dispose();
});

describe('local serve', () => {
  it('listens on 127.0.0.1 and prints the three env lines', () => {
    expect(f.server.envLines()).toEqual([
      `NEON_API_HOST=http://127.0.0.1:${f.server.port}/api/v2`,
      `NEON_API_KEY=${f.server.token}`,
      `NEON_PROJECT_ID=${f.server.projectId}`,
    ]);
  });

  it('refuses a missing or wrong bearer token with 401', async () => {
    const res = await api('GET', '/branches', undefined, 'nm_wrong');
    expect(res.status).toBe(401);
    expect(res.json.message).toMatch(/NEON_API_KEY/);
  });

  it('keeps the token across restarts (persisted under .neon-migrate/local)', () => {
    expect(loadOrCreateToken(f.projectDir)).toBe(f.server.token);
  });

  it('runs a restore as an operation: pending at first, 423 for a conflicting mutation, then finished', async () => {
    const { json: src } = await api('POST', '/branches', { branch: { name: 'ops-src' } });
    const { json: dst } = await api('POST', '/branches', { branch: { name: 'ops-dst' } });
    const dstId = (dst.branch as { id: string }).id;
    const srcId = (src.branch as { id: string }).id;
    const restore = await api('POST', `/branches/${dstId}/restore`, {
      source_branch_id: srcId,
      preserve_under_name: 'ops-dst-old',
    });
    expect(restore.status).toBe(200);
    const [op] = restore.json.operations as { id: string; status: string }[];
    expect(['scheduling', 'running']).toContain(op!.status);
    const conflict = await api('DELETE', `/branches/${dstId}`);
    expect(conflict.status).toBe(423);
    const seen = new Set<string>([op!.status]);
    for (;;) {
      const { json } = await api('GET', `/operations/${op!.id}`);
      const status = (json.operation as { status: string }).status;
      seen.add(status);
      if (status === 'finished' || status === 'error') break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect([...seen].pop()).toBe('finished');
    const names = ((await api('GET', '/branches')).json.branches as { name: string }[]).map((b) => b.name);
    expect(names).toContain('ops-dst-old');
    const listed = (await api('GET', '/operations')).json.operations as { id: string }[];
    expect(listed.map((o) => o.id)).toContain(op!.id);
  });

  it("expires_at and annotation_value: accepted on create, Neon's rules enforced by the server itself", async () => {
    const at = new Date(Date.now() + 3600_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const created = await api('POST', '/branches', {
      branch: { name: 'srv-ttl', expires_at: at },
      annotation_value: { 'neon-migrate/kind': 'scratch' },
    });
    expect(created.status).toBe(201);
    const id = (created.json.branch as { id: string; expires_at: string }).id;
    expect((created.json.branch as { expires_at: string }).expires_at).toBe(at);
    const got = await api('GET', `/branches/${id}`);
    expect((got.json.annotation as { value: unknown }).value).toEqual({ 'neon-migrate/kind': 'scratch' });
    const listed = (await api('GET', '/branches')).json.annotations as Record<string, { value: unknown }>;
    expect(listed[id]?.value).toEqual({ 'neon-migrate/kind': 'scratch' });
    const child = await api('POST', '/branches', { branch: { name: 'srv-ttl-child', parent_id: id } });
    expect(child.status).toBe(400);
    expect(child.json.message).toMatch(/cannot have child branches/);
    const past = await api('POST', '/branches', { branch: { name: 'srv-past', expires_at: '2020-01-01T00:00:00Z' } });
    expect(past.status).toBe(400);
    const bad = await api('POST', '/branches', { branch: { name: 'srv-bad', init_source: 'everything' } });
    expect(bad.status).toBe(400);
    const cleared = await api('PATCH', `/branches/${id}`, { branch: { expires_at: null } });
    expect(cleared.status).toBe(200);
    expect((cleared.json.branch as { expires_at?: string }).expires_at).toBeUndefined();
    const names = ((await api('GET', '/branches')).json.branches as { name: string }[]).map((b) => b.name);
    expect(names).not.toContain('srv-ttl-child');
    expect(names).not.toContain('srv-past');
  });

  it('restricted_actions and protected are served per the spec, and NeonPlatform reads them', async () => {
    const local = f.local as unknown as LocalPlatform;
    await local.setRestrictedActions('main', [{ name: 'restore', reason: 'held for the test' }]);
    try {
      const neon = f.neon();
      expect((await neon.getBranch('main')).restrictedActions).toEqual([
        { name: 'restore', reason: 'held for the test' },
      ]);
      const id = (await neon.getBranch('srv-ttl')).id;
      const patched = await api('PATCH', `/branches/${id}`, { branch: { protected: true } });
      expect((patched.json.branch as { protected: boolean }).protected).toBe(true);
      expect((await neon.updateBranch('srv-ttl', { protected: false })).protected).toBe(false);
    } finally {
      await local.setRestrictedActions('main', []);
    }
  });

  it('compare_schema shows a table added on a child', async () => {
    const neon = f.neon();
    await neon.createBranch({ name: 'schema-child' });
    const pg = await import('pg');
    const client = new pg.default.Client({ connectionString: await neon.connectionUri('schema-child') });
    await client.connect();
    await client.query('create table widgets (id int primary key, label text not null)');
    await client.end();
    const diff = await neon.diffSchemas('main', 'schema-child');
    // The same catalog text as the fingerprint (verify/catalog-text.ts): one line per column, index...
    expect(diff).toMatch(/^\+column public\.widgets\.id: integer not null$/m);
    expect(diff).toMatch(/^\+column public\.widgets\.label: text not null$/m);
    expect(diff).not.toMatch(/^-(?!-- )/m);
    expect(await neon.diffSchemas('main', 'main')).toBe('');
  });
});
