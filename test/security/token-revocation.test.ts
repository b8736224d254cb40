// Bearer tokens are looked up once per process and kept (src/auth/token-cache.ts), yet a revocation takes effect
// in every process at once: two app instances on one database both accept a token, `drsoda token revoke`'s store
// call revokes it, and both answer 401 to the very next request.
import { systemClock } from '../../src/clock.js';
import { createToken } from '../../src/auth/tokens.js';
import { revokeToken } from '../../src/store/token-store.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';

describe('token revocation across API processes', () => {
  let db: TestDatabase;
  let a: TestApp;
  let b: TestApp;
  beforeAll(async () => {
    db = await createTestDatabase();
    a = await startTestApp(db.pool, { config: { AUTH_MODE: 'token' } });
    b = await startTestApp(db.pool, { config: { AUTH_MODE: 'token' } });
  }, 60000);
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await db?.drop();
  });

  const list = (app: TestApp, token: string) => fetch(`${app.url}/soda/async`, { headers: { authorization: `Bearer ${token}` } }).then(async (r) => (await r.text(), r.status));

  it('accepts a token in both instances, then refuses it in both right after it is revoked', async () => {
    const { id, token } = await createToken(db.pool, systemClock, 'dora');
    const other = await createToken(db.pool, systemClock, 'dora');
    // The LISTEN connections are up: lookups are now kept per process.
    await Promise.all([a.factory.listener().ready(), b.factory.listener().ready()]);
    for (let i = 0; i < 3; i++) {
      expect(await list(a, token)).toBe(200);
      expect(await list(b, token)).toBe(200);
      expect(await list(b, other.token)).toBe(200);
    }
    expect(await revokeToken(db.pool, id, new Date())).toBe(true);
    expect(await list(a, token)).toBe(401);
    expect(await list(b, token)).toBe(401);
    // Only the revoked token: the user's other token still works.
    expect(await list(b, other.token)).toBe(200);
    expect(await list(a, 'drsoda_nope_' + 'x'.repeat(43))).toBe(401);
  }, 60000);
});
