/**
 * A down that destroys data needs an explicit --to and a confirmation naming what it drops:
 * `down --steps 999` no longer reverts every migration and drops tables with rows at exit 0.
 */
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { scratchProject } from '../support/project.js';

const BIN = path.resolve(import.meta.dirname, '../../bin/neon-migrate.js');
const p = scratchProject({
  '001_orders.up.sql': 'CREATE TABLE orders (id int PRIMARY KEY);\nINSERT INTO orders SELECT generate_series(1, 25);\n',
  '001_orders.down.sql': 'DROP TABLE orders;\n',
  '002_empty.up.sql': 'CREATE TABLE scratch_notes (id int);\n',
  '002_empty.down.sql': 'DROP TABLE scratch_notes;\n',
});
const run = async (args: string[]) => {
  const r = await execa('node', [BIN, '-C', p.dir, ...args], { reject: false, stdin: 'ignore' });
  return { code: r.exitCode, stdout: r.stdout, stderr: r.stderr };
};
const applied = async () => JSON.parse((await run(['--json', 'status'])).stdout).counts.applied as number;

afterAll(async () => {
  await run(['local', 'stop']);
});

describe('a destructive down', () => {
  it('is refused without --to, needs confirmation with it, and names the tables and rows it drops', async () => {
    expect((await run(['up'])).code).toBe(0);
    // reverting only the empty table's migration is not destructive: no extra ceremony
    const one = await run(['down']);
    expect(one.code, one.stderr).toBe(0);
    expect((await run(['up'])).code).toBe(0);

    const all = await run(['down', '--steps', '999']);
    expect(all.code).toBe(2);
    expect(all.stderr.trim().split('\n')).toHaveLength(1);
    expect(all.stderr).toMatch(/would drop public\.orders \(25 rows\).*needs an explicit --to/);
    expect(await applied()).toBe(2);

    const unconfirmed = await run(['down', '--to', '0']);
    expect(unconfirmed.code).toBe(2);
    expect(unconfirmed.stderr).toMatch(/confirmation needed: down on main would drop public\.orders \(25 rows\)/);
    expect(await applied()).toBe(2);

    const confirmed = await run(['--json', 'down', '--to', '0', '--yes']);
    expect(confirmed.code, confirmed.stderr).toBe(0);
    expect(JSON.parse(confirmed.stdout).results.map((r: { status: string }) => r.status)).toEqual([
      'reverted',
      'reverted',
    ]);
    expect(await applied()).toBe(0);
  });
});
