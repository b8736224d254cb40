// API tokens are stored hashed and never compared as secrets: the database holds SHA-256(token) only, a lookup
// is an index probe for the digest of what was presented (so response time depends on the digest, which an
// attacker cannot steer towards a stored one, not on how many leading characters of a secret were right), and a
// token with a real id but a wrong secret is refused exactly like one with an unknown id.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createToken } from '../../src/auth/tokens.js';
import { systemClock } from '../../src/clock.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { projectRoot } from '../support/process.js';

describe('API tokens', () => {
  let db: TestDatabase;
  let app: TestApp;
  beforeAll(async () => {
    db = await createTestDatabase();
    app = await startTestApp(db.pool, { config: { AUTH_MODE: 'token' } });
  });
  afterAll(async () => {
    await app.close();
    await db.drop();
  });

  it('are stored as SHA-256 digests only: no column of any row holds the secret or the token', async () => {
    const made = await Promise.all(['alice', 'bob', 'carol'].map((u) => createToken(db.pool, systemClock, u, `label of ${u}`)));
    const { rows } = await db.pool.query(`select row_to_json(t)::text as j, token_hash from api_token t`);
    expect(rows).toHaveLength(3);
    for (const { token } of made) {
      const secret = token.split('_').slice(2).join('_');
      for (const r of rows) {
        expect(r.j).not.toContain(secret);
        expect(r.j).not.toContain(Buffer.from(secret).toString('hex'));
      }
      const digest = createHash('sha256').update(token).digest();
      expect(rows.filter((r) => (r.token_hash as Buffer).equals(digest))).toHaveLength(1);
    }
  });

  it('refuses a wrong secret under a real token id exactly as an unknown token', async () => {
    const { token } = await createToken(db.pool, systemClock, 'dave');
    const [, id, secret] = /^drsoda_([A-Za-z0-9]{8})_(.+)$/.exec(token)!;
    const flipped = `drsoda_${id}_${secret.slice(0, -1)}${secret.endsWith('A') ? 'B' : 'A'}`;
    const unknown = `drsoda_ZZZZZZZZ_${secret}`;
    const answer = async (t: string) => {
      const res = await fetch(`${app.url}/soda/async`, { headers: { authorization: `Bearer ${t}` } });
      return [res.status, res.headers.get('www-authenticate'), await res.text()];
    };
    expect(await answer(token)).toEqual([200, null, expect.stringContaining('<uws:jobs')]);
    expect(await answer(flipped)).toEqual(await answer(unknown));
    expect((await answer(flipped))[0]).toBe(401);
  });

  it('are looked up by digest only: the store matches token_hash, never the id or the token text', () => {
    // The one query that authenticates (store/token-store.ts useToken) and its caller (auth/identity.ts).
    const store = readFileSync(path.join(projectRoot, 'src/store/token-store.ts'), 'utf8');
    const useToken = store.slice(store.indexOf('export async function useToken'), store.indexOf('export async function listTokens'));
    expect(useToken).toMatch(/where token_hash = \$1 and revoked_at is null/);
    expect(useToken).not.toMatch(/where[^;]*\bid = \$1/);
    const identity = readFileSync(path.join(projectRoot, 'src/auth/identity.ts'), 'utf8');
    // The presented token is hashed first; the database and the per-process cache (auth/token-cache.ts) are
    // asked by that digest only.
    expect(identity).toMatch(/lookup\(hashToken\(m\[1\]\)\)/);
    expect(identity).toMatch(/const lookup = async \(hash: Buffer\)/);
    expect(identity).toMatch(/useToken\(d\.db, hash, /);
    expect(identity).toMatch(/cache\.get\(hex\)/);
    expect(identity).toMatch(/const hex = hash\.toString\('hex'\)/);
    expect(identity).not.toMatch(/===\s*m\[1\]|m\[1\]\s*===|timingSafeEqual/);
  });
});
