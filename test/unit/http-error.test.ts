import { describe, expect, it } from 'vitest';
import { ConflictError, UsageError } from '../../src/errors.js';
import {
  httpStatus,
  isConnectionRefused,
  isNetworkError,
  retryAfterMs,
  toApiError,
} from '../../src/platform/neon/http-error.js';

const HOST = 'https://console.neon.tech/api/v2';
const KEY = 'napi_secretkey1234567890';
const answered = (status: number, data: unknown = {}, headers: Record<string, unknown> = {}) => ({
  isAxiosError: true,
  message: `Request failed with status code ${status}`,
  response: { status, data, headers },
});

describe('classifying failures', () => {
  it('reads the status and tells a lost answer from a refused connection', () => {
    expect(httpStatus(answered(423))).toBe(423);
    expect(httpStatus(new Error('x'))).toBeUndefined();
    expect(isNetworkError({ code: 'ECONNRESET' })).toBe(true);
    expect(isNetworkError(answered(503))).toBe(false);
    expect(isNetworkError(new Error('boom'))).toBe(false);
    expect(isConnectionRefused({ code: 'ECONNREFUSED' })).toBe(true);
    expect(isConnectionRefused({ code: 'ECONNRESET' })).toBe(false);
  });

  it('reads Retry-After in seconds or as an HTTP date', () => {
    const now = Date.parse('2026-11-20T10:00:00Z');
    expect(retryAfterMs(answered(429, {}, { 'retry-after': '3' }), now)).toBe(3000);
    expect(retryAfterMs(answered(429, {}, { 'retry-after': 'Fri, 20 Nov 2026 10:00:10 GMT' }), now)).toBe(10_000);
    expect(retryAfterMs(answered(429, {}, { 'retry-after': 'soon' }), now)).toBeUndefined();
    expect(retryAfterMs(answered(429), now)).toBeUndefined();
  });
});

describe('toApiError', () => {
  it('maps statuses to typed errors with stable codes and exit codes', () => {
    const cases: [number, string, number][] = [
      [401, 'NEON_UNAUTHORIZED', 4],
      [403, 'NEON_FORBIDDEN', 4],
      [400, 'NEON_BAD_REQUEST', 2],
      [409, 'CONFLICT', 4],
      [423, 'NEON_BUSY', 4],
      [429, 'NEON_BUSY', 4],
      [503, 'NEON_BUSY', 4],
      [404, 'NEON_NOT_FOUND', 4],
      [500, 'NEON_API', 4],
    ];
    for (const [status, code, exitCode] of cases) {
      const e = toApiError(answered(status, { message: 'nope' }), 'creating branch x', [KEY], HOST);
      expect(e, `status ${status}`).toMatchObject({ code, exitCode });
    }
    expect(toApiError(answered(409, { message: 'exists' }), 'x', [], HOST)).toBeInstanceOf(ConflictError);
    expect(toApiError(answered(400, { message: 'bad' }), 'x', [], HOST)).toBeInstanceOf(UsageError);
  });

  it("keeps Neon's message, code and request id in one line", () => {
    const e = toApiError(
      answered(409, { message: 'branch exists', code: 'BRANCH_EXISTS', request_id: 'req-1' }),
      'creating branch x',
      [],
      HOST,
    );
    expect(e.message).toBe('Neon API 409 while creating branch x: branch exists, request id req-1');
    expect(e.code).toBe('BRANCH_EXISTS');
    const fromHeader = toApiError(answered(500, {}, { 'x-neon-ret-request-id': 'req-2' }), 'x', [], HOST);
    expect(fromHeader.message).toBe('Neon API 500 while x: no message, request id req-2');
  });

  it('ignores a code that is not a plain identifier', () => {
    expect(toApiError(answered(409, { code: 'not a code; drop table' }), 'x', [], HOST).code).toBe('CONFLICT');
  });

  it('never shows the API key or a password', () => {
    const data = { message: `invalid key ${KEY} for postgresql://neondb_owner:hunter2@host/db` };
    const e = toApiError(answered(401, data), 'listing branches', [KEY], HOST);
    expect(e.message).not.toContain(KEY);
    expect(e.message).not.toContain('hunter2');
    expect(e.message).toContain('****');
  });

  it('says the API was unreachable when no answer came', () => {
    const e = toApiError({ isAxiosError: true, code: 'ECONNREFUSED' }, 'listing branches', [], HOST);
    expect(e).toMatchObject({ code: 'NEON_UNREACHABLE', exitCode: 4 });
    expect(e.message).toBe(`cannot reach the Neon API at ${HOST} while listing branches: connection refused`);
  });

  it('wraps anything else as NEON_API', () => {
    const e = toApiError(new Error(`bad ${KEY}`), 'x', [KEY], HOST);
    expect(e).toMatchObject({ code: 'NEON_API', message: 'x: bad ****' });
  });
});
