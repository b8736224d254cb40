// api_token: bearer tokens for AUTH_MODE=token, stored as SHA-256 hashes only.
import type { Queryable } from './db.js';

export interface TokenRecord {
  id: string;
  userId: string;
  label: string | null;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

export async function insertToken(
  db: Queryable,
  t: { id: string; userId: string; hash: Buffer; label: string | null; createdAt: Date },
): Promise<void> {
  await db.query('insert into api_token (id, user_id, token_hash, label, created_at) values ($1, $2, $3, $4, $5)', [
    t.id,
    t.userId,
    t.hash,
    t.label,
    t.createdAt,
  ]);
}

/**
 * The user of a live (unrevoked) token with this hash, or null. Records the use, at most once a minute
 * per token so that busy clients do not turn every request into a write.
 */
export async function useToken(db: Queryable, hash: Buffer, now: Date): Promise<string | null> {
  const { rows } = await db.query<{ user_id: string }>(
    `with t as (select id, user_id, last_used_at from api_token where token_hash = $1 and revoked_at is null),
          touched as (update api_token a set last_used_at = $2 from t
                      where a.id = t.id and (t.last_used_at is null or t.last_used_at < $2::timestamptz - interval '1 minute'))
     select user_id from t`,
    [hash, now],
  );
  return rows[0]?.user_id ?? null;
}

export async function listTokens(db: Queryable, userId?: string): Promise<TokenRecord[]> {
  const { rows } = await db.query<{
    id: string;
    user_id: string;
    label: string | null;
    created_at: Date;
    last_used_at: Date | null;
    revoked_at: Date | null;
  }>('select * from api_token where $1::text is null or user_id = $1 order by created_at', [userId ?? null]);
  return rows.map((r) => ({ id: r.id, userId: r.user_id, label: r.label, createdAt: r.created_at, lastUsedAt: r.last_used_at, revokedAt: r.revoked_at }));
}

/** Revokes a token by its public id; false when there is no such live token. */
export async function revokeToken(db: Queryable, id: string, now: Date): Promise<boolean> {
  const { rowCount } = await db.query('update api_token set revoked_at = $2 where id = $1 and revoked_at is null', [id, now]);
  return !!rowCount;
}
