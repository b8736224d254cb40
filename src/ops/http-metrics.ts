// Request metrics: one observation per answered request, labelled with the documented route template
// (openapi.ts routeLabeler), so URLs with job ids or scanners' random paths cannot explode the label set.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestHandler } from 'express';
import type { Metrics } from './metrics.js';

export type RouteLabel = (path: string) => string | undefined;

/** The label of paths no documented route matches (404s of scanners, typos). */
export const unmatchedRoute = 'unmatched';

/**
 * Observes one request when it closes; a plain node:http function, shared by the express app and the fast lane
 * (which names the route of the paths it recognised, sparing the template match).
 */
export function createHttpObserver(metrics: Pick<Metrics, 'observeHttp'>, label: RouteLabel): (req: IncomingMessage, res: ServerResponse, route?: string, started?: bigint) => void {
  return (req, res, route, started = process.hrtime.bigint()) => {
    // 'close' also covers clients that go away mid-answer (a WAIT given up), which 'finish' misses.
    res.once('close', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const status = res.writableFinished ? res.statusCode : 499;
      metrics.observeHttp(req.method ?? 'GET', route ?? label((req.url ?? '/').split('?')[0]) ?? unmatchedRoute, status, seconds);
    });
  };
}

export function observeRequests(metrics: Pick<Metrics, 'observeHttp'>, label: RouteLabel): RequestHandler {
  const observe = createHttpObserver(metrics, label);
  return (req, res, next) => {
    observe(req, res);
    next();
  };
}
