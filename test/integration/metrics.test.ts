// /metrics on the real app: the series move when requests are answered and when the engine (local runner, fake
// aaorun) runs jobs in this process - steps by state, jobs by phase, step durations, failures, cache, queue, pool.
import type { Engine } from '../../src/scheduler/engine.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { fakeArchive, queuedJob, settled, testEngine } from '../support/engine.js';
import { fakePlan } from '../support/fake-plan.js';
import { scrape, valueOf, type Sample } from '../support/ops-prometheus.js';

describe('Prometheus metrics', () => {
  let db: TestDatabase;
  let app: TestApp;
  let engine: Engine;
  const archive = fakeArchive(['261126/ccd_1/26nov10001.fits']);

  beforeAll(async () => {
    db = await createTestDatabase();
    app = await startTestApp(db.pool);
    engine = testEngine(db.pool, db.url, { archiveRoot: archive, concurrency: 1 });
    await engine.start();
  });
  afterAll(async () => {
    await engine.stop();
    await app.close();
    await db.drop();
  });

  const delta = (before: Sample[], after: Sample[], name: string, labels: Record<string, string> = {}) => valueOf(after, name, labels) - valueOf(before, name, labels);

  it('serves the text format with help and type lines', async () => {
    const res = await fetch(`${app.url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    for (const name of ['drsoda_http_requests_total', 'drsoda_http_request_duration_seconds', 'drsoda_jobs', 'drsoda_steps', 'drsoda_queue_depth', 'drsoda_step_duration_seconds', 'drsoda_container_failures_total', 'drsoda_step_cache_lookups_total', 'drsoda_db_pool_connections', 'process_cpu_seconds_total']) {
      expect(text).toContain(`# TYPE ${name} `);
    }
    expect((await fetch(`${app.url}/metrics`, { method: 'POST' })).status).toBe(405);
  });

  it('counts requests by documented route and status, with latency histograms', async () => {
    const before = await scrape(app.url);
    expect((await fetch(`${app.url}/soda/availability`)).status).toBe(200);
    expect((await fetch(`${app.url}/soda/async/nosuchjob`)).status).toBe(404);
    expect((await fetch(`${app.url}/no/such/path/${Date.now()}`)).status).toBe(404);
    const after = await scrape(app.url);
    expect(delta(before, after, 'drsoda_http_requests_total', { method: 'GET', route: '/soda/availability', status: '200' })).toBe(1);
    // Job ids never become labels: the route template does.
    expect(delta(before, after, 'drsoda_http_requests_total', { method: 'GET', route: '/soda/async/{id}', status: '404' })).toBe(1);
    expect(delta(before, after, 'drsoda_http_requests_total', { method: 'GET', route: 'unmatched', status: '404' })).toBe(1);
    expect(delta(before, after, 'drsoda_http_request_duration_seconds_count', { method: 'GET', route: '/soda/availability', status: '200' })).toBe(1);
    expect(delta(before, after, 'drsoda_http_request_duration_seconds_bucket', { method: 'GET', route: '/soda/availability', status: '200', le: '+Inf' })).toBe(1);
    expect(after.some((s) => s.labels.route?.includes('nosuchjob'))).toBe(false);
    expect(valueOf(after, 'drsoda_db_pool_connections', { state: 'total' })).toBeGreaterThan(0);
    expect(valueOf(after, 'drsoda_db_pool_max')).toBe(app.config.db.poolSize);
    expect(valueOf(after, 'drsoda_database_up')).toBe(1);
  });

  it('moves the job, step, duration and cache series when a job runs, and again when a second one hits the cache', async () => {
    const plan = fakePlan([{ name: 'bias', raw: ['261126/ccd_1/26nov10001.fits'] }, { name: 'obj', after: ['bias'] }], 'metrics');
    const before = await scrape(app.url);
    const first = await queuedJob(db.pool);
    await engine.submit(first, 'alice', plan);
    expect((await settled(db.pool, first)).phase).toBe('COMPLETED');
    const mid = await scrape(app.url);
    expect(delta(before, mid, 'drsoda_steps', { state: 'done' })).toBe(2);
    expect(delta(before, mid, 'drsoda_jobs', { kind: 'reduce', phase: 'COMPLETED' })).toBe(1);
    expect(valueOf(mid, 'drsoda_jobs', { kind: 'reduce', phase: 'QUEUED' })).toBe(0);
    expect(delta(before, mid, 'drsoda_step_duration_seconds_count', { operation: 'reduce_object', outcome: 'ok' })).toBe(2);
    expect(delta(before, mid, 'drsoda_step_duration_seconds_sum', { operation: 'reduce_object', outcome: 'ok' })).toBeGreaterThan(0);
    expect(delta(before, mid, 'drsoda_step_cache_lookups_total', { result: 'miss' })).toBe(2);

    const second = await queuedJob(db.pool, 'bob');
    await engine.submit(second, 'bob', plan);
    expect((await settled(db.pool, second)).phase).toBe('COMPLETED');
    const after = await scrape(app.url);
    expect(delta(mid, after, 'drsoda_step_cache_lookups_total', { result: 'hit' })).toBe(2);
    expect(delta(mid, after, 'drsoda_step_duration_seconds_count', { operation: 'reduce_object', outcome: 'ok' })).toBe(0);
    expect(delta(mid, after, 'drsoda_jobs', { kind: 'reduce', phase: 'COMPLETED' })).toBe(1);
  });

  it('counts a failing container as a failure of its operation and kind', async () => {
    const before = await scrape(app.url);
    const jobId = await queuedJob(db.pool);
    await engine.submit(jobId, 'alice', fakePlan([{ name: 'bad', fail: 'no arc lines found' }], 'metrics-fail'));
    expect((await settled(db.pool, jobId)).phase).toBe('ERROR');
    const after = await scrape(app.url);
    expect(delta(before, after, 'drsoda_container_failures_total', { operation: 'reduce_object', kind: 'fatal' })).toBe(1);
    expect(delta(before, after, 'drsoda_steps', { state: 'failed' })).toBe(1);
    expect(delta(before, after, 'drsoda_jobs', { kind: 'reduce', phase: 'ERROR' })).toBe(1);
  });

  it('shows the queue depth while steps wait for a worker slot', async () => {
    // Concurrency 1: whichever of the two slow siblings is claimed first, the other waits in the queue.
    const jobId = await queuedJob(db.pool);
    await engine.submit(jobId, 'alice', fakePlan([{ name: 'slow', sleepS: 1.5 }, { name: 'waiting', sleepS: 1.5 }, { name: 'last', after: ['slow', 'waiting'] }], 'metrics-queue'));
    let during: Sample[] = [];
    for (let i = 0; i < 100; i++) {
      during = await scrape(app.url);
      // The job turns EXECUTING a moment after its first step is claimed.
      if (valueOf(during, 'drsoda_steps', { state: 'running' }) === 1 && valueOf(during, 'drsoda_queue_depth') === 1 &&
        valueOf(during, 'drsoda_jobs', { kind: 'reduce', phase: 'EXECUTING' }) === 1) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(valueOf(during, 'drsoda_steps', { state: 'running' })).toBe(1);
    expect(valueOf(during, 'drsoda_queue_depth')).toBe(1);
    expect(valueOf(during, 'drsoda_steps', { state: 'waiting' })).toBe(1);
    expect(valueOf(during, 'drsoda_jobs', { kind: 'reduce', phase: 'EXECUTING' })).toBe(1);
    expect((await settled(db.pool, jobId)).phase).toBe('COMPLETED');
    const after = await scrape(app.url);
    expect(valueOf(after, 'drsoda_queue_depth')).toBe(0);
    expect(valueOf(after, 'drsoda_queue_oldest_seconds')).toBe(0);
  });
});
