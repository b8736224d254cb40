// The product disk fills up: DATA_DIR/products is a 1 MiB tmpfs, as an operator's separate products volume would
// be. A job whose products do not fit ends in ERROR saying so; a small job beside it completes; the worker and the
// API stay up; nothing half-written stays in the store.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { fakeAaorun, fakeArchive, queuedJob, settled, testEngine } from '../support/engine.js';
import { fakeAaorunVersion, fakePlan, workerPipeline } from '../support/fake-plan.js';
import { expectInvariants } from '../support/invariants.js';
import { startDrsoda, tmpDir, type DrsodaProcess } from './chaos-support.js';

describe('a full product disk', () => {
  let db: TestDatabase;
  let products: string | undefined;
  const procs: DrsodaProcess[] = [];
  afterAll(async () => {
    for (const p of procs) await p.stop(15000);
    if (products) execFileSync('umount', [products], { timeout: 10000 });
    await db?.drop();
  });

  it('fails the job that does not fit with a clear message and harms nothing else', async () => {
    db = await createTestDatabase();
    const archive = fakeArchive(['261126/ccd_1/26nov10001.fits', '261126/ccd_1/26nov10002.fits']);
    // The fake aaorun copies its inputs into its output: a 600 KB raw frame gives 600 KB products.
    writeFileSync(path.join(archive, '261126/ccd_1/26nov10002.fits'), Buffer.alloc(600 * 1024, 'x'));
    const dataDir = tmpDir('drsoda-chaos-disk-');
    products = path.join(dataDir, 'products');
    mkdirSync(products);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m,mode=0755', 'tmpfs', products], { timeout: 10000 });
    const env = { DATABASE_URL: db.url, DATA_DIR: dataDir, RATE_LIMIT_JOBS_PER_MIN: '0' };
    procs.push(await startDrsoda('worker', { ...env, ARCHIVE_ROOT: archive, EXECUTOR: 'local', AAORUN_COMMAND: `sh ${fakeAaorun}`, PIPELINE_VERSION: fakeAaorunVersion, WORKER_CONCURRENCY: '1' }));
    const serve = await startDrsoda('sleep-serve', env);
    procs.push(serve);

    const submitter = testEngine(db.pool, db.url, { archiveRoot: archive, dataDir, work: false });
    const big = await queuedJob(db.pool, 'alice');
    await submitter.submit(big, 'alice', fakePlan([
      { name: 'big1', raw: ['261126/ccd_1/26nov10002.fits'] },
      { name: 'big2', after: ['big1'] },
    ], 'disk-big', workerPipeline));
    const bigJob = await settled(db.pool, big, 60000);
    expect(bigJob.phase).toBe('ERROR');
    expect(bigJob.error!.message).toMatch(/step fake big2 failed after 1 attempt\(s\): aaorun reduce_object: no space left on the product disk/);

    // The disk is still nearly full (big1's product stays cached), yet small work goes on.
    const small = await queuedJob(db.pool, 'bob');
    await submitter.submit(small, 'bob', fakePlan([{ name: 'small1', raw: ['261126/ccd_1/26nov10001.fits'] }, { name: 'small2', after: ['small1'] }], 'disk-small', workerPipeline));
    expect((await settled(db.pool, small, 60000)).phase).toBe('COMPLETED');

    const availability = await fetch(`${serve.url}/soda/availability`).then((r) => r.text());
    expect(availability).toContain('<vosi:available>true</vosi:available>');
    const job = await fetch(`${serve.url}/soda/async`, { method: 'POST', body: new URLSearchParams({ DURATION: '0', PHASE: 'RUN' }), redirect: 'manual' });
    expect(job.status).toBe(303);
    expect(procs.every((p) => p.child.exitCode === null)).toBe(true);
    await expectInvariants({ pool: db.pool, dataDir, http: { jobsUrl: `${serve.url}/soda/async`, kind: 'sleep' }, workerPids: procs.map((p) => p.pid) });
    console.log(`disk-full: ${bigJob.error!.message}`);
    await submitter.stop();
  });
});
