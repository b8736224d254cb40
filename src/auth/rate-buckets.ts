// The token buckets of the per-owner rate limit on job creation (RATE_LIMIT_JOBS_PER_MIN, docs/reliability.md),
// kept in PostgreSQL so every API process draws on one budget per owner: each take is one upsert.
import type { Clock } from '../clock.js';
import type { Queryable } from '../store/db.js';
import { pruneRateBuckets, takeRateToken } from '../store/rate-bucket-store.js';

export type TakeResult = { ok: true; remaining: number } | { ok: false; retryAfterS: number };

export interface TokenBuckets {
  /** Takes one token for key; when there is none, the whole seconds until there will be one (at least 1). */
  take(key: string): Promise<TakeResult>;
}

export interface TokenBucketDeps {
  db: Queryable;
  /** Tokens a minute, and the bucket's capacity (a minute's worth of burst); > 0. */
  perMinute: number;
  clock: Clock;
}

/** Full buckets are forgotten: a bucket idle for a minute has refilled, so its row is pruned about once a minute. */
const pruneEveryMs = 60000;

export function createTokenBuckets(d: TokenBucketDeps): TokenBuckets {
  const perS = d.perMinute / 60;
  let lastPrune = 0;
  return {
    async take(key) {
      const now = d.clock.now();
      if (now.getTime() - lastPrune >= pruneEveryMs) {
        lastPrune = now.getTime();
        // Housekeeping off the request's path; a failure only leaves full buckets for the next pass.
        void pruneRateBuckets(d.db, new Date(now.getTime() - 60000)).catch(() => {});
      }
      const r = await takeRateToken(d.db, key, d.perMinute, d.perMinute, now);
      if (r.granted) return { ok: true, remaining: Math.floor(r.tokens) };
      // The epsilon keeps float noise in the refill (0.95000000001 tokens) from adding a whole second.
      return { ok: false, retryAfterS: Math.max(1, Math.ceil((1 - r.tokens) / perS - 1e-6)) };
    },
  };
}
