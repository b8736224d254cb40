// Hostile input, property-based (fast-check): every endpoint gets random and malicious parameters (repeated,
// huge, NaN/Inf, malformed regions, intervals and times, bad UTF-8), in the query, urlencoded or multipart bodies
// or bodies of the wrong type, with any method. Whatever comes in: never a 5xx, never a stack trace or source
// path in the answer, errors always carry a standard DALI/DataLink label, XML answers are well-formed.
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import net from 'node:net';
import fc from 'fast-check';
import { XMLValidator } from 'fast-xml-parser';
import { MAX_PARAMS } from '../../src/http/dali-params.js';
import { createToken } from '../../src/auth/tokens.js';
import { systemClock } from '../../src/clock.js';
import { OBJECT_DID, startSecureApp, type SecureApp } from './secure-app.js';

interface Answer {
  status: number;
  type: string;
  body: string;
}

const daliLabel = /^(UsageError|MultiValuedParamNotSupported|AuthenticationError|AuthorizationError|NotFoundFault|ServiceUnavailable|Error): \S/;
const linksFault = /<INFO name="QUERY_STATUS" value="ERROR">(UsageFault|NotFoundFault|TransientFault|FatalFault|DefaultFault): /;
const leak = /\n\s+at \S.*:\d+:\d+|node:internal|\/src\/\S+\.ts|\b(TypeError|ReferenceError|RangeError|SyntaxError): |ECONNREFUSED|duplicate key|violates|syntax error at/;

/** What every answer must satisfy; returns the problems (empty when fine). */
function problems(a: Answer, what: string): string[] {
  const p: string[] = [];
  if (a.status === 0) p.push(`${what}: ${a.body}`);
  if (a.status >= 500) p.push(`${what}: ${a.status} ${a.body.slice(0, 200)}`);
  if (leak.test(a.body)) p.push(`${what}: internals in the answer: ${a.body.slice(0, 300)}`);
  if (a.status >= 400 && a.body !== '') {
    const labelled = a.type.startsWith('text/plain') ? daliLabel.test(a.body) : /x-votable\+xml/.test(a.type) && linksFault.test(a.body);
    if (!labelled) p.push(`${what}: ${a.status} without a standard label (${a.type}): ${a.body.slice(0, 200)}`);
  }
  if (a.status === 200 && a.body !== '' && /xml/.test(a.type) && XMLValidator.validate(a.body) !== true) p.push(`${what}: malformed XML`);
  return p;
}

/** One request; a connection that fails before any answer comes back as status 0 (a problem for the checks). */
function send(port: number, method: string, path: string, headers: Record<string, string> = {}, body?: Buffer): Promise<Answer> {
  return new Promise((resolve) => {
    const req = http.request({ host: '127.0.0.1', port, method, path, headers: { ...headers, ...(body ? { 'content-length': String(body.length) } : {}) }, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (d: Buffer) => chunks.push(d));
      res.on('end', () => resolve({ status: res.statusCode!, type: res.headers['content-type'] ?? '', body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', () => resolve({ status: res.statusCode!, type: res.headers['content-type'] ?? '', body: Buffer.concat(chunks).toString('utf8') }));
    });
    // The server may answer (413, 431) and close while the body is still being sent: the answer counts.
    req.on('error', (e) => resolve({ status: 0, type: '', body: `connection failed before an answer: ${e.message}` }));
    req.setTimeout(10000, () => req.destroy(new Error('no answer within 10 s')));
    req.end(body);
  });
}

/** Bytes exactly as given (bad UTF-8, raw non-ASCII in the request line), read until the server closes. */
function sendRaw(port: number, bytes: Buffer): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1', () => s.end(bytes));
    const chunks: Buffer[] = [];
    s.on('data', (d) => chunks.push(d));
    s.on('error', reject);
    s.on('close', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const [head, ...rest] = text.split('\r\n\r\n');
      resolve({ status: Number(/^HTTP\/1\.1 (\d+)/.exec(head)?.[1] ?? 0), type: /content-type: ([^\r\n]+)/i.exec(head)?.[1] ?? '', body: rest.join('\r\n\r\n') });
    });
  });
}

