/**
 * One place where every Neon API request goes through: retries, error mapping (message + request
 * id, key redacted) and response validation.
 */
import { type Api, createApiClient } from '@neondatabase/api-client';
import type { z } from 'zod';
import { NeonMigrateError } from '../../errors.js';
import { type Clock, systemClock } from './clock.js';
import type { NeonEnvConfig } from './config.js';
import { toApiError } from './http-error.js';
import { DEFAULT_RETRY, type RetryPolicy, withRetry } from './retry.js';
import { parseResponse } from './schemas.js';

export interface NeonClientOptions extends NeonEnvConfig {
  clock?: Clock;
  retry?: Partial<RetryPolicy>;
  /** Per-request timeout; a timed-out mutation is reconciled before it is resent. */
  requestTimeoutMs?: number;
  log?: (line: string) => void;
}

/** A response as the generated client returns it (an axios response). */
interface Answer {
  data: unknown;
}

export class NeonClient {
  readonly api: Api<unknown>;
  readonly projectId: string;
  readonly clock: Clock;
  readonly log: (line: string) => void;
  private readonly policy: RetryPolicy;
  private readonly apiKey: string;
  private readonly baseURL: string;

  constructor(options: NeonClientOptions) {
    this.api = createApiClient({
      apiKey: options.apiKey,
      baseURL: options.baseURL,
      timeout: options.requestTimeoutMs ?? 60_000,
    });
    this.projectId = options.projectId;
    this.clock = options.clock ?? systemClock;
    this.log = options.log ?? (() => undefined);
    this.policy = { ...DEFAULT_RETRY, ...options.retry };
    this.apiKey = options.apiKey;
    this.baseURL = options.baseURL;
  }

  /** Send a request with retries and validate the answer against `schema`. */
  async call<S extends z.ZodType>(
    doing: string,
    schema: S,
    send: (api: Api<unknown>) => Promise<Answer>,
    reconcile?: () => Promise<z.infer<S> | undefined>,
  ): Promise<z.infer<S>> {
    try {
      return await withRetry(async () => parseResponse(schema, (await send(this.api)).data, doing), {
        clock: this.clock,
        policy: this.policy,
        reconcile,
        log: this.log,
        doing,
      });
    } catch (err) {
      if (err instanceof NeonMigrateError) throw err;
      throw toApiError(err, doing, [this.apiKey], this.baseURL);
    }
  }

  /** Like `call` for requests whose body we don't need (e.g. a 204 answer). */
  async send(doing: string, send: (api: Api<unknown>) => Promise<Answer>): Promise<unknown> {
    try {
      return await withRetry(async () => (await send(this.api)).data, {
        clock: this.clock,
        policy: this.policy,
        log: this.log,
        doing,
      });
    } catch (err) {
      if (err instanceof NeonMigrateError) throw err;
      throw toApiError(err, doing, [this.apiKey], this.baseURL);
    }
  }
}
