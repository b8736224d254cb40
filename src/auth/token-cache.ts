// A per-process cache of bearer-token lookups (AUTH_MODE=token), so a client polling with its token costs no
// database round trip per request. Trusted only while the LISTEN connection hears api_token (migration 000015),
// which announces every revocation, and read after a sync() round trip on that connection (shared by concurrent
// requests): a token revoked by `drsoda token revoke` in any process is refused by every process from the next
// request on. Entries are looked up again after `ttlMs`, which also keeps the
// token's last_used_at (recorded at most once a minute) current.
import type { NotificationListener } from '../store/notification-listener.js';

export interface TokenCache {
  /**
   * The user of a token hash (hex), or undefined: look it up in the database. Asked after sync(), so a revocation
   * committed before the request arrived is never missed.
   */
  get(hashHex: string): string | undefined;
  /** Resolves true once every revocation committed before the call has reached the cache (listener sync()). */
  sync(): Promise<boolean>;
  /** Taken before the lookup; store() drops a result a revocation may have overtaken. */
  ticket(): number;
  store(ticket: number, hashHex: string, userId: string): void;
  close(): void;
}

const channel = 'api_token';

export function createTokenCache(listener: Pick<NotificationListener, 'subscribe' | 'onReconnect' | 'isListening' | 'sync'>, o: { ttlMs?: number; maxEntries?: number; nowMs?: () => number } = {}): TokenCache {
  const ttlMs = o.ttlMs ?? 60_000;
  const maxEntries = o.maxEntries ?? 10_000;
  const now = o.nowMs ?? (() => performance.now());
  const entries = new Map<string, { userId: string; at: number }>();
  // Revocations are rare: any of them drops every lookup under way (a fill with an older ticket).
  let generation = 0;
  const revoke = (hashHex: string) => {
    generation++;
    if (hashHex === '*') entries.clear();
    else entries.delete(hashHex);
  };
  const offChange = listener.subscribe(channel, (e) => revoke(e.hashHex));
  const offReconnect = listener.onReconnect(() => revoke('*'));
  const trusted = () => listener.isListening(channel);
  return {
    get(hashHex) {
      if (!trusted()) {
        if (entries.size) revoke('*');
        return undefined;
      }
      const e = entries.get(hashHex);
      if (!e) return undefined;
      if (now() - e.at >= ttlMs) {
        entries.delete(hashHex);
        return undefined;
      }
      return e.userId;
    },
    sync: () => listener.sync(),
    ticket: () => (trusted() ? generation : -1),
    store(ticket, hashHex, userId) {
      if (ticket < 0 || ticket !== generation || !trusted()) return;
      if (entries.size >= maxEntries) entries.delete(entries.keys().next().value!);
      entries.set(hashHex, { userId, at: now() });
    },
    close() {
      offChange();
      offReconnect();
      entries.clear();
    },
  };
}
