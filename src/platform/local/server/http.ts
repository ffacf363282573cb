/** The node:http layer of `local serve`: 127.0.0.1 only, bearer auth, JSON in/out, Neon-style errors. */
import { randomUUID, timingSafeEqual } from 'node:crypto';
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import { NeonMigrateError, PlatformError, toNeonMigrateError } from '../../../errors.js';
import type { ServerFaults } from './fault-hooks.js';

/** An HTTP answer from a route handler. */
export interface Answer {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface Request {
  method: string;
  /** Path after /api/v2. */
  path: string;
  query: URLSearchParams;
  body: unknown;
}

export type Handler = (request: Request) => Promise<Answer>;

/** An error with an HTTP status, thrown by handlers. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly code = '',
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

/** Map an engine error to the status Neon would answer with. */
function statusOf(err: NeonMigrateError): number {
  if (err instanceof PlatformError && err.status) return err.status;
  return err.exitCode === 2 || err.exitCode === 3 ? 400 : 500;
}

function tokenMatches(header: string | undefined, token: string): boolean {
  const given = Buffer.from(header?.startsWith('Bearer ') ? header.slice(7).trim() : '');
  const want = Buffer.from(token);
  return given.length === want.length && timingSafeEqual(given, want);
}

async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8').trim();
  if (!text) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new HttpError(400, 'request body is not valid JSON');
  }
}

function write(res: ServerResponse, answer: Answer, requestId: string): void {
  const headers: Record<string, string> = { 'x-neon-ret-request-id': requestId, ...answer.headers };
  if (answer.body === undefined) {
    res.writeHead(answer.status, headers).end();
    return;
  }
  res.writeHead(answer.status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(answer.body));
}

/** Create (not yet listening) the HTTP server dispatching to `handle`. */
export function createApiServer(options: { token: string; handle: Handler; faults?: ServerFaults }): Server {
  const { token, handle, faults } = options;
  return createServer((req, res) => {
    const requestId = randomUUID();
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      if (!url.pathname.startsWith('/api/v2/'))
        throw new HttpError(404, `no such endpoint: ${url.pathname} (the API lives under /api/v2)`);
      const path = url.pathname.slice('/api/v2'.length).replace(/\/+$/, '');
      const method = req.method ?? 'GET';
      if (!tokenMatches(req.headers.authorization, token))
        throw new HttpError(
          401,
          'authentication required: pass the NEON_API_KEY printed by `neon-migrate local serve` as a bearer token',
        );
      const fault = faults?.take(method, path);
      if (fault?.status) {
        write(
          res,
          {
            status: fault.status,
            body: fault.body ?? { code: '', message: `injected ${fault.status} (test fault)`, request_id: requestId },
            headers: fault.headers,
          },
          requestId,
        );
        return;
      }
      const answer = await handle({ method, path, query: url.searchParams, body: await readBody(req) });
      if (fault?.dropAfterHandling) {
        req.socket.destroy();
        return;
      }
      write(res, answer, requestId);
    })().catch((err: unknown) => {
      let status = 500;
      let code = '';
      let message: string;
      let headers: Record<string, string> = {};
      if (err instanceof HttpError) ({ status, code, message, headers } = err);
      else {
        const e = toNeonMigrateError(err);
        status = statusOf(e);
        code = e.code;
        message = e instanceof NeonMigrateError && e.hint ? `${e.message} (${e.hint})` : e.message;
      }
      if (!res.headersSent) write(res, { status, body: { code, message, request_id: requestId }, headers }, requestId);
    });
  });
}
