// What each piece of per-request work costs: one small GET answered by a bare express handler, then by the same
// handler behind one drsoda middleware at a time (request log, metrics, identity in each auth mode, the job rate
// limit), and by the whole app. Measured with 8 connections (the server's CPU saturated), so the difference of
// the reciprocal rates is the CPU time the middleware adds to every request.
import { createWriteStream } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type RequestHandler } from 'express';
import { createIdentity } from '../src/auth/identity.js';
import { createToken } from '../src/auth/tokens.js';
import { systemClock } from '../src/clock.js';
import { loadConfig } from '../src/config.js';
import { createFactory } from '../src/factory.js';
import { createTokenBuckets } from '../src/auth/rate-buckets.js';
import { createJobRateLimit } from '../src/http/rate-limit.js';
import { requestLog } from '../src/http/request-log.js';
import { routeLabeler } from '../src/http/openapi.js';
import { openApiPaths } from '../src/http/openapi-paths.js';
import { createLogger } from '../src/logger.js';
import { observeRequests } from '../src/ops/http-metrics.js';
import { createMetrics } from '../src/ops/metrics.js';
import { sodaParameters } from '../src/soda/parameters.js';
import { createSleepRunner } from '../test/support/sleep-runner.js';
import { summarize, type Bench, type Row } from './lib.js';
import { loadClient } from './load.js';
import { benchServer } from './support.js';

const body = '<?xml version="1.0" encoding="UTF-8"?>\n<ok/>\n';

async function listen(handler: http.RequestListener): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer(handler);
  server.keepAliveTimeout = 10000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

function expressWith(...mw: RequestHandler[]): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');
  if (mw.length) app.use(...mw);
  app.get('/ok', (_req, res) => {
    res.type('text/xml').send(body);
  });
  return app;
}

export const middleware: Bench = async (ctx) => {
  const server = await benchServer();
  const db = await server.database();
  const client = loadClient();
  const log = createLogger('silent');
  // The request log at LOG_LEVEL=info, written as a service writes it (a file descriptor) but thrown away here.
  const sink = createWriteStream('/dev/null');
  const devNull = createLogger('info', sink);
  const label = routeLabeler(Object.keys(openApiPaths(sodaParameters)));
  const metrics = createMetrics({ pool: db.pool, log, poolMax: 10 });
  const { token } = await createToken(db.pool, systemClock, 'bench-user');
  const anonymous = createIdentity({ auth: loadConfig({}).auth, db: db.pool, clock: systemClock });
  const byToken = createIdentity({ auth: loadConfig({ AUTH_MODE: 'token' }).auth, db: db.pool, clock: systemClock });
  const byHeader = createIdentity({ auth: loadConfig({ AUTH_MODE: 'header' }).auth, db: db.pool, clock: systemClock });
  const identified = (identify: typeof anonymous): RequestHandler => async (req, res, next) => {
    res.locals.caller = await identify(req);
    next();
  };
  // The whole app (sleep job kind: no archive needed), for the same tiny route it serves: /soda/availability.
  const config = loadConfig({ LOG_LEVEL: 'silent', DEMO_ARCHIVE: 'false', RATE_LIMIT_JOBS_PER_MIN: '0' });
  const factory = createFactory({ config, pool: db.pool, log, clock: systemClock, asyncKind: createSleepRunner() });
  const shutdown = new AbortController();
  const configs: Array<{ name: string; handler: http.RequestListener; path?: string; headers?: Record<string, string> }> = [
    { name: 'bare node:http handler', handler: (_req, res) => res.writeHead(200, { 'content-type': 'text/xml' }).end(body) },
    { name: 'bare express handler', handler: expressWith() },
    { name: '+ request log (LOG_LEVEL=silent)', handler: expressWith(requestLog(log, { label })) },
    { name: '+ request log (LOG_LEVEL=info, to /dev/null)', handler: expressWith(requestLog(devNull, { label })) },
    { name: '+ metrics (route label, histogram)', handler: expressWith(observeRequests(metrics, label)) },
    { name: '+ identity, anonymous', handler: expressWith(identified(anonymous)) },
    { name: '+ identity, AUTH_MODE=header', handler: expressWith(identified(byHeader)), headers: { 'x-remote-user': 'alice' } },
    { name: '+ identity, AUTH_MODE=token (database lookup)', handler: expressWith(identified(byToken)), headers: { authorization: `Bearer ${token}` } },
    { name: '+ job rate limit (anonymous, never reached; buckets in PostgreSQL)', handler: expressWith(createJobRateLimit({ perMinute: 1e9, identify: anonymous, buckets: createTokenBuckets({ db: db.pool, perMinute: 1e9, clock: systemClock }) })) },
    { name: 'whole drsoda app, GET /soda/availability (database health included)', handler: await factory.httpApp({ upSince: new Date(), shutdown: shutdown.signal }), path: '/soda/availability' },
  ];
  const rows: Row[] = [];
  try {
    const duration = ctx.quick ? 1 : 4;
    const rates = new Map<string, number[]>();
    const servers = await Promise.all(configs.map((c) => listen(c.handler)));
    // Rounds over every configuration, so drift of the shared machine spreads over all of them.
    for (let rep = 0; rep < 3; rep++) {
      for (const [i, c] of configs.entries()) {
        if (rep === 0) ctx.log(c.name);
        const r = await client.run({ url: `${servers[i].url}${c.path ?? '/ok'}`, headers: c.headers, connections: 8, duration }, 200);
        rates.set(c.name, [...(rates.get(c.name) ?? []), r.rate]);
      }
    }
    await Promise.all(servers.map((s) => s.close()));
    const bareExpress = rates.get('bare express handler')!;
    for (const c of configs) {
      const rs = rates.get(c.name)!;
      const added = rs.map((r, i) => 1e6 / r - 1e6 / bareExpress[i]);
      rows.push({ group: 'middleware', metric: `${c.name}, 8 connections`, unit: 'req/s', value: summarize(rs), note: c.name === 'bare express handler' ? 'the reference of the added cost' : `adds ${summarize(added).median.toFixed(0)} us of CPU per request (min ${summarize(added).min.toFixed(0)}, max ${summarize(added).max.toFixed(0)})` });
    }
  } finally {
    client.close();
    shutdown.abort();
    await factory.close();
    await metrics.close();
    sink.destroy();
    await db.close();
    await server.close();
  }
  return rows;
};
