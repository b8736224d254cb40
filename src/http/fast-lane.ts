// The node:http entry of the API: gives every request its id, log line and metrics, answers the requests pollers
// send most (GET {job} and {job}/phase from the per-process job cache, VOSI availability from the background
// health state) without express, and hands everything else, and every cache miss, to the express app.
// docs/uws.md#cached-job-documents says what a cached answer guarantees.
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { IdentifyCaller } from '../auth/identity.js';
import type { Caller } from '../domain/job.js';
import type { Metrics } from '../ops/metrics.js';
import type { JobCache } from '../uws/job-cache.js';
import { evaluatePreconditions } from './byte-range.js';
import type { Etags } from './conditional.js';
import type { RequestLocals } from './request-log.js';
import type { Availability } from './vosi-router.js';

export interface FastLaneDeps {
  /** The express app: everything the lane does not answer itself. */
  app: RequestListener;
  /** Request id and log line (request-log.ts), metrics (ops/http-metrics.ts): for every request, either path. */
  logRequest: (req: IncomingMessage, res: ServerResponse, locals: RequestLocals) => void;
  observe: (req: IncomingMessage, res: ServerResponse, route?: string, started?: bigint) => void;
  /** Where the lane's own answers are counted at once (no 'close' listener: the answer is written whole). */
  metrics: Pick<Metrics, 'observeHttp'>;
  identify: IdentifyCaller;
  jobs: JobCache;
  etags: Etags;
  availability: Availability;
}

const jobsPrefix = '/soda/async/';
const validId = /^[A-Za-z0-9_-]{1,64}$/;

/** The whole head in one writeHead (no header was set before): the cheapest way node:http writes one. */
function send(req: IncomingMessage, res: ServerResponse, requestId: string, type: string, cacheControl: string, etag: string, body: Buffer | string): void {
  const pre = evaluatePreconditions(req.headers as Record<string, string | undefined>, { etag });
  if (pre !== 'proceed') {
    res.writeHead(pre === 'not-modified' ? 304 : 412, ['X-Request-Id', requestId, 'Cache-Control', cacheControl, 'ETag', etag]);
    res.end();
    return;
  }
  const length = typeof body === 'string' ? Buffer.byteLength(body) : body.length;
  res.writeHead(200, ['X-Request-Id', requestId, 'Content-Type', type, 'Cache-Control', cacheControl, 'ETag', etag, 'Content-Length', String(length)]);
  if (req.method === 'HEAD') res.end();
  else res.end(body);
}

/** RFC 9111 5.2.1: the request asks that nothing stored be answered without being validated first. */
function wantsValidated(req: IncomingMessage): boolean {
  const cc = req.headers['cache-control'];
  if (cc !== undefined && /(?:^|,)\s*(?:no-cache|max-age\s*=\s*"?0"?)\s*(?:,|$)/i.test(cc)) return true;
  return cc === undefined && /(?:^|,)\s*no-cache\s*(?:,|$)/i.test(req.headers.pragma ?? '');
}

const headerOf = (req: IncomingMessage) => ({
  get(name: string): string | undefined {
    const v = req.headers[name.toLowerCase()];
    return Array.isArray(v) ? v.join(', ') : v;
  },
});

export function createFastLane(d: FastLaneDeps): RequestListener {
  /** The cached answer of GET {job} or {job}/phase for this caller, or false: the express app answers. */
  const answerJob = async (req: IncomingMessage, res: ServerResponse, locals: RequestLocals, id: string, phase: boolean): Promise<boolean> => {
    let caller: Caller;
    try {
      caller = await d.identify(headerOf(req));
    } catch {
      return false; // the express app answers the 401 with its error document
    }
    // A client asking for a validated answer (Cache-Control: no-cache or max-age=0, Pragma: no-cache), or a cache
    // whose heartbeat is late, waits until every change committed before this request has reached the cache
    // (requests waiting together share one round trip on the LISTEN connection).
    if ((wantsValidated(req) || !d.jobs.fresh()) && !(await d.jobs.sync())) return false;
    const job = d.jobs.get(id);
    // Readers a job is shared with are checked by the express app (a database lookup); owners and admins here.
    if (!job || (!phase && !job.document) || !(caller.admin || job.ownerId === caller.userId)) return false;
    locals.caller = caller;
    if (phase) send(req, res, locals.requestId!, 'text/plain; charset=utf-8', 'private, no-cache', d.etags.job('phase', job.version), job.phase);
    else send(req, res, locals.requestId!, 'text/xml; charset=utf-8', 'private, no-cache', d.etags.job('job', job.version), job.document!);
    return true;
  };

  // Made once, not per request: a request allocates no function it can do without.
  const answered = (req: IncomingMessage, res: ServerResponse, route: string, started: bigint) =>
    d.metrics.observeHttp(req.method ?? 'GET', route, res.statusCode, Number(process.hrtime.bigint() - started) / 1e9);
  const toApp = (req: IncomingMessage, res: ServerResponse, locals: RequestLocals, route: string | undefined, started: bigint) => {
    d.observe(req, res, route, started);
    res.setHeader('X-Request-Id', locals.requestId!);
    d.app(req, res);
  };

  return (req, res) => {
    const started = process.hrtime.bigint();
    const locals: RequestLocals = {};
    // express keeps res.locals when it is already set: the routes' caller reaches the log line either way.
    (res as ServerResponse & { locals?: unknown }).locals = locals;
    d.logRequest(req, res, locals);
    const url = req.url ?? '/';
    if (req.method === 'GET' || req.method === 'HEAD') {
      if (url === '/soda/availability' || url.startsWith('/soda/availability?')) {
        const a = d.availability.now();
        if (!a) return toApp(req, res, locals, availabilityRoute, started);
        send(req, res, locals.requestId!, 'text/xml; charset=utf-8', 'no-store', a.etag, a.body);
        return answered(req, res, availabilityRoute, started);
      } else if (url.startsWith(jobsPrefix) && !url.includes('?')) {
        const rest = url.slice(jobsPrefix.length);
        const phase = rest.endsWith('/phase');
        const id = phase ? rest.slice(0, -'/phase'.length) : rest;
        if (validId.test(id)) {
          const route = phase ? phaseRoute : jobRoute;
          answerJob(req, res, locals, id, phase).then(
            (done) => (done ? answered(req, res, route, started) : toApp(req, res, locals, route, started)),
            () => toApp(req, res, locals, route, started),
          );
          return;
        }
      }
    }
    toApp(req, res, locals, undefined, started);
  };
}

const availabilityRoute = '/soda/availability';
const jobRoute = '/soda/async/{id}';
const phaseRoute = '/soda/async/{id}/phase';
