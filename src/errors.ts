// Typed service errors carrying the DALI/SODA/DataLink label and the HTTP status; rendered in one place (http/errors.ts).

/** DALI 1.1 section 4.1 / SODA 1.0 section 5.2 error labels, with the status DALI assigns them. */
export const errorLabels = {
  UsageError: 400,
  MultiValuedParamNotSupported: 400,
  AuthenticationError: 401,
  AuthorizationError: 403,
  NotFoundFault: 404,
  IllegalState: 403,
  RequestTooLarge: 413,
  RateLimited: 429,
  Error: 500,
  ServiceUnavailable: 503,
} as const;

export type ErrorLabel = keyof typeof errorLabels;

export class ServiceError extends Error {
  override name = 'ServiceError';
  readonly status: number;
  constructor(
    readonly label: ErrorLabel,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.status = errorLabels[label];
  }
}

export const usageError = (message: string) => new ServiceError('UsageError', message);
export const notFound = (message: string) => new ServiceError('NotFoundFault', message);

// SQLSTATE classes 08 (connection exception) and 57P (operator intervention: shutdown, restart, not yet ready).
const unavailableStates = /^(08|57P0[1-3])/;
const unavailableCodes = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH']);

/** True when err says the database cannot be reached right now (restart, failover, network), not that a query is wrong. */
export function isDatabaseUnavailable(err: unknown): boolean {
  const e = err as { code?: string; message?: string } | null;
  if (!e || typeof e !== 'object') return false;
  if (typeof e.code === 'string' && (unavailableStates.test(e.code) || unavailableCodes.has(e.code))) return true;
  // pg and pg-pool report a dropped or never-made connection with these messages and no code.
  return /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Connection is closed/i.test(e.message ?? '');
}
