// The Prometheus registry of one process (prom-client): HTTP traffic (observed by ops/http-metrics.ts),
// step outcomes and cache lookups (from scheduler/events.ts), and gauges read from PostgreSQL at scrape time
// (jobs by phase, steps by state, queue depth, notifications) and from the pool. docs/operations.md lists them.
import client from 'prom-client';
import type { Logger } from '../logger.js';
import type { Pool } from '../store/db.js';
import { withTimeout } from '../store/db.js';
import { jobCountsByPhase, notificationCounts, queueDepth, stepCountsByState } from '../store/ops-store.js';
import { phases } from '../domain/job.js';
import { cacheLookupChannel, stepFinishedChannel, type CacheLookupEvent, type StepFinishedEvent } from '../scheduler/events.js';
import { notificationChannel, type NotificationEvent } from './events.js';

export interface MetricsOptions {
  pool: Pool;
  log: Logger;
  /** Process-wide gauges (CPU, memory, event loop, GC) from prom-client; default true. */
  processMetrics?: boolean;
  /** Bound on the scrape-time database queries. */
  queryTimeoutMs?: number;
  /** The pool's configured size (pg does not expose it publicly). */
  poolMax?: number;
}

export interface Metrics {
  readonly registry: client.Registry;
  observeHttp(method: string, route: string, status: number, seconds: number): void;
  /** The exposition text (Prometheus text format 0.0.4). */
  scrape(): Promise<string>;
  readonly contentType: string;
  /** Stops listening to the scheduler's events. */
  close(): void;
}

const stepStates = ['waiting', 'ready', 'running', 'done', 'failed', 'cancelled'];
const stepBuckets = [0.1, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600, 1800, 3600];
// UWS WAIT and /soda/sync hold requests up to a minute: the top buckets keep them apart from slow handlers.
const httpBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

