import { describe, expect, it } from 'vitest';
import { durationMs } from '../../src/config/duration.js';
import { NeonMigrateError, PlatformError, redactSecrets, toNeonMigrateError, UsageError } from '../../src/errors.js';

describe('duration parsing', () => {
  it('converts every unit to milliseconds', () => {
    expect(durationMs('250ms')).toBe(250);
    expect(durationMs('5s')).toBe(5000);
    expect(durationMs('15min')).toBe(900_000);
    expect(durationMs('2h')).toBe(7_200_000);
    expect(durationMs('7d')).toBe(604_800_000);
    expect(durationMs(' 3 h ')).toBe(10_800_000);
  });

  it('refuses anything else with a usage error', () => {
    for (const bad of ['', '5', '5m', '1.5h', '-1s', 'h', '5 days']) {
      expect(() => durationMs(bad), bad).toThrow(expect.objectContaining({ code: 'BAD_DURATION', exitCode: 2 }));
    }
  });
});

describe('redactSecrets', () => {
  it('hides URI passwords, bearer tokens, API keys and password= parameters', () => {
    expect(redactSecrets('postgresql://neondb_owner:s3cr%40t@127.0.0.1:5432/neondb')).toBe(
      'postgresql://neondb_owner:****@127.0.0.1:5432/neondb',
    );
    expect(redactSecrets('postgres://u:p@h/db and POSTGRES://v:q@h/db')).toBe(
      'postgres://u:****@h/db and POSTGRES://v:****@h/db',
    );
    expect(redactSecrets('Authorization: Bearer napi_abc.def-123')).toBe('Authorization: Bearer ****');
    expect(redactSecrets('NEON_API_KEY=napi_abc123 npx neon-migrate')).toBe('NEON_API_KEY=**** npx neon-migrate');
    expect(redactSecrets('host=x password=hunter2 user=y')).toBe('host=x password=**** user=y');
    expect(redactSecrets('?sslmode=require&Password=abc&x=1')).toBe('?sslmode=require&Password=****&x=1');
  });

  it('leaves text without secrets alone', () => {
    const text = 'postgresql://neondb_owner@127.0.0.1:5432/neondb has no password';
    expect(redactSecrets(text)).toBe(text);
  });

  it('is applied when unknown errors are wrapped', () => {
    const e = toNeonMigrateError(new Error('connect failed: postgresql://a:b@h/db'));
    expect(e).toBeInstanceOf(PlatformError);
    expect(e).toMatchObject({ code: 'UNEXPECTED', exitCode: 4, message: 'connect failed: postgresql://a:****@h/db' });
    let own: unknown;
    try {
      durationMs('soon');
    } catch (err) {
      own = err;
    }
    expect(own).toBeInstanceOf(UsageError);
    expect(own).toBeInstanceOf(NeonMigrateError);
    expect(toNeonMigrateError(own)).toBe(own);
  });
});
