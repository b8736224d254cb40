// GET /metrics: the Prometheus exposition of this process (ops/metrics.ts). Unauthenticated, as Prometheus
// scrapes it; it holds counts, never job parameters or user ids. Restrict it at the proxy if needed (docs/operations.md).
import { Router } from 'express';
import type { Metrics } from '../ops/metrics.js';
import { methodNotAllowed } from './method-not-allowed.js';

export function createMetricsRouter(metrics: Pick<Metrics, 'scrape' | 'contentType'>): Router {
  const r = Router();
  r.get('/metrics', async (_req, res) => {
    const body = await metrics.scrape();
    res.setHeader('Cache-Control', 'no-store');
    res.type(metrics.contentType).send(body);
  });
  r.all('/metrics', methodNotAllowed(['GET', 'HEAD']));
  return r;
}
