// Who is calling: anonymous (demo), a user id set by an authenticating proxy (trusted header), or a
// bearer API token. Used by the UWS router; every mode also knows the admins (ADMIN_USERS).
import type { Clock } from '../clock.js';
import type { AuthSettings } from '../config.js';
import { ServiceError } from '../errors.js';
import type { Queryable } from '../store/db.js';
import { useToken } from '../store/token-store.js';
import type { Caller } from '../domain/job.js';
import type { TokenCache } from './token-cache.js';
import { hashToken, looksLikeToken, validUserId } from './tokens.js';

/** What identifying a caller reads of a request: its headers (an express Request, or the fast lane's view of one). */
export interface CallerRequest {
  get(name: string): string | undefined;
}

/** Resolves the caller of a request; throws ServiceError AuthenticationError (401) when it cannot. */
export type IdentifyCaller = (req: CallerRequest) => Promise<Caller>;

export interface IdentityDeps {
  auth: AuthSettings;
  db: Queryable;
  clock: Clock;
  /** AUTH_MODE=token: lookups kept per process and dropped on revocation (token-cache.ts); without it, one query per request. */
  tokenCache?: TokenCache;
}

function unauthenticated(message: string, mode: 'header' | 'token'): ServiceError {
  // RFC 6750 section 3: a 401 for a bearer-protected resource names the scheme.
  const headers: Record<string, string> = mode === 'token' ? { 'WWW-Authenticate': 'Bearer realm="drsoda"' } : {};
  return new ServiceError('AuthenticationError', message, headers);
}

export function createIdentity(d: IdentityDeps): IdentifyCaller {
  const identify = identifyBy(d);
  if (d.auth.mode === 'anonymous') return identify;
  // The rate limit and the router both ask on a job creation: one token lookup per request, not two.
  const asked = new WeakMap<CallerRequest, Promise<Caller>>();
  return (req) => {
    let caller = asked.get(req);
    if (!caller) {
      caller = identify(req);
      asked.set(req, caller);
    }
    return caller;
  };
}

function identifyBy(d: IdentityDeps): IdentifyCaller {
  const { mode, header, admins } = d.auth;
  const caller = (userId: string): Caller => ({ userId, admin: admins.includes(userId) });
  if (mode === 'anonymous') {
    // Demo mode: everyone is the one anonymous owner and sees every job.
    const anonymous: Caller = Object.freeze({ userId: null, admin: false });
    return () => Promise.resolve(anonymous);
  }
  if (mode === 'header') {
    return async (req) => {
      const v = req.get(header);
      // The proxy is trusted to strip this header from client requests and set it after authenticating.
      if (v === undefined || !validUserId(v)) throw unauthenticated(`no authenticated user (header ${header} missing or invalid)`, 'header');
      return caller(v);
    };
  }
  const cache = d.tokenCache;
  const lookup = async (hash: Buffer): Promise<string | null> => {
    if (!cache) return useToken(d.db, hash, d.clock.now());
    const hex = hash.toString('hex');
    const known = (await cache.sync()) ? cache.get(hex) : undefined;
    if (known !== undefined) return known;
    const ticket = cache.ticket();
    const userId = await useToken(d.db, hash, d.clock.now());
    if (userId) cache.store(ticket, hex, userId);
    return userId;
  };
  return async (req) => {
    const auth = req.get('authorization');
    const m = auth ? /^Bearer\s+(\S+)\s*$/i.exec(auth) : null;
    if (!m) throw unauthenticated('a bearer token is required (Authorization: Bearer <token>)', 'token');
    const userId = looksLikeToken(m[1]) ? await lookup(hashToken(m[1])) : null;
    if (!userId) throw unauthenticated('unknown or revoked token', 'token');
    return caller(userId);
  };
}
