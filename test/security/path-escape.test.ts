// IDs and file routes cannot leave their roots: '..', encoded and double-encoded slashes and dots, backslashes and
// NUL in every route that ends at a file (raw frames, products, job results, uploads, step logs, DataLink), and
// symlinks planted inside the archive, the product store, a job's folder and the log folder that point outside.
import { randomBytes } from 'node:crypto';
import { rmSync, symlinkSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { getJob } from '../../src/store/job-store.js';
import { jobStepLogPath } from '../../src/store/step-view-store.js';
import { ProductStore } from '../../src/scheduler/product-store.js';
import { OBJECT_DID, startSecureApp, type SecureApp } from './secure-app.js';

const SECRET = `SECRET-${randomBytes(8).toString('hex')}`;

/** A request sent exactly as written: fetch would normalise '..' and '%2e%2e' away before the server saw them. */
function raw(port: number, p: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path: p, agent: false }, (res) => {
        let body = '';
        res.setEncoding('latin1');
        res.on('data', (d) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      })
      .on('error', reject);
  });
}

describe('file routes stay inside their roots', () => {
  let s: SecureApp;
  let secretFile: string;
  let done: { id: string; stepId: string; fileName: string };
  let pending: string;
  const leaks = (body: string) => body.includes(SECRET) || /root:x:0:0/.test(body);

  beforeAll(async () => {
    s = await startSecureApp();
    secretFile = path.join(os.tmpdir(), `drsoda-secret-${randomBytes(4).toString('hex')}.fits`);
    writeFileSync(secretFile, SECRET);
    writeFileSync(path.join(s.archive, '..', 'secret.fits'), SECRET);
    writeFileSync(path.join(s.config.dataDir, 'secret.fits'), SECRET);
    done = await s.completedJob(null, 'esc');
    const form = new FormData();
    form.append('ID', OBJECT_DID);
    form.append('t1', new Blob(['upload']), 't1');
    pending = (await fetch(`${s.url}/soda/async`, { method: 'POST', body: form, redirect: 'manual' })).headers.get('location')!.split('/').pop()!;
  });
  afterAll(async () => {
    rmSync(secretFile, { force: true });
    await s?.close();
  });

  const hostilePaths = () => {
    const up = (n: number, enc: string) => Array(n).fill(enc).join('');
    const t = ['..%2f', '%2e%2e%2f', '..%5c', '%252e%252e%252f', '..%c0%af', '.%2e/'];
    return [
      '/files/raw/../../../../etc/passwd', '/files/raw/%2e%2e/%2e%2e/secret.fits', '/files/raw/140926/ccd_1/..%2f..%2f..%2fsecret.fits',
      '/files/raw/140926/ccd_1/26sep10004.fits%00.png', '/files/raw/140926%5cccd_1%5c26sep10004.fits', '/files/raw/%252e%252e/secret.fits',
      '/files/raw//etc/passwd', '/files/raw/140926/ccd_1/.%2e/.%2e/.%2e/secret.fits',
      `/files/raw?ID=${encodeURIComponent('ivo://drsoda.example.org/aat?../../secret')}`, `/files/raw?ID=${encodeURIComponent(`${OBJECT_DID}\0`)}`,
      `/api/frame?ID=${encodeURIComponent('ivo://drsoda.example.org/aat?2014-09-26/../../../etc/passwd')}`,
      ...t.map((e) => `/files/products/${up(6, e)}secret.fits/x.fits`), ...t.map((e) => `/files/products/${done.stepId}/${up(6, e)}secret.fits`),
      `/files/products/${done.stepId}/%2e%2e`, `/files/products/${done.stepId}/.${done.fileName}`,
      ...t.map((e) => `/soda/async/${up(4, e)}etc/passwd`), ...t.map((e) => `/soda/async/${done.id}/results/${up(6, e)}secret.fits`),
      ...t.map((e) => `/soda/async/${pending}/parameters/${up(6, e)}secret.fits`), `/soda/async/${pending}/parameters/%2e%2e`,
      `/soda/async/${pending}/parameters/.t1.0badc0de.tmp`, ...t.map((e) => `/soda/async/${done.id}/steps/${done.stepId}/log/${up(4, e)}`),
      ...t.map((e) => `/soda/async/${done.id}/steps/${up(4, e)}secret/log`),
      `/soda/links?ID=${encodeURIComponent(`ivo://drsoda.example.org/products?${done.stepId}/../../../secret.fits`)}`,
      `/soda/links?ID=${encodeURIComponent('ivo://drsoda.example.org/products?../../secret.fits/x')}`,
      ...t.map((e) => `/${up(6, e)}etc/passwd`), ...t.map((e) => `/assets/${up(6, e)}etc/passwd`),
    ];
  };

  it('answers every traversal attempt with a 4xx (or an error row) and never the file', async () => {
    const seen: string[] = [];
    for (const p of hostilePaths()) {
      const r = await raw(s.port, p);
      if (r.status >= 500 || leaks(r.body) || (r.status === 200 && !p.startsWith('/soda/links'))) seen.push(`${p} -> ${r.status} ${r.body.slice(0, 120)}`);
    }
    expect(seen).toEqual([]);
  });

  it('does not follow symlinks planted inside the archive, the product store, a job folder or the logs to files outside', async () => {
    // Archive: an indexed frame replaced by a link to a file outside the root.
    const rawFile = path.join(s.archive, '140926/ccd_1/26sep10001.fits');
    rmSync(rawFile);
    symlinkSync(secretFile, rawFile);
    for (const p of ['/files/raw/140926/ccd_1/26sep10001.fits', `/files/raw?ID=${encodeURIComponent('ivo://drsoda.example.org/aat?2014-09-26/ccd1/0001')}`]) {
      const r = await raw(s.port, p);
      expect([p, r.status, leaks(r.body)]).toEqual([p, 404, false]);
    }
    // Product store: the done step's product replaced by a link.
    const product = new ProductStore(path.join(s.config.dataDir, 'products')).file(done.stepId, done.fileName);
    rmSync(product);
    symlinkSync(secretFile, product);
    const p1 = await raw(s.port, `/files/products/${done.stepId}/${done.fileName}`);
    expect([p1.status, leaks(p1.body)]).toEqual([404, false]);
    // A result file and an upload of a job replaced by links.
    const job = (await getJob(s.db.pool, done.id))!;
    const result = path.join(s.config.dataDir, 'uws', done.id, job.results[0].path!);
    rmSync(result);
    symlinkSync(secretFile, result);
    const r1 = await raw(s.port, `/soda/async/${done.id}/results/${job.results[0].id}`);
    expect([r1.status, leaks(r1.body)]).toEqual([404, false]);
    const upload = path.join(s.config.dataDir, 'uws', pending, 'params', 't1');
    rmSync(upload);
    symlinkSync(secretFile, upload);
    const u1 = await raw(s.port, `/soda/async/${pending}/parameters/t1`);
    expect([u1.status, leaks(u1.body)]).toEqual([404, false]);
    // A step log replaced by a link.
    const log = (await jobStepLogPath(s.db.pool, done.id, done.stepId))!;
    rmSync(log);
    symlinkSync(secretFile, log);
    const l1 = await raw(s.port, `/soda/async/${done.id}/steps/${done.stepId}/log`);
    expect([l1.status, leaks(l1.body)]).toEqual([404, false]);
  });
});
