// The one place errors become HTTP responses: DALI-style text/plain "Label: message", no stack traces.
import type { ErrorRequestHandler, RequestHandler } from 'express';
import { isDatabaseUnavailable, ServiceError } from '../errors.js';
import type { Logger } from '../logger.js';

/** Body-parser and similar errors carry an HTTP status; map them to DALI labels (also used by the DataLink routes). */
export function toServiceError(err: unknown): ServiceError {
  if (err instanceof ServiceError) return err;
  const e = err as { status?: number; statusCode?: number; type?: string; message?: string };
  const status = e.status ?? e.statusCode;
  if (status === 413) return new ServiceError('RequestTooLarge', 'request body too large');
  if (status && status >= 400 && status < 500) {
    return new ServiceError('UsageError', e.type ? `malformed request (${e.type})` : 'malformed request');
  }
  // A database restart or failover is transient: DALI's 503 with Retry-After tells clients to come back.
  if (isDatabaseUnavailable(err)) return new ServiceError('ServiceUnavailable', 'the database is unavailable; retry shortly', { 'Retry-After': '5' });
  return new ServiceError('Error', 'internal error; the incident is logged');
}

export function errorLabelText(e: ServiceError): string {
  // Non-standard internal labels are rendered with the nearest DALI label.
  const label = e.label === 'IllegalState' || e.label === 'RequestTooLarge' ? 'UsageError' : e.label === 'RateLimited' ? 'ServiceUnavailable' : e.label;
  return `${label}: ${e.message}`;
}

export function errorMiddleware(log: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    const se = toServiceError(err);
    const reqId = res.locals.requestId as string | undefined;
    if (se.status >= 500) log.error({ err, reqId, path: req.path }, 'request failed');
    else log.info({ reqId, status: se.status, label: se.label, detail: se.message }, 'request rejected');
    if (res.headersSent) {
      res.destroy();
      return;
    }
    for (const [k, v] of Object.entries(se.headers)) res.setHeader(k, v);
    res.status(se.status).type('text/plain; charset=utf-8').send(errorLabelText(se));
  };
}

export const notFoundHandler: RequestHandler = (req, _res, next) => {
  next(new ServiceError('NotFoundFault', `no resource at ${req.path}`));
};
