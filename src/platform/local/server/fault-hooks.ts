/**
 * The seam for fault injection in the local Neon-API server: what the server asks before it
 * handles a request or finishes an operation. Only tests supply one (`neon-migrate/testing`'s
 * FaultPlan); the CLI's `local serve` never does.
 */

export interface FaultRule {
  method: string;
  /** Matched against the path after /api/v2, e.g. /^\/projects\/[^/]+\/branches$/. */
  path: RegExp;
  /** How many matching requests this rule applies to. */
  count: number;
  /** Answer with this status/body instead of handling the request... */
  status?: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** ...or handle it, then drop the connection without answering. */
  dropAfterHandling?: boolean;
}

/** What the server asks a fault source. */
export interface ServerFaults {
  /** The canned answer or drop for this request, if one is planned (consumes it). */
  take(method: string, path: string): FaultRule | undefined;
  /** `error` or `stuck` for the next operation of this action, if planned (consumes it). */
  takeOperationOutcome(action: string): 'error' | 'stuck' | undefined;
}
