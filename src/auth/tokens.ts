// API token minting and hashing. A token is "drsoda_<id>_<secret>": the id names it in listings and
// revocation, the 256-bit secret makes it unguessable; only SHA-256(token) is stored.
import { createHash, randomBytes } from 'node:crypto';
import type { Clock } from '../clock.js';
import type { Queryable } from '../store/db.js';
import { insertToken } from '../store/token-store.js';

const tokenPattern = /^drsoda_([A-Za-z0-9]{8})_[A-Za-z0-9_-]{43}$/;

export function hashToken(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

/** True when the string has the shape of a drsoda token (checked before any database lookup). */
export const looksLikeToken = (s: string): boolean => tokenPattern.test(s);

/** User ids are what ownerId shows: printable, no surrounding space, at most 256 characters. */
export function validUserId(s: string): boolean {
  return s.length > 0 && s.length <= 256 && s === s.trim() && !/[\u0000-\u001f\u007f]/.test(s);
}

/** Creates and stores a token for userId; returns the token (shown once) and its id. Throws on a bad user id. */
export async function createToken(db: Queryable, clock: Clock, userId: string, label?: string): Promise<{ id: string; token: string }> {
  if (!validUserId(userId)) throw new Error(`invalid user id ${JSON.stringify(userId)}: 1-256 printable characters without surrounding space`);
  const id = randomBytes(6).toString('base64url').replace(/[-_]/g, 'x').slice(0, 8);
  const token = `drsoda_${id}_${randomBytes(32).toString('base64url')}`;
  await insertToken(db, { id, userId, hash: hashToken(token), label: label ?? null, createdAt: clock.now() });
  return { id, token };
}
