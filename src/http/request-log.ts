// Request ids and one structured log line per request: request id, W3C trace context (traceparent) when a
// proxy or client sent one, the documented route, the caller and the job the request was about, so a job's
// story can be followed across requests, workers and notifications by jobId (docs/operations.md).
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestHandler } from 'express';
import { writesForPeople, type Logger } from '../logger.js';

const validId = /^[\w\-.:]{1,128}$/;
// W3C Trace Context: version-traceid-parentid-flags; all-zero ids are invalid.
const traceparentRe = /^[0-9a-f]{2}-(?!0{32})([0-9a-f]{32})-(?!0{16})([0-9a-f]{16})-[0-9a-f]{2}$/;

export interface RequestLogOptions {
  /** The documented route template of a path (openapi.ts routeLabeler). */
  label?: (path: string) => string | undefined;
}

/** The job a request was about: the {id} of a job route, or the job a POST created (its 303 Location). */
function jobIdOf(route: string | undefined, path: string, location: string | undefined): string | undefined {
  if (route?.startsWith('/soda/async/{id}')) {
    // Percent-encoding that is not UTF-8 ('%ff'): a URIError thrown in a 'finish' handler would crash the process.
    try {
      return decodeURIComponent(path.split('/')[3] ?? '') || undefined;
    } catch {
      return undefined;
    }
  }
  if (route === '/soda/async' && location) return /\/soda\/async\/([A-Za-z0-9_-]+)$/.exec(location)?.[1];
  return undefined;
}

/** A request this slow is logged at info even where routine requests are not (UWS WAIT polls reach it by design). */
export const SLOW_REQUEST_MS = 2000;

/** What a request handler may fill in for the log line: the caller, once identified. */
export interface RequestLocals {
  requestId?: string;
  caller?: { userId: string | null };
}

/**
 * Gives the request its id (locals.requestId; the caller sends it as X-Request-Id) and, when the log takes info
 * lines, writes one line as it finishes. A plain node:http function, so the fast lane (fast-lane.ts) logs its
 * answers exactly as the express app does, and writes all its headers at once.
 */
export function createRequestLogger(log: Logger, o: RequestLogOptions = {}): (req: IncomingMessage, res: ServerResponse, locals: RequestLocals) => void {
  // A person at a terminal sees failing and slow requests; the routine ones stay at debug. A log shipper gets them all.
  const routine = writesForPeople(log) ? 'debug' : 'info';
  return (req, res, locals) => {
    const incoming = req.headers['x-request-id'];
    const id = typeof incoming === 'string' && validId.test(incoming) ? incoming : randomUUID();
    locals.requestId = id;
    // LOG_LEVEL above info: the request id is still given, but nothing is measured or built for a line never written.
    if (!log.isLevelEnabled('info')) return;
    const tp = req.headers.traceparent;
    const trace = typeof tp === 'string' ? traceparentRe.exec(tp.trim().toLowerCase()) : null;
    const started = process.hrtime.bigint();
    // The URL as it arrived (express rewrites req.url inside mounted routers).
    const url = req.url ?? '/';
    res.on('finish', () => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      const path = url.split('?')[0];
      const route = o.label?.(path);
      const caller = locals.caller;
      const location = res.getHeader('location');
      const level = res.statusCode >= 500 ? 'warn' : res.statusCode >= 400 || ms >= SLOW_REQUEST_MS ? 'info' : routine;
      log[level](
        {
          reqId: id,
          ...(trace ? { traceId: trace[1], parentSpanId: trace[2] } : {}),
          method: req.method,
          path,
          route,
          status: res.statusCode,
          ms: Math.round(ms * 10) / 10,
          owner: caller ? caller.userId : undefined,
          jobId: jobIdOf(route, path, typeof location === 'string' ? location : undefined),
        },
        'request',
      );
    });
  };
}

export function requestLog(log: Logger, o: RequestLogOptions = {}): RequestHandler {
  const start = createRequestLogger(log, o);
  return (req, res, next) => {
    const locals = res.locals as RequestLocals;
    start(req, res, locals);
    res.setHeader('X-Request-Id', locals.requestId!);
    next();
  };
}
