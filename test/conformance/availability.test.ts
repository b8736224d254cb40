import { XMLParser } from 'fast-xml-parser';
import { createPool } from '../../src/store/db.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { expectValid } from '../support/xsd.js';

const parser = new XMLParser({ removeNSPrefix: true });

describe('GET /soda/availability', () => {
  let db: TestDatabase;
  let app: TestApp;
  beforeAll(async () => {
    db = await createTestDatabase();
    app = await startTestApp(db.pool);
  });
  afterAll(async () => {
    await app.close();
    await db.drop();
  });

  it('says available, validates against VOSIAvailability-v1.0.xsd, and is text/xml', async () => {
    const res = await fetch(`${app.url}/soda/availability`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/xml/);
    const xml = await res.text();
    await expectValid(xml, 'availability');
    expect(parser.parse(xml).availability.available).toBe(true);
  });

  it('rejects methods other than GET with 405 and an Allow header', async () => {
    const res = await fetch(`${app.url}/soda/availability`, { method: 'POST' });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET, HEAD');
  });

  it('says unavailable, still valid, when the database cannot be reached', async () => {
    const dead = createPool({ connectionString: 'postgresql://nobody:x@127.0.0.1:1/none', max: 1, statementTimeoutMs: 1000, connectTimeoutMs: 1000 });
    const down = await startTestApp(dead);
    try {
      const xml = await (await fetch(`${down.url}/soda/availability`)).text();
      await expectValid(xml, 'availability');
      const doc = parser.parse(xml).availability;
      expect(doc.available).toBe(false);
      expect(String(doc.note)).toMatch(/database unreachable/);
    } finally {
      await down.close();
      await dead.end();
    }
  });

  it('rejects an invalid document (the validator can fail)', async () => {
    await expect(expectValid('<availability xmlns="http://www.ivoa.net/xml/VOSIAvailability/v1.0"><available>maybe</available></availability>', 'availability')).rejects.toThrow(/not valid/);
  });
});
