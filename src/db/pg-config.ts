/**
 * node-postgres settings for a connection URI, read the way libpq (psql, and Neon's documentation)
 * reads it. node-postgres alone treats `sslmode=require` as `verify-full`, so a URI printed for
 * Neon (`?sslmode=require&channel_binding=require`) fails against the local engine's self-signed
 * certificate, and it ignores `channel_binding`. Here `require` means "encrypt, don't verify" (as in
 * libpq; `verify-full` with `sslrootcert` still verifies), and `channel_binding=require|prefer`
 * turns on SCRAM-SHA-256-PLUS, which the server offers on every TLS connection.
 */
import type { ClientConfig } from 'pg';

/** The node-postgres client settings for `uri` with libpq's meaning of sslmode and channel_binding. */
export function pgClientConfig(uri: string): Pick<ClientConfig, 'connectionString' | 'enableChannelBinding'> {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return { connectionString: uri }; // the driver reports what is wrong with it
  }
  const params = url.searchParams;
  const binding = params.get('channel_binding');
  // an explicit uselibpqcompat (either way) is the caller's choice
  const addCompat = params.has('sslmode') && !params.has('uselibpqcompat');
  return {
    connectionString: addCompat ? `${uri}${uri.includes('?') ? '&' : '?'}uselibpqcompat=true` : uri,
    ...(binding === 'require' || binding === 'prefer' ? { enableChannelBinding: true } : {}),
  };
}
