// rate_bucket: the job-creation rate limit's token buckets, shared by every API process (migrations/000009).
import type { Queryable } from './db.js';

export interface TakeOutcome {
  /** A token was taken. */
  granted: boolean;
  /** Tokens left after the take (fractional). */
  tokens: number;
}

// The bucket's tokens now: what it held at its last take plus the refill since ($3 a minute), at most $2.
const refilled = `least($2::float8, b.tokens + greatest(0, extract(epoch from ($4::timestamptz - b.at))) * $3::float8 / 60)`;

/**
 * Refills key's bucket for the time since its last take (perMinute tokens a minute, up to capacity) and takes one
 * token if there is one, atomically and in one statement: concurrent takes on one key serialise on its row, so
 * any number of processes share one budget. A new key starts full. `now` is the caller's clock; a take stamped
 * before the bucket's last one (clock skew between hosts) refills nothing.
 */
export async function takeRateToken(db: Queryable, key: string, capacity: number, perMinute: number, now: Date): Promise<TakeOutcome> {
  const { rows } = await db.query<{ granted: boolean; tokens: number }>(
    `insert into rate_bucket as b (key, tokens, at, granted) values ($1, $2::float8 - 1, $4, true)
     on conflict (key) do update set
       tokens = case when ${refilled} >= 1 then ${refilled} - 1 else ${refilled} end,
       granted = ${refilled} >= 1,
       at = greatest(b.at, $4::timestamptz)
     returning granted, tokens`,
    [key, capacity, perMinute, now],
  );
  return rows[0];
}

/** Deletes buckets untouched since `before` (a bucket idle for a minute is full again); returns how many. */
export async function pruneRateBuckets(db: Queryable, before: Date): Promise<number> {
  const r = await db.query('delete from rate_bucket where at < $1', [before]);
  return r.rowCount ?? 0;
}

export async function rateBucketCount(db: Queryable): Promise<number> {
  const { rows } = await db.query<{ n: number }>('select count(*)::int as n from rate_bucket');
  return rows[0].n;
}
