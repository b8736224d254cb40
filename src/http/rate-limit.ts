// Per-owner rate limit on job creation (RATE_LIMIT_JOBS_PER_MIN, docs/reliability.md): a token bucket per owner
// holding a minute's worth of jobs and refilling continuously, so bursts are fine and a flood is not. Beyond it
// the answer is 429 with Retry-After and the DALI label ServiceUnavailable (rendered by http/errors.ts).
// Buckets live in this process: with several API processes each allows the rate (documented).
import type { Request, RequestHandler } from 'express';
import type { IdentifyCaller } from '../auth/identity.js';
import type { Clock } from '../clock.js';
import { ServiceError } from '../errors.js';

export interface TokenBuckets {
  /** Takes one token for key; when there is none, the seconds until there will be one. */
  take(key: string): { ok: true } | { ok: false; retryAfterS: number };
  /** Buckets held (full ones are dropped now and then). */
  size(): number;
}

/** Buckets of `perMinute` tokens refilled at perMinute/60 per second; a full bucket is forgotten. */
export function createTokenBuckets(perMinute: number, nowMs: () => number): TokenBuckets {
  const capacity = perMinute;
  const perMs = perMinute / 60000;
  const buckets = new Map<string, { tokens: number; at: number }>();
  let takes = 0;

  const prune = (now: number) => {
    for (const [k, b] of buckets) if (b.tokens + (now - b.at) * perMs >= capacity) buckets.delete(k);
  };

  return {
    take(key) {
      const now = nowMs();
      // Sweep idle owners every 10 000 requests, so the map stays as small as the set of busy owners.
      if (++takes % 10000 === 0) prune(now);
      const b = buckets.get(key) ?? { tokens: capacity, at: now };
      b.tokens = Math.min(capacity, b.tokens + (now - b.at) * perMs);
      b.at = now;
      buckets.set(key, b);
      if (b.tokens >= 1) {
        b.tokens -= 1;
        return { ok: true };
      }
      return { ok: false, retryAfterS: Math.max(1, Math.ceil((1 - b.tokens) / perMs / 1000)) };
    },
    size: () => buckets.size,
  };
}

export interface JobRateLimitDeps {
  /** RATE_LIMIT_JOBS_PER_MIN; 0 turns the limit off. */
  perMinute: number;
  identify: IdentifyCaller;
  clock: Clock;
}

/** The anonymous owner is everyone in anonymous mode, so anonymous callers are told apart by address. */
const ownerKey = (userId: string | null, req: Request) => (userId !== null ? `user:${userId}` : `anonymous:${req.socket.remoteAddress ?? '?'}`);

/**
 * Middleware for the routes that create jobs. Throws ServiceError RateLimited (429, Retry-After) when the
 * caller's bucket is empty, and whatever identify throws (401) for bad credentials.
 */
export function createJobRateLimit(d: JobRateLimitDeps): RequestHandler {
  if (d.perMinute <= 0) return (_req, _res, next) => next();
  const buckets = createTokenBuckets(d.perMinute, () => d.clock.now().getTime());
  return async (req, _res, next) => {
    const caller = await d.identify(req);
    const r = buckets.take(ownerKey(caller.userId, req));
    if (!r.ok) {
      throw new ServiceError('RateLimited', `more than ${d.perMinute} jobs per minute for this owner; retry in ${r.retryAfterS} s`, { 'Retry-After': String(r.retryAfterS) });
    }
    next();
  };
}
