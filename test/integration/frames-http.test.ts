import { createHash } from 'node:crypto';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, renameSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { ingestArchive } from '../../src/archive/ingest.js';
import { createLogger } from '../../src/logger.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { writeRawFrame } from './archive-fixture.js';

const A = 'drsoda.example.org';
const OBJ = 'ivo://drsoda.example.org/aat?2014-09-26/ccd1/0004';
const SECRET = 'TOP-SECRET-OUTSIDE-THE-ARCHIVE';

/** A raw request: fetch would normalise '..' and '%2e%2e' before sending, hiding what the server does. */
function rawGet(url: string, p: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    http
      .get({ host: u.hostname, port: u.port, path: p, headers, agent: false }, (res) => {
        let body = '';
        res.setEncoding('latin1');
        res.on('data', (d) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      })
      .on('error', reject);
  });
}

describe('raw frames over HTTP', () => {
  let db: TestDatabase;
  let app: TestApp;
  let root: string;
  let bytes: Buffer;
  const raw = (id: string) => `${app.url}/files/raw?ID=${encodeURIComponent(id)}`;

  beforeAll(async () => {
    db = await createTestDatabase();
    const tmp = mkdtempSync(path.join(os.tmpdir(), 'drsoda-frames-http-'));
    root = path.join(tmp, 'archive');
    writeFileSync(path.join(tmp, 'secret.fits'), SECRET);
    for (const ccd of [1, 2] as const) {
      await writeRawFrame(root, { ccd, run: 1, ndfClass: 'BIAS', cfg: '' });
      await writeRawFrame(root, { ccd, run: 2, ndfClass: 'MFFFF' });
      await writeRawFrame(root, { ccd, run: 3, ndfClass: 'MFARC' });
      await writeRawFrame(root, { ccd, run: 4, ndfClass: 'MFOBJECT' });
      await writeRawFrame(root, { ccd, run: 5, ndfClass: 'MFOBJECT', cfg: 'G23_Y7_016_p1.sds', plate: 1, object: 'G23_Y7_016' });
    }
    await writeRawFrame(root, { night: '2014-09-27', ccd: 1, run: 1, ndfClass: 'BIAS', cfg: '' });
    symlinkSync(path.join(tmp, 'secret.fits'), path.join(root, '140926/ccd_1/26sep10099.fits'));
    await ingestArchive({ pool: db.pool, root, authority: A, log: createLogger('silent') });
    bytes = readFileSync(path.join(root, '140926/ccd_1/26sep10004.fits'));
    app = await startTestApp(db.pool, { config: { ARCHIVE_ROOT: root } });
  });
  afterAll(async () => {
    await app.close();
    await db.drop();
  });

  describe('GET /api/frames', () => {
    const list = async (q: string) => {
      const res = await fetch(`${app.url}/api/frames${q}`);
      // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the JSON document is checked field by field below
      const body: any = res.status === 200 ? await res.json() : await res.text();
      return { status: res.status, type: res.headers.get('content-type'), body };
    };

    it('lists every present frame in night, run, ccd order', async () => {
      const r = await list('');
      expect(r.type).toMatch(/^application\/json/);
      expect(r.body.total).toBe(11);
      expect(r.body.frames.map((f: { id: string }) => f.id.slice(-20))).toEqual([
        '26/ccd1/0001', '26/ccd2/0001', '26/ccd1/0002', '26/ccd2/0002', '26/ccd1/0003', '26/ccd2/0003', '26/ccd1/0004', '26/ccd2/0004',
        '26/ccd1/0005', '26/ccd2/0005', '27/ccd1/0001',
      ].map((s) => `2014-09-${s}`));
      const obj = r.body.frames[6];
      expect(obj).toMatchObject({
        id: OBJ, night: '2014-09-26', ccd: 1, arm: 'blue', run: 4, ndfClass: 'MFOBJECT', field: 'G23_Y7_015_p0', cfgFile: 'G23_Y7_015_p0.sds',
        fieldId: 'ivo://drsoda.example.org/aat?2014-09-26/field/G23_Y7_015_p0', plate: 0, gratId: '580V', exposedS: 1800,
        meanRaDeg: 348.551234567891, path: '140926/ccd_1/26sep10004.fits', sizeBytes: bytes.length,
        sha256: createHash('sha256').update(bytes).digest('hex'), url: raw(OBJ),
      });
    });

    it.each([
      ['?night=2014-09-27', 1],
      ['?arm=red', 5],
      ['?ARM=blue&class=MFOBJECT', 2],
      ['?class=mfobject,mfarc&ccd=2', 3],
      ['?class=MFOBJECT&class=BIAS', 7],
      ['?field=G23_Y7_016_p1.sds', 2],
      ['?field=G23_Y7_015_p0&arm=red', 3],
      ['?object=G23_Y7_016', 2],
      ['?night=2014-09-28', 0],
    ])('filters %s to %i frames', async (q, n) => {
      const r = await list(q);
      expect(r.body.total).toBe(n);
      expect(r.body.frames).toHaveLength(n);
    });

    it('pages with limit and offset and links the next page', async () => {
      const seen: string[] = [];
      let url: string | null = `${app.url}/api/frames?arm=blue&limit=4`;
      const pages: Array<{ offset: number; n: number }> = [];
      while (url) {
        const page = (await (await fetch(url)).json()) as { total: number; offset: number; next: string | null; frames: Array<{ id: string }> };
        expect(page.total).toBe(6);
        pages.push({ offset: page.offset, n: page.frames.length });
        seen.push(...page.frames.map((f) => f.id));
        url = page.next;
      }
      expect(pages).toEqual([{ offset: 0, n: 4 }, { offset: 4, n: 2 }]);
      expect(new Set(seen).size).toBe(6);
      expect((await list('?offset=50')).body).toMatchObject({ total: 11, frames: [], next: null });
    });

    it.each(['?nite=2014-09-26', '?night=26sep14', '?arm=green', '?limit=0', '?limit=5000'])('refuses %s with UsageError', async (q) => {
      const r = await list(q);
      expect(r.status).toBe(400);
      expect(r.body).toMatch(/^UsageError: /);
    });

    it('returns one frame with its fibre table from /api/frame', async () => {
      const res = await fetch(`${app.url}/api/frame?ID=${encodeURIComponent(OBJ)}`);
      const body = (await res.json()) as { fibres: unknown[] };
      expect(body).toMatchObject({ id: OBJ, ndfClass: 'MFOBJECT' });
      expect(body.fibres).toHaveLength(10);
      expect(body.fibres[7]).toEqual({ fibre: 8, name: 'G1007', type: 'U', raRad: null, decRad: null, pivot: 8, magnitude: 19.7 });
      expect((await fetch(`${app.url}/api/frame?ID=${encodeURIComponent(OBJ.replace('0004', '0404'))}`)).status).toBe(404);
    });
  });

  describe('GET /files/raw', () => {
    it('sends the whole file with length, type, validators and a digest', async () => {
      const res = await fetch(raw(OBJ));
      expect(res.status).toBe(200);
      const body = Buffer.from(await res.arrayBuffer());
      expect(body.equals(bytes)).toBe(true);
      const sha = createHash('sha256').update(bytes).digest();
      expect(res.headers.get('content-length')).toBe(String(bytes.length));
      expect(res.headers.get('content-type')).toBe('application/fits');
      expect(res.headers.get('accept-ranges')).toBe('bytes');
      expect(res.headers.get('etag')).toBe(`"${sha.toString('hex')}"`);
      expect(res.headers.get('repr-digest')).toBe(`sha-256=:${sha.toString('base64')}:`);
      expect(new Date(res.headers.get('last-modified')!).getTime()).toBeGreaterThan(0);
      expect(res.headers.get('content-disposition')).toBe('attachment; filename="26sep10004.fits"');
    });

    it('serves the same file under its archive path', async () => {
      const res = await fetch(`${app.url}/files/raw/140926/ccd_1/26sep10004.fits`);
      expect(Buffer.from(await res.arrayBuffer()).equals(bytes)).toBe(true);
    });

    it.each([
      ['bytes=0-79', 0, 79],
      ['bytes=2880-', 2880, -1],
      ['bytes=-100', -100, -1],
    ])('answers Range %s with 206 and exactly those bytes', async (range, from, to) => {
      const res = await fetch(raw(OBJ), { headers: { Range: range } });
      expect(res.status).toBe(206);
      const start = from < 0 ? bytes.length + from : from;
      const end = to < 0 ? bytes.length - 1 : to;
      expect(res.headers.get('content-range')).toBe(`bytes ${start}-${end}/${bytes.length}`);
      expect(res.headers.get('content-length')).toBe(String(end - start + 1));
      expect(Buffer.from(await res.arrayBuffer()).equals(bytes.subarray(start, end + 1))).toBe(true);
    });

    it('answers an unsatisfiable Range with 416 and the size', async () => {
      const res = await fetch(raw(OBJ), { headers: { Range: `bytes=${bytes.length}-` } });
      expect(res.status).toBe(416);
      expect(res.headers.get('content-range')).toBe(`bytes */${bytes.length}`);
    });

    it('revalidates: If-None-Match gives 304, a stale If-Range gives the whole file', async () => {
      const etag = (await fetch(raw(OBJ), { method: 'HEAD' })).headers.get('etag')!;
      expect((await fetch(raw(OBJ), { headers: { 'If-None-Match': etag } })).status).toBe(304);
      const stale = await fetch(raw(OBJ), { headers: { Range: 'bytes=0-9', 'If-Range': '"0000"' } });
      expect(stale.status).toBe(200);
      expect((await stale.arrayBuffer()).byteLength).toBe(bytes.length);
      const fresh = await fetch(raw(OBJ), { headers: { Range: 'bytes=0-9', 'If-Range': etag } });
      expect(fresh.status).toBe(206);
      expect((await fresh.arrayBuffer()).byteLength).toBe(10);
    });

    it('answers HEAD with the headers of GET and no body', async () => {
      const res = await fetch(raw(OBJ), { method: 'HEAD' });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-length')).toBe(String(bytes.length));
      expect((await res.arrayBuffer()).byteLength).toBe(0);
    });

    it.each([
      ['', 400, /^UsageError: ID parameter is required/],
      [`?ID=${encodeURIComponent(OBJ)}&ID=${encodeURIComponent(OBJ)}`, 400, /^MultiValuedParamNotSupported: /],
      ['?ID=ivo%3A%2F%2Fdrsoda.example.org%2Faat%3F2014-09-26%2Fccd1%2F4', 400, /^UsageError: .*canonical/],
      ['?ID=ivo%3A%2F%2Fdrsoda.example.org%2Faat%3F2014-09-26%2Fccd1%2F0099', 404, /^NotFoundFault: /],
      ['?ID=ivo%3A%2F%2Felsewhere.org%2Faat%3F2014-09-26%2Fccd1%2F0004', 404, /^NotFoundFault: /],
    ])('refuses ?ID %s with %i', async (q, status, message) => {
      const res = await fetch(`${app.url}/files/raw${q}`);
      expect(res.status).toBe(status);
      expect(await res.text()).toMatch(message);
    });

    it('refuses methods other than GET and HEAD', async () => {
      const res = await fetch(raw(OBJ), { method: 'DELETE' });
      expect(res.status).toBe(405);
      expect(res.headers.get('allow')).toBe('GET, HEAD');
    });

    it('is read by astropy straight from the URL', async () => {
      const script = `from astropy.io import fits\nwith fits.open(${JSON.stringify(raw(OBJ))}) as h:\n    print(h[0].header['NDFCLASS'], len(h['STRUCT.MORE.FIBRES'].data))`;
      const out = await new Promise<string>((resolve, reject) =>
        execFile('/usr/bin/python3', ['-c', script], { timeout: 30000 }, (err, stdout, stderr) => (err ? reject(new Error(stderr || err.message)) : resolve(stdout))),
      );
      expect(out.trim()).toBe('MFOBJECT 10');
    });

    it('weakens the ETag of a file changed since ingest, and answers 404 for a frame whose file vanished', async () => {
      const rel = '140926/ccd_2/26sep20003.fits';
      const id = 'ivo://drsoda.example.org/aat?2014-09-26/ccd2/0003';
      const later = new Date(Date.now() + 10_000);
      utimesSync(path.join(root, rel), later, later);
      const changed = await fetch(raw(id), { method: 'HEAD' });
      expect(changed.headers.get('etag')).toMatch(/^W\//);
      expect(changed.headers.get('repr-digest')).toBeNull();
      renameSync(path.join(root, rel), path.join(root, `${rel}.away`));
      try {
        expect((await fetch(raw(id))).status).toBe(404);
        await ingestArchive({ pool: db.pool, root, authority: A, log: createLogger('silent') });
        const res = await fetch(raw(id));
        expect(res.status).toBe(404);
        expect(await res.text()).toMatch(/^NotFoundFault: frame .* is no longer in the archive/);
        expect(((await (await fetch(`${app.url}/api/frames`)).json()) as { total: number }).total).toBe(10);
      } finally {
        renameSync(path.join(root, `${rel}.away`), path.join(root, rel));
        await ingestArchive({ pool: db.pool, root, authority: A, log: createLogger('silent') });
      }
    });

    it.each([
      '/files/raw/../../../../etc/passwd',
      '/files/raw/140926/../../secret.fits',
      '/files/raw/%2e%2e/secret.fits',
      '/files/raw/%2E%2E%2Fsecret.fits',
      '/files/raw/140926%2F..%2F..%2Fsecret.fits',
      '/files/raw/..%5c..%5csecret.fits',
      '/files/raw//etc/passwd',
      '/files/raw/%2Fetc%2Fpasswd',
      `/files/raw/${encodeURIComponent(path.join(os.tmpdir(), 'x'))}`,
      '/files/raw/140926/ccd_1/26sep10004.fits%00.txt',
      '/files/raw/140926/ccd_1/26sep10099.fits',
      '/files/raw/140926/ccd_1/%2e/26sep10004.fits',
      '/files/raw/%ZZ',
      '/files/raw?ID=..%2F..%2Fsecret.fits',
      '/files/raw?ID=%2Fetc%2Fpasswd',
    ])('refuses %s without revealing anything outside the archive', async (p) => {
      const r = await rawGet(app.url, p);
      expect([400, 404]).toContain(r.status);
      expect(r.body).toMatch(/^(UsageError|NotFoundFault): /);
      expect(r.body).not.toContain(SECRET);
      expect(r.body).not.toContain('root:');
      expect(r.body).not.toContain(root);
    });
  });
});
