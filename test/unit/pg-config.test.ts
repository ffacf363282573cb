import { describe, expect, it } from 'vitest';
import { pgClientConfig } from '../../src/db/pg-config.js';

const BASE = 'postgresql://neondb_owner:p%40ss@127.0.0.1:5433/neondb';

describe('pgClientConfig: libpq meaning of sslmode and channel_binding for node-postgres', () => {
  it('leaves a URI without sslmode as it is (plain, as before)', () => {
    expect(pgClientConfig(BASE)).toEqual({ connectionString: BASE });
  });

  it('reads sslmode=require as libpq does (encrypt, no verification) and turns on channel binding', () => {
    expect(pgClientConfig(`${BASE}?sslmode=require&channel_binding=require`)).toEqual({
      connectionString: `${BASE}?sslmode=require&channel_binding=require&uselibpqcompat=true`,
      enableChannelBinding: true,
    });
  });

  it('keeps an explicit uselibpqcompat, and channel_binding=disable off', () => {
    const uri = `${BASE}?sslmode=verify-full&uselibpqcompat=false&channel_binding=disable`;
    expect(pgClientConfig(uri)).toEqual({ connectionString: uri });
  });

  it('passes an unparsable URI through for the driver to report', () => {
    expect(pgClientConfig('not a uri')).toEqual({ connectionString: 'not a uri' });
  });
});
