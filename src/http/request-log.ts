// Request ids and one structured log line per request: request id, W3C trace context (traceparent) when a
// proxy or client sent one, the documented route, the caller and the job the request was about, so a job's
// story can be followed across requests, workers and notifications by jobId (docs/operations.md).
import { randomUUID } from 'node:crypto';
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

export function requestLog(log: Logger, o: RequestLogOptions = {}): RequestHandler {
  // A person at a terminal sees failing and slow requests; the routine ones stay at debug. A log shipper gets them all.
  const routine = writesForPeople(log) ? 'debug' : 'info';
  return (req, res, next) => {
    const incoming = req.get('x-request-id');
    const id = incoming && validId.test(incoming) ? incoming : randomUUID();
    res.locals.requestId = id;
    res.setHeader('X-Request-Id', id);
    const trace = traceparentRe.exec(req.get('traceparent')?.trim().toLowerCase() ?? '');
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      const path = req.originalUrl.split('?')[0];
      const route = o.label?.(path);
      const caller = res.locals.caller as { userId: string | null } | undefined;
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
    next();
  };
}
