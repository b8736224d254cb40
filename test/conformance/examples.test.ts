// GET /soda/examples: a well-formed XHTML+RDFa document (DALI 1.1 section 2.3) that TOPCAT's own reader
// (uk.ac.starlink.vo.DaliExampleReader, from Debian's STILTS) parses into named examples with their parameters,
// built from real archive IDs so that the requests work.
import { execFile } from 'node:child_process';
import { XMLValidator } from 'fast-xml-parser';
import { sodaParameters } from '../../src/soda/parameters.js';
import { examplesXhtml } from '../../src/vo/examples.js';
import { startTestApp } from '../support/app.js';
import { simulatedArchive, startSodaApp, type SodaTestApp } from '../support/soda-app.js';
import { createTestDatabase } from '../support/db.js';
import { expectValid } from '../support/xsd.js';
import { startDemoNight, type DemoNight } from './datalink-night.js';

interface TopcatExample {
  id: string;
  name: string;
  params: Array<[string, string]>;
  properties: Record<string, string>;
}

/** Runs TOPCAT's DaliExampleReader on the URL and parses what its main() prints. */
function topcatExamples(url: string): Promise<TopcatExample[]> {
  return new Promise((resolve, reject) => {
    execFile('java', ['-cp', '/usr/share/java/starlink-ttools.jar', 'uk.ac.starlink.vo.DaliExampleReader', url], { timeout: 60000 }, (err, stdout, stderr) => {
      if (err) return reject(new Error(`DaliExampleReader failed: ${stderr || err.message}`));
      const out: TopcatExample[] = [];
      let section: 'params' | 'props' | null = null;
      for (const line of stdout.split('\n')) {
        const head = /^(\S+): (.*)$/.exec(line);
        if (head && !line.startsWith(' ')) {
          out.push({ id: head[1], name: head[2], params: [], properties: {} });
          section = null;
        } else if (line.trim() === 'generic-parameters:') section = 'params';
        else if (line.trim() === 'properties:') section = 'props';
        else if (/^\s+\S+\t+/.test(line) && out.length) {
          // Entries print as "<tab><tab>key<tab><tab>value".
          const [k, v] = line.trim().split(/\t+/);
          if (section === 'params') out[out.length - 1].params.push([k, v]);
          else out[out.length - 1].properties[k] = v;
        }
      }
      resolve(out);
    });
  });
}

