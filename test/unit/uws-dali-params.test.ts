// DALI parameter parsing through a real express app on loopback: query string, urlencoded and multipart
// bodies, case-insensitive names, repeats in order, single-valued checks, limits and bad bodies.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { readDaliParams } from '../../src/http/dali-params.js';
import { errorMiddleware } from '../../src/http/errors.js';
import { createLogger } from '../../src/logger.js';

type Echo = { list: unknown; files: unknown; pol: string[]; has: boolean; same: boolean; without: string[] };
const echo = async (r: Promise<Response>) => (await (await r).json()) as Echo;

describe('readDaliParams', () => {
  let server: http.Server;
  let url: string;
  beforeAll(async () => {
    const app = express();
    app.all('/echo', async (req, res) => {
      const p = await readDaliParams(req, { maxFormBytes: 1000, maxMultipartBytes: 5000 });
      const again = await readDaliParams(req);
      res.json({
        list: p.list,
        files: p.files.map((f) => ({ name: f.name, filename: f.filename, type: f.type, text: f.data.toString('utf8') })),
        id: req.query.single ? p.get('ID') : null,
        pol: p.getAll('pol'),
        has: p.has('Band'),
        same: again === p,
        without: p.without('id', 'POL').map((x) => x.name),
      });
    });
    app.use(errorMiddleware(createLogger('silent')));
    server = http.createServer(app);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/echo`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  it('reads GET query parameters, upper-casing names and keeping repeats in order', async () => {
    const body = await echo(fetch(`${url}?id=ivo%3A%2F%2Fx%3Fa%26b&POL=I&pol=Q&Band=1+2&&=x`));
    expect(body.list).toEqual([
      { name: 'ID', value: 'ivo://x?a&b' },
      { name: 'POL', value: 'I' },
      { name: 'POL', value: 'Q' },
      { name: 'BAND', value: '1 2' },
    ]);
    expect(body.pol).toEqual(['I', 'Q']);
    expect(body.has).toBe(true);
    expect(body.same).toBe(true);
    expect(body.without).toEqual(['BAND']);
  });

  it('reads urlencoded POST bodies after the query string', async () => {
    const body = await echo(fetch(`${url}?RUNID=r1`, { method: 'POST', body: new URLSearchParams([['Pol', 'U'], ['circle', '1 2 0.5']]) }));
    expect(body.list).toEqual([
      { name: 'RUNID', value: 'r1' },
      { name: 'POL', value: 'U' },
      { name: 'CIRCLE', value: '1 2 0.5' },
    ]);
  });

  it('reads multipart bodies: fields as parameters, file parts as uploads', async () => {
    const form = new FormData();
    form.append('upload', 't1,param:t1');
    form.append('t1', new Blob(['<VOTABLE/>'], { type: 'application/x-votable+xml' }), 'table.xml');
    const body = await echo(fetch(url, { method: 'POST', body: form }));
    expect(body.list).toEqual([{ name: 'UPLOAD', value: 't1,param:t1' }]);
    expect(body.files).toEqual([{ name: 't1', filename: 'table.xml', type: 'application/x-votable+xml', text: '<VOTABLE/>' }]);
  });

  it('rejects a repeated single-valued parameter with MultiValuedParamNotSupported', async () => {
    const res = await fetch(`${url}?single=1&ID=a&id=b`);
    expect(res.status).toBe(400);
    expect(await res.text()).toBe('MultiValuedParamNotSupported: ID may be given only once');
  });

  it('rejects oversized, unsupported and control-character bodies', async () => {
    const big = await fetch(url, { method: 'POST', body: new URLSearchParams({ X: 'y'.repeat(2000) }) });
    expect(big.status).toBe(413);
    const form = new FormData();
    form.append('f', new Blob(['z'.repeat(6000)]), 'f.bin');
    expect((await fetch(url, { method: 'POST', body: form })).status).toBe(413);
    const json = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"ID":"x"}' });
    expect([json.status, await json.text()]).toEqual([400, expect.stringMatching(/^UsageError: unsupported request body type "application\/json"/)]);
    const ctl = await fetch(`${url}?ID=a%00b`);
    expect([ctl.status, await ctl.text()]).toEqual([400, 'UsageError: parameter "ID" contains a control character']);
    const broken = await fetch(url, { method: 'POST', headers: { 'content-type': 'multipart/form-data; boundary=xyz' }, body: '--xyz\r\nnonsense' });
    expect(broken.status).toBe(400);
  });
});
