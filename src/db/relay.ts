/**
 * An in-process WebSocket→TCP relay on 127.0.0.1, so the Neon serverless driver (which speaks the
 * Postgres protocol over WebSockets) can reach a plain local Postgres. Each WebSocket names its
 * target as `?address=host:port`; only loopback targets are accepted, so the relay cannot be used
 * to reach anything off this machine.
 */
import { connect as tcpConnect } from 'node:net';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { isLoopbackHost } from './loopback.js';

export { isLoopbackHost } from './loopback.js';

export interface Relay {
  /** `127.0.0.1:PORT` of the relay. */
  readonly address: string;
  close(): Promise<void>;
}

/** Parse `?address=host:port` from the upgrade request's URL; undefined when absent or not loopback. */
function targetOf(url: string | undefined): { host: string; port: number } | undefined {
  const address = new URL(url ?? '/', 'ws://relay').searchParams.get('address');
  if (!address) return undefined;
  const cut = address.lastIndexOf(':');
  const host = address.slice(0, cut);
  const port = Number(address.slice(cut + 1));
  if (!isLoopbackHost(host) || !Number.isInteger(port) || port <= 0 || port > 65535) return undefined;
  return { host: host === '[::1]' ? '::1' : host, port };
}

function pipe(ws: WebSocket, host: string, port: number): void {
  const socket = tcpConnect({ host, port });
  socket.setNoDelay(true);
  // Bytes the client sends before the TCP connection is up are queued by net.Socket.write.
  ws.on('message', (data: Buffer | ArrayBuffer | Buffer[]) => {
    const buf = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
    socket.write(buf);
  });
  socket.on('data', (chunk) => ws.send(chunk));
  const end = () => {
    socket.destroy();
    if (ws.readyState === ws.OPEN || ws.readyState === ws.CONNECTING) ws.close();
  };
  ws.on('close', end);
  ws.on('error', end);
  socket.on('close', end);
  socket.on('error', end);
}

/** Start a relay listening on 127.0.0.1 (a free port). */
export async function startRelay(): Promise<Relay> {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  server.on('connection', (ws, req) => {
    const target = targetOf(req.url);
    if (!target) {
      ws.close(1008, 'only loopback targets are relayed');
      return;
    }
    pipe(ws, target.host, target.port);
  });
  const { port } = server.address() as AddressInfo;
  return {
    address: `127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of server.clients) client.terminate();
        server.close(() => resolve());
      }),
  };
}