export function createMetrics(o: MetricsOptions): Metrics {
  const registry = new client.Registry();
  const timeout = o.queryTimeoutMs ?? 5000;
  if (o.processMetrics !== false) client.collectDefaultMetrics({ register: registry });

  const httpRequests = new client.Counter({ name: 'drsoda_http_requests_total', help: 'HTTP requests answered, by route template and status', labelNames: ['method', 'route', 'status'], registers: [registry] });
  const httpDuration = new client.Histogram({ name: 'drsoda_http_request_duration_seconds', help: 'HTTP request latency (to the last byte), by route template and status', labelNames: ['method', 'route', 'status'], buckets: httpBuckets, registers: [registry] });
  const stepDuration = new client.Histogram({ name: 'drsoda_step_duration_seconds', help: 'Run time of reduction steps run by this process, by 2dFdr operation and outcome', labelNames: ['operation', 'outcome'], buckets: stepBuckets, registers: [registry] });
  const containerFailures = new client.Counter({ name: 'drsoda_container_failures_total', help: 'Step runs (containers or processes) that failed, by operation and failure kind (fatal, transient, usage)', labelNames: ['operation', 'kind'], registers: [registry] });
  const cacheLookups = new client.Counter({ name: 'drsoda_step_cache_lookups_total', help: 'Steps of submitted plans found already reduced (hit) or still to run (miss)', labelNames: ['result'], registers: [registry] });
  const notifications = new client.Counter({ name: 'drsoda_notification_attempts_total', help: 'Webhook and e-mail delivery attempts by this process, by outcome', labelNames: ['channel', 'outcome'], registers: [registry] });

  // Gauges read at scrape time: one round trip each, bounded, and a failure leaves them stale, not the scrape broken.
  const dbUp = new client.Gauge({ name: 'drsoda_database_up', help: '1 when the scrape-time database queries succeeded', registers: [registry] });
  const gaugeFromDb = <T>(name: string, help: string, labelNames: string[], read: () => Promise<T>, set: (g: client.Gauge, v: T) => void) =>
    new client.Gauge({
      name, help, labelNames, registers: [registry],
      async collect() {
        try {
          const v = await withTimeout(read(), timeout, `metrics ${name}`);
          this.reset();
          set(this, v);
          dbUp.set(1);
        } catch (err) {
          dbUp.set(0);
          o.log.warn({ err: (err as Error).message, metric: name }, 'metrics query failed');
        }
      },
    });

  gaugeFromDb('drsoda_jobs', 'UWS jobs in the database, by job kind and phase', ['kind', 'phase'], () => jobCountsByPhase(o.pool), (g, rows) => {
    const kinds = new Set(rows.map((r) => r.kind));
    // Every phase of every kind present is exported (0 included), so rate() and alerts see a series from the start.
    for (const kind of kinds) for (const phase of phases) g.set({ kind, phase }, 0);
    for (const r of rows) g.set({ kind: r.kind, phase: r.phase }, r.n);
  });
  gaugeFromDb('drsoda_steps', 'Reduction steps in the database, by state', ['state'], () => stepCountsByState(o.pool), (g, rows) => {
    for (const state of stepStates) g.set({ state }, 0);
    for (const r of rows) g.set({ state: r.state }, r.n);
  });
  const depth = queueDepthReader(o.pool, timeout);
  new client.Gauge({ name: 'drsoda_queue_depth', help: 'Ready steps a worker may claim now', registers: [registry], async collect() { this.set((await depth()).depth); } });
  new client.Gauge({ name: 'drsoda_queue_oldest_seconds', help: 'How long the oldest claimable step has waited for a worker', registers: [registry], async collect() { this.set((await depth()).oldestS); } });
  gaugeFromDb('drsoda_notifications', 'Webhook and e-mail notifications in the outbox, by channel and state', ['channel', 'state'], () => notificationCounts(o.pool), (g, rows) => {
    for (const r of rows) g.set({ channel: r.channel, state: r.state }, r.n);
  });

  new client.Gauge({
    name: 'drsoda_db_pool_connections', help: 'PostgreSQL pool of this process: open (total), idle, and requests waiting for a connection', labelNames: ['state'], registers: [registry],
    collect() {
      this.set({ state: 'total' }, o.pool.totalCount);
      this.set({ state: 'idle' }, o.pool.idleCount);
      this.set({ state: 'waiting' }, o.pool.waitingCount);
    },
  });
  if (o.poolMax !== undefined) new client.Gauge({ name: 'drsoda_db_pool_max', help: 'Configured size of the PostgreSQL pool (DB_POOL_SIZE)', registers: [registry] }).set(o.poolMax);

  const onStep = (m: unknown) => {
    const e = m as StepFinishedEvent;
    stepDuration.observe({ operation: e.operation, outcome: e.outcome }, e.durationMs / 1000);
    if (e.outcome !== 'ok' && e.outcome !== 'aborted') containerFailures.inc({ operation: e.operation, kind: e.outcome });
  };
  const onCache = (m: unknown) => {
    const e = m as CacheLookupEvent;
    if (e.hits) cacheLookups.inc({ result: 'hit' }, e.hits);
    if (e.misses) cacheLookups.inc({ result: 'miss' }, e.misses);
  };
  const onNotification = (m: unknown) => {
    const e = m as NotificationEvent;
    notifications.inc({ channel: e.channel, outcome: e.outcome });
  };
  stepFinishedChannel.subscribe(onStep);
  cacheLookupChannel.subscribe(onCache);
  notificationChannel.subscribe(onNotification);
  // Zero series for the counters operators alert on, so they exist before the first event.
  cacheLookups.inc({ result: 'hit' }, 0);
  cacheLookups.inc({ result: 'miss' }, 0);

  // The label children of each (method, route, status) seen, so a request costs a map lookup rather than prom-client
  // hashing a label object twice. Routes are the documented templates, so the set is small and bounded.
  const httpSeries = new Map<string, { count: { inc(): void }; duration: { observe(v: number): void } }>();
  return {
    registry,
    contentType: registry.contentType,
    observeHttp(method, route, status, seconds) {
      const key = `${method} ${status} ${route}`;
      let series = httpSeries.get(key);
      if (!series) {
        const labels = { method, route, status: String(status) };
        series = { count: httpRequests.labels(labels), duration: httpDuration.labels(labels) };
        httpSeries.set(key, series);
      }
      series.count.inc();
      series.duration.observe(seconds);
    },
    scrape: () => registry.metrics(),
    close() {
      stepFinishedChannel.unsubscribe(onStep);
      cacheLookupChannel.unsubscribe(onCache);
      notificationChannel.unsubscribe(onNotification);
    },
  };
}

/** One queue query per scrape shared by the two queue gauges (prom-client collects them concurrently). */
function queueDepthReader(pool: Pool, timeoutMs: number): () => Promise<{ depth: number; oldestS: number }> {
  let pending: Promise<{ depth: number; oldestS: number }> | undefined;
  return () =>
    (pending ??= withTimeout(queueDepth(pool), timeoutMs, 'metrics queue depth')
      .catch(() => ({ depth: 0, oldestS: 0 }))
      .finally(() => {
        pending = undefined;
      }));
}
