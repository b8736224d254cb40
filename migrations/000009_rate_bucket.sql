-- The job-creation rate limit's token buckets (RATE_LIMIT_JOBS_PER_MIN, src/store/rate-bucket-store.ts), one per
-- owner, shared by every API process so N processes still allow each owner the rate once. Unlogged: a bucket is
-- worth less than the WAL it would cost, and a crash only refills every bucket.
create unlogged table rate_bucket (
  key     text primary key,
  -- Tokens left at `at` (fractional: the bucket refills continuously).
  tokens  double precision not null check (tokens >= 0),
  at      timestamptz not null,
  -- Whether the last take found a token (so the one upsert tells its caller).
  granted boolean not null
);
-- Buckets untouched for a minute are full again and are pruned.
create index rate_bucket_at on rate_bucket (at);