const known = ['ID', 'POS', 'CIRCLE', 'POLYGON', 'BAND', 'TIME', 'POL', 'RESPONSEFORMAT', 'ARMS', 'COMBINE', 'SPLICE', 'SKYSUB', 'EXTRACTION', 'THROUGHPUT', 'IDX_PRESET',
  'PHASE', 'WAIT', 'LAST', 'AFTER', 'CURSOR', 'RUNID', 'EXECUTIONDURATION', 'DESTRUCTION', 'ACTION', 'MAXREC', 'REQUEST', 'PRIORITY', 'NOTIFY_URL', 'NOTIFY_EMAIL',
  'night', 'arm', 'class', 'field', 'object', 'limit', 'offset'];
const nasty = ['NaN', 'nan', 'Infinity', '-Infinity', '+Inf', '-Inf', '1e309', '-1e309', '1e-400', '-0', '0x10', ' 1 ', '', '9'.repeat(400), '.5', '1e', '١٢',
  'CIRCLE 10 20 1', '10 20 NaN', '10 20 -1', '400 100 1', '10 20 1e309', '1 2 3 4 5 6', '1 2 3 4 5 6 7', '1,2,3', 'NaN 5', '5 NaN', '+Inf -Inf', '-Inf +Inf', '2 1',
  '5e-7 6e-7', '1 2 3', '56926 56927', 'RUN', 'ABORT', 'SUSPEND', 'ARCHIVED', 'DELETE', '2030-01-01T00:00:00Z', '2030-13-45T99:99:99Z', '9999999-01-01', 'yesterday',
  'votable', 'application/x-votable+xml;content=datalink', 'text/html', 'fits', OBJECT_DID, 'ivo://drsoda.example.org/aat?2014-09-26/ccd1/9999',
  'ivo://drsoda.example.org/aat?2014-09-26', 'ivo://drsoda.example.org/aat?2014-09-26/G23_Y7_015_p0', 'ivo://drsoda.example.org/products?abc/d.fits',
  'ivo://other.org/x?y', '../../etc/passwd', '%00', '\uFFFD', '\uD800', '<x>&amp;"\'', 'http://169.254.169.254/latest/meta-data', 'mailto:a@b', 'true', 'TRUE', '0', '-1', '99999999999'];

const name = fc.oneof(
  fc.constantFrom(...known).chain((n) => fc.constantFrom(n, n.toLowerCase(), n[0] + n.slice(1).toLowerCase())),
  fc.string({ unit: 'grapheme', maxLength: 12 }),
  fc.string({ unit: 'binary', maxLength: 6 }),
);
const value = fc.oneof(fc.constantFrom(...nasty), fc.string({ unit: 'grapheme', maxLength: 30 }), fc.string({ unit: 'binary', maxLength: 20 }), fc.string({ minLength: 2000, maxLength: 6000 }));
const params = fc.array(fc.tuple(name, value), { maxLength: 10 });
const contentType = fc.constantFrom('application/x-www-form-urlencoded', 'multipart/form-data', 'application/json', 'text/xml', 'text/plain', '', 'application/x-www-form-urlencoded; charset=utf-16', 'multipart/form-data; boundary=', 'image/png; x="');

/** Encodes a form by hand: URLSearchParams would turn lone surrogates into U+FFFD before the server saw them. */
const enc = (s: string) => Array.from(Buffer.from(s, 'utf8')).map((b) => (/[A-Za-z0-9_.~-]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).padStart(2, '0')}`)).join('');
const form = (ps: Array<[string, string]>) => ps.map(([k, v]) => `${enc(k)}=${enc(v)}`).join('&');

function multipart(ps: Array<[string, string]>, boundary: string): Buffer {
  const parts = ps.map(([k, v], i) => `--${boundary}\r\nContent-Disposition: form-data; name="${k.replace(/["\r\n]/g, '_')}"${i % 3 === 2 ? '; filename="f.vot"' : ''}\r\n\r\n${v}\r\n`);
  return Buffer.from(`${parts.join('')}--${boundary}--\r\n`);
}

