/** Which hosts count as this machine (kept apart from relay.ts so checking a URI loads no WebSocket code). */
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

/** True for a host name that refers to this machine's loopback interface. */
export function isLoopbackHost(host: string): boolean {
  return LOOPBACK_HOSTS.has(host.toLowerCase());
}
