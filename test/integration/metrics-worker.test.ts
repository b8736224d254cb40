// `drsoda worker` with METRICS_PORT: a separate worker process serves its own /metrics, and its step series move
// when it runs a step submitted by another process (this test's engine without a worker) on the same database.
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ChildProcess } from 'node:child_process';
import type { Engine } from '../../src/scheduler/engine.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { fakeAaorun, fakeArchive, queuedJob, settled, testEngine } from '../support/engine.js';
import { fakeAaorunVersion, fakePlan, workerPipeline } from '../support/fake-plan.js';
import { scrape, valueOf } from '../support/ops-prometheus.js';
import { finished, spawnDrsoda, waitForLine } from '../support/process.js';

describe('worker metrics endpoint', () => {
  let db: TestDatabase;
  let worker: ChildProcess;
  let submitter: Engine;
  const archive = fakeArchive(['261126/ccd_1/26nov10001.fits']);
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'drsoda-worker-metrics-'));

  beforeAll(async () => {
    db = await createTestDatabase();
    submitter = testEngine(db.pool, db.url, { archiveRoot: archive, dataDir, work: false });
  });
  afterAll(async () => {
    if (worker && worker.exitCode === null) {
      const done = finished(worker, 15000);
      worker.kill('SIGTERM');
      await done;
    }
    await submitter.stop();
    await db.drop();
  });

  it('serves /metrics on METRICS_PORT and counts the steps this worker ran', async () => {
    worker = spawnDrsoda(['worker'], {
      DATABASE_URL: db.url, DATA_DIR: dataDir, ARCHIVE_ROOT: archive, EXECUTOR: 'local', AAORUN_COMMAND: `sh ${fakeAaorun}`, PIPELINE_VERSION: fakeAaorunVersion,
      METRICS_PORT: '0', HOST: '127.0.0.1', WORKER_CONCURRENCY: '1', DEMO_ARCHIVE: 'false',
    });
    const ready = JSON.parse(await waitForLine(worker, /drsoda worker ready/, 30000)) as { metricsPort: number };
    const url = `http://127.0.0.1:${ready.metricsPort}`;
    const before = await scrape(url);
    expect(valueOf(before, 'drsoda_step_duration_seconds_count', { operation: 'reduce_object', outcome: 'ok' })).toBe(0);
    const jobId = await queuedJob(db.pool);
    await submitter.submit(jobId, 'alice', fakePlan([{ name: 'only', raw: ['261126/ccd_1/26nov10001.fits'] }], 'worker-metrics', workerPipeline));
    expect((await settled(db.pool, jobId)).phase).toBe('COMPLETED');
    const after = await scrape(url);
    expect(valueOf(after, 'drsoda_step_duration_seconds_count', { operation: 'reduce_object', outcome: 'ok' })).toBe(1);
    expect(valueOf(after, 'drsoda_steps', { state: 'done' })).toBe(1);
    expect(valueOf(after, 'drsoda_db_pool_connections', { state: 'total' })).toBeGreaterThan(0);
    expect((await fetch(`${url}/other`)).status).toBe(404);
  });
});
