import { describe, expect, it } from 'vitest';
import type { ExecutorUnit } from '../../src/executors/types.js';
import { selectUnits, validateSelection } from '../../src/run/select.js';

const unit = (version: string, reversible = true, file?: string): ExecutorUnit => ({
  version,
  name: `${version}_m`,
  checksum: `c${version}`,
  downChecksum: null,
  reversible,
  ...(file ? { file } : {}),
});
const state = { applied: [unit('1'), unit('2'), unit('3')], pending: [unit('4'), unit('5'), unit('6')] };
const versions = (units: ExecutorUnit[]) => units.map((u) => u.version);

describe('unit selection', () => {
  it('up: every pending unit in order, or up to --to, or --steps of them', () => {
    expect(versions(selectUnits('up', state, {}))).toEqual(['4', '5', '6']);
    expect(versions(selectUnits('up', state, { to: '5' }))).toEqual(['4', '5']);
    expect(versions(selectUnits('up', state, { to: '0005_m' }))).toEqual(['4', '5']);
    expect(versions(selectUnits('up', state, { steps: 1 }))).toEqual(['4']);
    expect(versions(selectUnits('up', state, { steps: 10 }))).toEqual(['4', '5', '6']);
  });

  it('up --to an applied version selects nothing', () => {
    expect(selectUnits('up', state, { to: '2' })).toEqual([]);
  });

  it('down: one step by default, newest first; --steps; --to V keeps V; --to 0 reverts all', () => {
    expect(versions(selectUnits('down', state, {}))).toEqual(['3']);
    expect(versions(selectUnits('down', state, { steps: 2 }))).toEqual(['3', '2']);
    expect(versions(selectUnits('down', state, { to: '1' }))).toEqual(['3', '2']);
    expect(versions(selectUnits('down', state, { to: '0' }))).toEqual(['3', '2', '1']);
  });

  it('refuses an unknown --to version, and --to with --steps', () => {
    expect(() => selectUnits('up', state, { to: '99' })).toThrow(
      expect.objectContaining({ code: 'UNKNOWN_VERSION', exitCode: 2 }),
    );
    expect(() => selectUnits('up', state, { to: '5', steps: 1 })).toThrow(/cannot be combined/);
  });

  it('refuses bad --steps', () => {
    for (const steps of [0, -1, 1.5]) {
      expect(() => validateSelection({ steps })).toThrow(expect.objectContaining({ code: 'BAD_STEPS' }));
    }
  });

  it('refuses to revert a unit that has no down, naming the fix', () => {
    const s = { applied: [unit('1'), unit('2', false, 'migrations/2_m.up.sql')], pending: [] };
    expect(() => selectUnits('down', s, {})).toThrow(
      expect.objectContaining({
        code: 'NO_DOWN',
        message: 'migrations/2_m.up.sql has no down migration, so it cannot be reverted',
      }),
    );
    const ts = { applied: [unit('2', false, 'migrations/2_m.ts')], pending: [] };
    expect(() => selectUnits('down', ts, {})).toThrow(
      expect.objectContaining({ hint: 'export a down(ctx) from migrations/2_m.ts' }),
    );
    // a wrapped tool's file without a down (drizzle-kit): the checkpoint is the way back
    const tool = { applied: [unit('2', false, 'drizzle/0001_tags.sql')], pending: [] };
    expect(() => selectUnits('down', tool, {})).toThrow(
      expect.objectContaining({ hint: 'restore from the checkpoint with `neon-migrate rollback`' }),
    );
    // the irreversible unit is not selected: reverting above it is fine
    expect(versions(selectUnits('down', { applied: [unit('1', false), unit('2')], pending: [] }, {}))).toEqual(['2']);
  });
});
