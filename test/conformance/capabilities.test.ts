// GET /soda/capabilities: the VOSI 1.1 document against VOSICapabilities + VODataService, with the namespace
// and form rules clients trip over (unqualified <capability>, xsi:type, use="full" for VOSI), anonymous even when
// the service authenticates, GET only.
import { XMLParser } from 'fast-xml-parser';
import { sodaParameters } from '../../src/soda/parameters.js';
import { capabilitiesXml } from '../../src/vo/capabilities.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { expectValid, validateXml } from '../support/xsd.js';

const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', isArray: (n) => ['capability', 'queryType', 'param'].includes(n) });

describe('GET /soda/capabilities', () => {
  let db: TestDatabase;
  let app: TestApp;
  let tokenApp: TestApp;
  beforeAll(async () => {
    db = await createTestDatabase();
    app = await startTestApp(db.pool);
    tokenApp = await startTestApp(db.pool, { config: { AUTH_MODE: 'token' } });
  });
  afterAll(async () => {
    await app.close();
    await tokenApp.close();
    await db.drop();
  });

  it('is valid text/xml with Last-Modified, and lists every capability at absolute URLs', async () => {
    const res = await fetch(`${app.url}/soda/capabilities`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/xml; charset=utf-8');
    expect(new Date(res.headers.get('last-modified')!).getTime()).toBeLessThanOrEqual(Date.now());
    const xml = await res.text();
    await expectValid(xml, 'capabilities');
    const caps = parser.parse(xml)['vosi:capabilities'].capability as Array<{ standardID: string; interface: Record<string, unknown> }>;
    const soda = `${app.url}/soda`;
    expect(caps.map((c) => [c.standardID, c.interface['xsi:type'], (c.interface.accessURL as { '#text': string; use: string })['#text'], (c.interface.accessURL as { use: string }).use, c.interface.role])).toEqual([
      ['ivo://ivoa.net/std/VOSI#capabilities', 'vs:ParamHTTP', `${soda}/capabilities`, 'full', undefined],
      ['ivo://ivoa.net/std/VOSI#availability', 'vs:ParamHTTP', `${soda}/availability`, 'full', undefined],
      ['ivo://ivoa.net/std/SODA#sync-1.0', 'vs:ParamHTTP', `${soda}/sync`, 'base', 'std'],
      ['ivo://ivoa.net/std/SODA#async-1.0', 'vs:ParamHTTP', `${soda}/async`, 'base', 'std'],
      ['ivo://ivoa.net/std/DataLink#links-1.1', 'vs:ParamHTTP', `${soda}/links`, 'base', 'std'],
      ['ivo://ivoa.net/std/UWS#rest-1.1', 'vs:ParamHTTP', `${soda}/async`, 'base', 'std'],
      ['ivo://ivoa.net/std/DALI#examples', 'vr:WebBrowser', `${soda}/examples`, 'full', undefined],
    ]);
    // SODA sync lists its parameters with VOTable types; ID is the one required.
    const sync = caps[2].interface as { queryType: string[]; param: Array<{ name: string; use?: string; unit?: string; dataType: Record<string, string> }> };
    expect(sync.queryType).toEqual(['GET', 'POST']);
    expect(sync.param.map((p) => p.name)).toEqual(sodaParameters.map((p) => p.name));
    expect(sync.param.filter((p) => p.use === 'required').map((p) => p.name)).toEqual(['ID']);
    expect(sync.param.find((p) => p.name === 'BAND')).toMatchObject({ unit: 'm', dataType: { 'xsi:type': 'vs:VOTableType', arraysize: '2', extendedType: 'interval', '#text': 'double' } });
    // Anonymous: no interface carries a securityMethod.
    expect(xml).not.toContain('securityMethod');
  });

  it('declares the VOSI namespace on the root and leaves <capability> unqualified', async () => {
    const xml = await (await fetch(`${app.url}/soda/capabilities`)).text();
    expect(xml).toMatch(/<vosi:capabilities xmlns:vosi="http:\/\/www\.ivoa\.net\/xml\/VOSICapabilities\/v1\.0" xmlns:vr="http:\/\/www\.ivoa\.net\/xml\/VOResource\/v1\.0" xmlns:vs="http:\/\/www\.ivoa\.net\/xml\/VODataService\/v1\.1" xmlns:xsi="http:\/\/www\.w3\.org\/2001\/XMLSchema-instance">/);
    expect(xml).not.toMatch(/<vosi:capability[ >]/);
    expect(xml).not.toMatch(/ xmlns="/);
    expect(xml.match(/<capability /g)).toHaveLength(7);
  });

  it('is readable without credentials when the service requires tokens', async () => {
    const res = await fetch(`${tokenApp.url}/soda/capabilities`);
    expect(res.status).toBe(200);
    await expectValid(await res.text(), 'capabilities');
    // The job list itself does require one, so the test is not vacuous.
    expect((await fetch(`${tokenApp.url}/soda/async`)).status).toBe(401);
  });

  it('refuses other methods with 405', async () => {
    const res = await fetch(`${app.url}/soda/capabilities`, { method: 'POST' });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET, HEAD');
  });

  it('fails validation when a capability is qualified or an interface lacks xsi:type (the validator can fail)', async () => {
    const good = capabilitiesXml({ serviceUrl: 'https://h/soda', sodaParams: sodaParameters, maxLinksIds: 100 });
    expect((await validateXml(good, 'capabilities')).valid).toBe(true);
    expect((await validateXml(good.replace(/<capability /, '<vosi:capability ').replace('</capability>', '</vosi:capability>'), 'capabilities')).valid).toBe(false);
    expect((await validateXml(good.replace(' xsi:type="vs:ParamHTTP"', ''), 'capabilities')).valid).toBe(false);
  });
});
