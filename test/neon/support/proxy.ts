/**
 * A validating HTTP proxy in front of `local serve`: every answer that passes through is checked
 * against the Neon OpenAPI spec; mismatches collect in `problems`, which tests assert is empty.
 * Clients (NeonPlatform, neonctl, fetch) talk to the proxy, so nothing the server says escapes.
 */
import { type Server, createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { OpenApiValidator } from './openapi.js';

let shared: OpenApiValidator | undefined;

export interface ValidatingProxy {
  apiHost: string;
  /** "METHOD path status: problem" for every non-conforming answer. */
  problems: string[];
  /** Answers checked so far. */
  checked: number;
  close(): Promise<void>;
}

/** Start a proxy forwarding to the server at `targetPort`. */
export async function startValidatingProxy(targetPort: number): Promise<ValidatingProxy> {
  const validator = (shared ??= new OpenApiValidator());
  const state = { problems: [] as string[], checked: 0 };
  const server: Server = createServer((req, res) => {
    const upstream = httpRequest(
      { host: '127.0.0.1', port: targetPort, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        const chunks: Buffer[] = [];
        answer.on('data', (c: Buffer) => chunks.push(c));
        answer.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          const path = new URL(req.url ?? '/', 'http://x').pathname.replace(/^\/api\/v2/, '').replace(/\/+$/, '');
          let body: unknown;
          try {
            body = text ? JSON.parse(text) : undefined;
          } catch {
            body = text;
          }
          state.checked++;
          for (const p of validator.check(req.method ?? 'GET', path, answer.statusCode ?? 0, body))
            state.problems.push(p);
          res.writeHead(answer.statusCode ?? 502, answer.headers).end(text);
        });
      },
    );
    // The server dropped the connection: drop ours too, so the client sees what it would see.
    upstream.on('error', () => req.socket.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    apiHost: `http://127.0.0.1:${port}/api/v2`,
    get problems() {
      return state.problems;
    },
    get checked() {
      return state.checked;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
