// The OpenAPI document against the real app: every route express serves is documented with its methods
// (read from the router stack), every documented path and method reaches a handler (not the 404 fallback),
// and undocumented methods get 405 with an Allow header listing exactly the documented ones.
import type { HttpApp } from '../../src/http/app.js';
import { createFactory, type Factory } from '../../src/factory.js';
import { systemClock } from '../../src/clock.js';
import { routeTable } from '../../src/http/route-table.js';
import { createLogger } from '../../src/logger.js';
import type { Engine } from '../../src/scheduler/engine.js';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { testConfig } from '../support/config.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { fakeArchive, testEngine } from '../support/engine.js';

type Operation = { tags?: string[]; parameters?: Array<{ name: string; in: string; required?: boolean }>; responses: Record<string, unknown> };
type Doc = { openapi: string; paths: Record<string, Record<string, Operation>>; components: { schemas: Record<string, unknown> } };

const sample = (template: string) => template.replace(/\{\w+\}/g, 'x1');
const methodsOf = (item: Record<string, Operation>) => Object.keys(item).map((m) => m.toUpperCase()).sort();

describe('OpenAPI document', () => {
  let db: TestDatabase;
  let engine: Engine;
  let factory: Factory;
  let app: HttpApp;
  let server: http.Server;
  let url: string;
  let doc: Doc;

  beforeAll(async () => {
    db = await createTestDatabase();
    // A real engine without a worker: with it the app mounts every route (/soda/sync included).
    engine = testEngine(db.pool, db.url, { archiveRoot: fakeArchive([]), work: false });
    server = http.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const config = testConfig({ BASE_URL: url, ARCHIVE_ROOT: fakeArchive([]) });
    factory = createFactory({ config, pool: db.pool, log: createLogger('silent'), clock: systemClock, engine });
    app = await factory.httpApp({ upSince: new Date(), shutdown: new AbortController().signal });
    server.on('request', app);
    doc = (await (await fetch(`${url}/openapi.json`)).json()) as Doc;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
    await factory.close();
    await engine.stop();
    await db.drop();
  });

  it('is an OpenAPI 3.0 document whose references resolve and whose path parameters are declared', () => {
    expect(doc.openapi).toBe('3.0.3');
    const text = JSON.stringify(doc);
    for (const [, ref] of text.matchAll(/"\$ref":"#\/components\/schemas\/(\w+)"/g)) expect(doc.components.schemas[ref]).toBeDefined();
    for (const [p, item] of Object.entries(doc.paths)) {
      const names = [...p.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
      for (const [method, op] of Object.entries(item)) {
        expect(['get', 'post', 'delete', 'put', 'patch']).toContain(method);
        expect(Object.keys(op.responses).length).toBeGreaterThan(0);
        const declared = (op.parameters ?? []).filter((x) => x.in === 'path').map((x) => x.name).sort();
        expect({ path: p, method, params: declared }).toEqual({ path: p, method, params: names });
      }
    }
  });

  it('documents every route express serves, with its methods', () => {
    const routes = routeTable(app.express);
    const documented = Object.keys(doc.paths);
    const problems: string[] = [];
    for (const r of routes) {
      if (r.regexp) {
        if (!documented.some((p) => r.regexp!.test(sample(p)))) problems.push(`route ${r.path} matches no documented path`);
      } else if (r.prefix) {
        if (!documented.some((p) => p === r.path || p.startsWith(`${r.path}/`))) problems.push(`prefix ${r.path} has no documented path`);
      } else if (!doc.paths[r.path]) {
        problems.push(`route ${r.path} is not documented`);
      } else if (r.methods.length) {
        const want = r.methods.filter((m) => m !== 'HEAD').sort();
        if (JSON.stringify(want) !== JSON.stringify(methodsOf(doc.paths[r.path]))) problems.push(`${r.path}: serves ${want} but documents ${methodsOf(doc.paths[r.path])}`);
      }
    }
    for (const p of documented) {
      const served = routes.some((r) => (r.regexp ? r.regexp.test(sample(p)) : r.prefix ? p === r.path || p.startsWith(`${r.path}/`) : r.path === p));
      if (!served) problems.push(`documented ${p} is served by no route`);
    }
    expect(problems).toEqual([]);
    expect(routes.length).toBeGreaterThan(25);
  });

  it('reaches a handler for every documented method, and answers others with 405 listing exactly the documented ones', async () => {
    const problems: string[] = [];
    for (const [p, item] of Object.entries(doc.paths)) {
      const target = `${url}${sample(p)}`;
      for (const method of methodsOf(item)) {
        const res = await fetch(target, { method, redirect: 'manual', ...(method === 'POST' ? { body: new URLSearchParams() } : {}) });
        const body = await res.text();
        // express.static hands a missing asset on to the 404 fallback: only the 405 check applies there.
        const notFoundIsTheAnswer = p === '/assets/{file}';
        if (res.status === 405 || (!notFoundIsTheAnswer && body.startsWith('NotFoundFault: no resource at'))) problems.push(`${method} ${p}: ${res.status} ${body.slice(0, 80)}`);
      }
      // Web pages are the front end's own routes: other methods fall through to 404 there, by design.
      if (Object.values(item).some((op) => op.tags?.includes('Web'))) continue;
      const res = await fetch(target, { method: 'PUT', body: 'x' });
      await res.text();
      const allow = (res.headers.get('allow') ?? '').split(',').map((s) => s.trim()).filter((m) => m && m !== 'HEAD').sort();
      if (res.status !== 405 || JSON.stringify(allow) !== JSON.stringify(methodsOf(item))) problems.push(`PUT ${p}: ${res.status}, Allow ${allow} vs documented ${methodsOf(item)}`);
    }
    expect(problems).toEqual([]);
  });

  it('is served with the configured base URL as its server', () => {
    expect((doc as unknown as { servers: Array<{ url: string }> }).servers).toEqual([{ url }]);
  });
});
