/**
 * Turns what the HTTP client (axios, inside @neondatabase/api-client) throws into a one-line
 * PlatformError: status, Neon's message and request id, never the API key or request headers.
 */
import {
  ConflictError,
  type ErrorCode,
  type NeonMigrateError,
  PlatformError,
  UsageError,
  redactSecrets,
} from '../../errors.js';

/** The parts of an axios error we read; duck-typed so we don't depend on axios directly. */
interface HttpFailure {
  isAxiosError?: boolean;
  code?: string;
  message?: string;
  response?: { status: number; data?: unknown; headers?: Record<string, unknown> };
}

/** Error codes of a request that got no answer: the server may or may not have acted on it. */
const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'ERR_NETWORK',
  'ECONNREFUSED',
  'EAI_AGAIN',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ERR_SOCKET_CONNECTION_TIMEOUT',
]);

function asFailure(err: unknown): HttpFailure | undefined {
  return typeof err === 'object' && err !== null && ('response' in err || 'code' in err || 'isAxiosError' in err)
    ? (err as HttpFailure)
    : undefined;
}

/** HTTP status of a failed request, if the server answered. */
export function httpStatus(err: unknown): number | undefined {
  return asFailure(err)?.response?.status;
}

/** True when the request got no response (connection refused/reset, timeout). */
export function isNetworkError(err: unknown): boolean {
  const f = asFailure(err);
  if (!f || f.response) return false;
  return Boolean(f.isAxiosError) || (f.code !== undefined && NETWORK_CODES.has(f.code));
}

/** True when the server was never reached, so the request certainly had no effect. */
export function isConnectionRefused(err: unknown): boolean {
  const code = asFailure(err)?.code;
  return code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EAI_AGAIN';
}

/** Milliseconds the server asked us to wait (Retry-After: seconds or an HTTP date), if any. */
export function retryAfterMs(err: unknown, now: number): number | undefined {
  const raw = asFailure(err)?.response?.headers?.['retry-after'];
  if (typeof raw !== 'string' && typeof raw !== 'number') return undefined;
  const seconds = Number(raw);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(String(raw));
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

function neonMessage(data: unknown): { message?: string; code?: string; requestId?: string } {
  if (typeof data !== 'object' || data === null) return {};
  const record = data as Record<string, unknown>;
  return {
    message: typeof record.message === 'string' ? record.message : undefined,
    code: typeof record.code === 'string' && /^[A-Z0-9_]{1,64}$/.test(record.code) ? record.code : undefined,
    requestId: typeof record.request_id === 'string' ? record.request_id : undefined,
  };
}

/** Build the PlatformError for a failed call; `doing` says what we were doing ("creating branch x"). */
export function toApiError(err: unknown, doing: string, secrets: string[], apiHost: string): NeonMigrateError {
  const scrub = (text: string): string =>
    secrets.reduce((t, s) => (s ? t.split(s).join('****') : t), redactSecrets(text));
  const f = asFailure(err);
  if (!f)
    return new PlatformError(scrub(`${doing}: ${err instanceof Error ? err.message : String(err)}`), {
      code: 'NEON_API',
    });
  if (!f.response) {
    const reason =
      f.code === 'ECONNREFUSED'
        ? 'connection refused'
        : f.code === 'ECONNABORTED'
          ? 'request timed out'
          : (f.code ?? f.message ?? 'network error');
    return new PlatformError(scrub(`cannot reach the Neon API at ${apiHost} while ${doing}: ${reason}`), {
      hint: 'check your network and NEON_API_HOST, then retry',
      code: 'NEON_UNREACHABLE',
    });
  }
  const status = f.response.status;
  const headerId = f.response.headers?.['x-neon-ret-request-id'] ?? f.response.headers?.['x-request-id'];
  const {
    message,
    code,
    requestId = typeof headerId === 'string' ? headerId : undefined,
  } = neonMessage(f.response.data);
  const rid = requestId ? `, request id ${requestId}` : '';
  const text = scrub(`Neon API ${status} while ${doing}: ${message ?? 'no message'}${rid}`);
  if (status === 401)
    return new PlatformError(text, {
      hint: 'check NEON_API_KEY: create a key at https://console.neon.tech/app/settings/api-keys',
      code: 'NEON_UNAUTHORIZED',
      status: 401,
    });
  if (status === 403)
    return new PlatformError(text, {
      hint: 'the API key lacks access to this project; check NEON_PROJECT_ID and the key',
      code: 'NEON_FORBIDDEN',
      status: 403,
    });
  // 400: the request was refused as invalid (a bad point in time, name...): the user's input.
  // Neon's own error codes (e.g. BRANCHES_LIMIT_EXCEEDED) pass through unchanged: they are Neon's catalog, not ours.
  const neonCode = (fallback: ErrorCode) => (code || fallback) as ErrorCode;
  if (status === 400) return new UsageError(text, { code: neonCode('NEON_BAD_REQUEST') });
  if (status === 409) return new ConflictError(text, { code: neonCode('CONFLICT') });
  if (status === 423 || status === 429 || status === 503) {
    return new PlatformError(text, { hint: 'Neon is busy; retry in a minute', code: 'NEON_BUSY', status });
  }
  return new PlatformError(text, { code: neonCode(status === 404 ? 'NEON_NOT_FOUND' : 'NEON_API'), status });
}
