// XML output is escaped: parameter names and values, RUNID and error messages with < & " ' ]]> and line breaks
// in UWS documents, IDs in DataLink documents, field names and cells in VOTables all give documents that stay
// well-formed, valid against the IVOA schemas, and hand back exactly the text that went in.
import fc from 'fast-check';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { execFileSync } from 'node:child_process';
import { markError } from '../../src/store/job-store.js';
import { field, info, resource, table, votable } from '../../src/vo/votable.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { expectValid } from '../support/xsd.js';
import { parseXml, postForm } from '../integration/uws-helpers.js';

const nasty = `<&"'>]]>--&amp;&#0;`;
const wellFormed = (xml: string) => {
  const r = XMLValidator.validate(xml);
  if (r !== true) throw new Error(`not well-formed: ${JSON.stringify(r)}\n${xml.slice(0, 2000)}`);
};
const textOf = (x: unknown): string => (typeof x === 'object' && x !== null ? String((x as Record<string, unknown>)['#text'] ?? '') : String(x ?? ''));

describe('XML escaping', () => {
  let db: TestDatabase;
  let app: TestApp;
  let jobs: string;
  beforeAll(async () => {
    db = await createTestDatabase();
    app = await startTestApp(db.pool);
    jobs = `${app.url}/soda/async`;
  });
  afterAll(async () => {
    await app.close();
    await db.drop();
  });

  it('keeps UWS documents valid with <&"\' in parameter names, values and RUNID, and returns them verbatim', async () => {
    const name = `X${nasty}`;
    const value = `${nasty}\tline1\nline2`;
    const res = await postForm(jobs, [[name, value], ['RUNID', `run${nasty}`.slice(0, 64)], ['DURATION', '0']]);
    expect(res.status).toBe(303);
    const job = res.headers.get('location')!;
    for (const url of [job, `${job}/parameters`, jobs]) {
      const xml = await (await fetch(url)).text();
      await expectValid(xml, 'uws');
    }
    const doc = parseXml(await (await fetch(job)).text()).job;
    const p = doc.parameters.parameter.find((x: Record<string, string>) => x['@id'] === name.toUpperCase());
    expect(textOf(p)).toBe(value);
    expect(textOf(doc.runId)).toBe(`run${nasty}`.slice(0, 64));
  });

  it('keeps any accepted parameter well-formed and round-trips it (property)', async () => {
    // Random text spiked with the pieces escaping gets wrong: entity and character references, CDATA ends, quotes.
    const piece = fc.oneof(fc.constantFrom('&amp;', '&#0;', '&#x41;', '&lt;', '&nbsp;', ']]>', '<!--', '"', "'", '<a>', '&', '\r\n', '\t'), fc.string({ unit: 'grapheme', maxLength: 4 }));
    const spiked = fc.array(piece, { maxLength: 8 }).map((xs) => xs.join(''));
    const name = spiked.map((s) => `${s}x`.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, ''));
    const docs: Array<{ xml: string; name: string; value: string }> = [];
    await fc.assert(
      fc.asyncProperty(name, spiked, async (n, v) => {
        const res = await postForm(jobs, [[`P${n}`, v]]);
        const body = await res.text();
        if (res.status !== 303) {
          // Only XML-illegal characters are refused, with the standard label.
          expect(body).toMatch(/^UsageError: /);
          return;
        }
        const xml = await (await fetch(`${res.headers.get('location')}/parameters`)).text();
        wellFormed(xml);
        docs.push({ xml, name: `P${n}`.toUpperCase(), value: v });
      }),
      { numRuns: 60 },
    );
    // Then every document through a conforming parser (Python's expat), as a client would read it.
    const check = `
import json, sys, xml.etree.ElementTree as ET
bad = []
for d in json.load(sys.stdin):
    root = ET.fromstring(d['xml'].encode('utf-8'))
    got = [p.text or '' for p in root if p.get('id') == d['name']]
    want = d['value'].replace('\\r\\n', '\\n').replace('\\r', '\\n')
    if got != [want]: bad.append([d['name'], d['value'], got])
print(json.dumps(bad))`;
    const out = execFileSync('/usr/bin/python3', ['-c', check], { input: JSON.stringify(docs), timeout: 30000 }).toString();
    expect(JSON.parse(out)).toEqual([]);
    expect(docs.length).toBeGreaterThan(30);
  });

  it('serves an error message with <&"\' as a valid VOTable error document', async () => {
    const job = await (await postForm(jobs, { DURATION: '60', PHASE: 'RUN' })).headers.get('location')!;
    const id = job.split('/').pop()!;
    await db.pool.query(`update uws_job set phase = 'EXECUTING' where id = $1`, [id]);
    await markError(db.pool, id, new Date(), { type: 'fatal', message: `Error: ${nasty}` }, ['EXECUTING']);
    const xml = await (await fetch(`${job}/error`)).text();
    await expectValid(xml, 'votable');
    expect(xml).not.toContain(nasty);
    await expectValid(await (await fetch(job)).text(), 'uws');
  });

  it('keeps DataLink documents valid for IDs with <&"\' (one error row each, ID echoed verbatim)', async () => {
    const ids = [`ivo://drsoda.example.org/aat?${nasty}`, nasty, `ivo://drsoda.example.org/products?${nasty}/x.fits`, 'ivo://other.org/x?"y"'];
    const url = `${app.url}/soda/links?${ids.map((i) => `ID=${encodeURIComponent(i)}`).join('&')}`;
    const xml = await (await fetch(url)).text();
    await expectValid(xml, 'votable');
    const rows = new XMLParser({ removeNSPrefix: true, isArray: (n) => n === 'TR' || n === 'TD', parseTagValue: false }).parse(xml).VOTABLE.RESOURCE;
    const tr = (Array.isArray(rows) ? rows[0] : rows).TABLE.DATA.TABLEDATA.TR as Array<{ TD: unknown[] }>;
    expect(tr.map((r) => textOf(r.TD[0]))).toEqual(ids);
  });

  it('writes VOTable field names, INFOs and cells with <&"\' that validate', async () => {
    const doc = votable([
      resource({ type: 'results', infos: [info('QUERY_STATUS', 'OK', nasty)], body: [table([{ name: nasty, datatype: 'char', arraysize: '*', description: nasty }], [[nasty], [`${nasty}\t\n`]], nasty)] }),
    ]);
    await expectValid(doc, 'votable');
    expect(field({ name: nasty, datatype: 'char', arraysize: '*' })).not.toMatch(/name="[^"]*"[^ />]/);
  });
});