describe('GET /soda/examples', () => {
  let n: DemoNight;
  beforeAll(async () => {
    n = await startDemoNight();
  }, 60000);
  afterAll(() => n.close());

  it('is well-formed XHTML served as application/xhtml+xml', async () => {
    const res = await fetch(`${n.app.url}/soda/examples`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/xhtml+xml; charset=utf-8');
    const xhtml = await res.text();
    expect(XMLValidator.validate(xhtml)).toBe(true);
    expect(xhtml).toContain('<body vocab="http://www.ivoa.net/rdf/examples#">');
  });

  it('reads in TOPCAT as named examples with their capability and parameters, all from the archive', async () => {
    const ex = await topcatExamples(`${n.app.url}/soda/examples`);
    expect(ex.map((e) => e.id)).toEqual(['links-of-an-object-frame', 'links-of-several-frames', 'reduce-and-cut-sync', 'reduce-frame-async', 'reduce-field-async']);
    for (const e of ex) {
      expect(e.name.length).toBeGreaterThan(10);
      expect(e.properties.capability).toMatch(/^ivo:\/\/ivoa\.net\/std\/(DataLink#links-1\.1|SODA#(sync|async)-1\.0)$/);
      // Every parameter is one the endpoint declares (the SODA parameters, or ID for {links}).
      for (const [k] of e.params) expect(sodaParameters.map((p) => p.name)).toContain(k);
    }
    expect(ex[0].params).toEqual([['ID', n.object.id]]);
    // TOPCAT keeps generic parameters in a map, so of a repeated ID it shows the last; the page has both.
    expect(ex[1].params).toEqual([['ID', expect.stringMatching(/^ivo:\/\/drsoda\.example\.org\/aat\?2014-09-26\/ccd/)]]);
    expect(ex[0].properties['dl-id']).toBe(n.object.id);
    const sync = Object.fromEntries(ex[2].params);
    expect(sync.ID).toBe(n.object.id);
    // The circle is centred on a fibre of the frame, the band inside the blue arm.
    const [lo, hi] = sync.BAND.split(' ').map(Number);
    expect(lo).toBeGreaterThan(n.object.lambdaCAngstrom * 1e-10 - (n.object.dispersionAngstromPerPx * n.object.naxis1 * 1e-10) / 2);
    expect(hi).toBeLessThan(n.object.lambdaCAngstrom * 1e-10 + (n.object.dispersionAngstromPerPx * n.object.naxis1 * 1e-10) / 2);
    expect(Object.fromEntries(ex[4].params).ID).toBe(`ivo://drsoda.example.org/aat?2014-09-26/field/${n.object.field}`);
  });

  it('gives DataLink examples that work as written (GET and the POSTed form)', async () => {
    const ex = await topcatExamples(`${n.app.url}/soda/examples`);
    for (const e of ex.filter((x) => x.properties.capability.includes('DataLink'))) {
      const form = new URLSearchParams(e.params);
      for (const res of [await fetch(`${n.app.url}/soda/links?${form}`), await fetch(`${n.app.url}/soda/links`, { method: 'POST', body: form })]) {
        expect(res.status).toBe(200);
        const xml = await res.text();
        await expectValid(xml, 'votable');
        expect(xml).toContain('<INFO name="QUERY_STATUS" value="OK"');
        expect(xml).not.toContain('Fault:');
      }
    }
  });

  it('says there is nothing to show, still well-formed, when the archive is empty', async () => {
    const db = await createTestDatabase();
    const app = await startTestApp(db.pool);
    try {
      const xhtml = await (await fetch(`${app.url}/soda/examples`)).text();
      expect(XMLValidator.validate(xhtml)).toBe(true);
      expect(xhtml).toContain('holds no object frames yet');
      expect(xhtml).not.toContain('typeof="example"');
    } finally {
      await app.close();
      await db.drop();
    }
  });

  it('escapes IDs into the document', () => {
    const x = examplesXhtml('https://h/soda', { objectFrameId: 'ivo://a/b?<x>&"y"', objectFileName: 'f', otherFrameId: 'o', fieldId: null, circle: [1, 2, 0.2], bandMetres: [4e-7, 5e-7] });
    expect(XMLValidator.validate(x)).toBe(true);
    expect(x).toContain('ivo://a/b?&lt;x&gt;&amp;"y"');
  });
});

describe('the SODA examples', () => {
  let s: SodaTestApp;
  beforeAll(async () => {
    // The service as serve builds it, but with no worker: requests are accepted and planned, nothing is reduced.
    s = await startSodaApp(await simulatedArchive(), { work: false, config: { SODA_SYNC_WAIT_S: '1' } });
  }, 120000);
  afterAll(async () => {
    await s?.close();
  });

  it('are accepted as written: async ones create a planned PENDING job, the sync one starts its reduction', async () => {
    const ex = await topcatExamples(`${s.url}/soda/examples`);
    const soda = ex.filter((e) => e.properties.capability.includes('SODA'));
    expect(soda.map((e) => e.id)).toEqual(['reduce-and-cut-sync', 'reduce-frame-async', 'reduce-field-async']);
    for (const e of soda) {
      const form = new URLSearchParams(e.params);
      if (e.properties.capability.endsWith('#async-1.0')) {
        const res = await fetch(`${s.url}/soda/async`, { method: 'POST', body: form, redirect: 'manual' });
        expect([e.id, res.status]).toEqual([e.id, 303]);
        const job = await (await fetch(res.headers.get('location')!)).text();
        expect(job).toContain('<uws:phase>PENDING</uws:phase>');
        expect(job).toContain('<plan:summary');
        expect(await (await fetch(`${res.headers.get('location')}/plan`)).text()).toContain('<plan:plan');
        await fetch(res.headers.get('location')!, { method: 'DELETE', redirect: 'manual' });
      } else {
        // No worker runs here, so the reduction cannot finish within SODA_SYNC_WAIT_S: the answer is "retry later".
        const res = await fetch(`${s.url}/soda/sync?${form}`);
        expect([e.id, res.status, res.headers.get('retry-after') !== null]).toEqual([e.id, 503, true]);
        expect(await res.text()).toMatch(/^ServiceUnavailable: /);
      }
    }
  });
});