describe('hostile input on every endpoint', () => {
  let s: SecureApp;
  let job: string;
  let product: { id: string; stepId: string; fileName: string };
  beforeAll(async () => {
    s = await startSecureApp({ config: { UWS_WAIT_MAX_S: '1' } });
    product = await s.completedJob(null, 'fuzz');
    job = (await fetch(`${s.url}/soda/async`, { method: 'POST', body: new URLSearchParams({ ID: OBJECT_DID }), redirect: 'manual' })).headers.get('location')!.split('/').pop()!;
  });
  afterAll(async () => {
    await s?.close();
  });

  const routes = () => [
    '/soda/async', `/soda/async/${job}`, `/soda/async/${job}/phase`, `/soda/async/${job}/parameters`, `/soda/async/${job}/executionduration`, `/soda/async/${job}/destruction`,
    `/soda/async/${job}/error`, `/soda/async/${job}/results`, `/soda/async/${product.id}/results/x`, `/soda/async/${product.id}/steps`, `/soda/async/${product.id}/links`,
    `/soda/async/${product.id}/steps/${product.stepId}/log`, '/soda/sync', '/soda/links', '/soda/availability', '/soda/capabilities', '/soda/examples', '/files/raw',
    '/files/raw/140926/ccd_1/26sep10004.fits', `/files/products/${product.stepId}/${product.fileName}`, '/api/frames', '/api/frame', '/soda/async/nojob', '/nothing',
  ];
  const route = fc.integer({ min: 0, max: 23 });
  const method = fc.constantFrom('GET', 'POST', 'POST', 'HEAD', 'PUT', 'DELETE', 'PATCH', 'OPTIONS');

  it('never answers 5xx, never leaks internals, always labels errors (random requests to every endpoint)', async () => {
    const found: string[] = [];
    await fc.assert(
      fc.asyncProperty(route, method, params, params, contentType, async (r, m, query, body, type) => {
        let path = routes()[r];
        // /soda/sync with a real ID and valid options would start a reduction: 503 + Retry-After by design.
        if (path === '/soda/sync') {
          query = query.filter(([, v]) => v !== OBJECT_DID);
          body = body.filter(([, v]) => v !== OBJECT_DID);
        }
        if (query.length) path += `?${form(query)}`;
        const boundary = `b${randomBytes(6).toString('hex')}`;
        const payload = m === 'GET' || m === 'HEAD' ? undefined : type.startsWith('multipart/form-data') ? multipart(body, boundary) : Buffer.from(form(body));
        const headers: Record<string, string> = type ? { 'content-type': type === 'multipart/form-data' ? `${type}; boundary=${boundary}` : type } : {};
        const a = await send(s.port, m, path, headers, payload);
        found.push(...problems(a, `${m} ${path.slice(0, 150)} [${type}]`));
      }),
      { numRuns: 600 },
    );
    expect(found).toEqual([]);
  });

  it('survives bad UTF-8 and raw bytes in the request line, the query and the body', async () => {
    const cases = [
      Buffer.concat([Buffer.from('GET /soda/async/'), Buffer.from([0xff, 0xfe, 0xc0, 0xaf]), Buffer.from(' HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')]),
      Buffer.from('GET /soda/async?PHASE=%ff%fe&LAST=%c0%af HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'),
      Buffer.from('GET /soda/async/%ff%fe/phase HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'),
      Buffer.from('GET /files/raw/%ff/%c0%ae%c0%ae/x.fits HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'),
      Buffer.from(`GET /soda/links?ID=%ed%a0%80 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`),
      Buffer.concat([Buffer.from('POST /soda/async HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 12\r\nConnection: close\r\n\r\nID='), Buffer.from([0xff, 0xfe, 0xfd, 0x80, 0xc0, 0xaf, 0xed, 0xa0, 0x80])]),
      Buffer.from('GARBAGE\r\n\r\n'),
      Buffer.from('GET / HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n'),
      Buffer.from('POST /soda/async HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nZZ\r\nxx\r\n0\r\n\r\n'),
      Buffer.from(`GET /soda/async HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20000)}\r\n\r\n`),
    ];
    const found: string[] = [];
    for (const [i, c] of cases.entries()) {
      const a = await sendRaw(s.port, c);
      expect([i, a.status >= 400 || a.status === 200]).toEqual([i, true]);
      found.push(...problems(a, `raw case ${i}`));
    }
    expect(found).toEqual([]);
  });

  it('caps parameter counts and body sizes with a labelled 413 (and 431 for an oversized URL)', async () => {
    const many = Array.from({ length: 5000 }, () => ['ID', 'x'] as [string, string]);
    const body = await send(s.port, 'POST', '/soda/async', { 'content-type': 'application/x-www-form-urlencoded' }, Buffer.from(form(many)));
    expect([body.status, body.body]).toEqual([413, `UsageError: more than ${MAX_PARAMS} parameters in one request`]);
    const parts = await send(s.port, 'POST', '/soda/links', { 'content-type': 'multipart/form-data; boundary=zz' }, multipart(many.slice(0, 2000), 'zz'));
    expect(parts.status).toBe(413);
    expect(problems(parts, 'multipart')).toEqual([]);
    const url = await send(s.port, 'GET', `/soda/links?${form(many)}`);
    expect([url.status, url.body]).toEqual([431, 'UsageError: malformed HTTP request (headers too large)']);
    const big = await send(s.port, 'POST', '/soda/async', { 'content-type': 'application/x-www-form-urlencoded' }, Buffer.alloc(2 * 1024 * 1024, 'a'));
    expect([big.status, big.body]).toMatchObject([413, expect.stringMatching(/^UsageError: request body larger than/)]);
    // A declared 70 MB multipart body is refused before it is read.
    const declared = await sendRaw(s.port, Buffer.from('POST /soda/async HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=q\r\nContent-Length: 70000000\r\n\r\n--q'));
    expect(declared.status).toBe(413);
    expect(problems(declared, 'declared')).toEqual([]);
    // Just under the cap is an ordinary request.
    const ok = await send(s.port, 'GET', `/soda/links?${form(many.slice(0, 90).map((_, i) => ['ID', `ivo://x/y?${i}`]))}`);
    expect(ok.status).toBe(200);
  });

  it('answers any Authorization header in token mode with 401 AuthenticationError, never more', async () => {
    const t = await startSecureApp({ config: { AUTH_MODE: 'token' } });
    try {
      const real = (await createToken(t.db.pool, systemClock, 'alice')).token;
      const header = fc.oneof(
        fc.string({ maxLength: 200 }).map((x) => x.replace(/[^\x20-\x7e]/g, '')),
        fc.string({ maxLength: 60 }).map((x) => `Bearer ${x.replace(/[^\x21-\x7e]/g, '')}`),
        fc.constantFrom(`Bearer ${real.slice(0, -1)}`, `Bearer ${real}x`, `bearer  ${real.toUpperCase()}`, 'Basic YWxpY2U6cHc=', `Bearer ${real} ${real}`, `Bearer drsoda_${'A'.repeat(8)}_${'B'.repeat(43)}`),
      );
      await fc.assert(
        fc.asyncProperty(header, fc.constantFrom('/soda/async', `/soda/async/x/phase`, '/soda/sync?ID=x', '/files/products/abcdef12/x.fits'), async (h, p) => {
          const a = await send(t.port, 'GET', p, { authorization: h });
          expect(problems(a, `${p} ${h}`)).toEqual([]);
          expect([h, a.status]).toEqual([h, 401]);
        }),
        { numRuns: 100 },
      );
    } finally {
      await t.close();
    }
  });
});
