// Per-owner rate limit on job creation (RATE_LIMIT_JOBS_PER_MIN, docs/reliability.md): a token bucket per owner
// holding a minute's worth of jobs and refilling continuously, so bursts are fine and a flood is not. Beyond it
// the answer is 429 with Retry-After and the DALI label ServiceUnavailable (rendered by http/errors.ts).
// The buckets live in PostgreSQL (auth/rate-buckets.ts), so several API processes share each owner's budget.
import type { Request, RequestHandler } from 'express';
import type { IdentifyCaller } from '../auth/identity.js';
import type { TokenBuckets } from '../auth/rate-buckets.js';
import { ServiceError } from '../errors.js';

export interface JobRateLimitDeps {
  /** RATE_LIMIT_JOBS_PER_MIN; 0 turns the limit off. */
  perMinute: number;
  identify: IdentifyCaller;
  /** The shared buckets (auth/rate-buckets.ts). */
  buckets: TokenBuckets;
}

/** The anonymous owner is everyone in anonymous mode, so anonymous callers are told apart by address. */
const ownerKey = (userId: string | null, req: Request) => (userId !== null ? `user:${userId}` : `anonymous:${req.socket.remoteAddress ?? '?'}`);

/**
 * Middleware for the routes that create jobs. Throws ServiceError RateLimited (429, Retry-After) when the
 * caller's bucket is empty, and whatever identify throws (401) for bad credentials.
 */
export function createJobRateLimit(d: JobRateLimitDeps): RequestHandler {
  if (d.perMinute <= 0) return (_req, _res, next) => next();
  return async (req, _res, next) => {
    const caller = await d.identify(req);
    const r = await d.buckets.take(ownerKey(caller.userId, req));
    if (!r.ok) {
      throw new ServiceError('RateLimited', `more than ${d.perMinute} jobs per minute for this owner; retry in ${r.retryAfterS} s`, { 'Retry-After': String(r.retryAfterS) });
    }
    next();
  };
}
