// A step whose container hangs (sleeps far beyond STEP_TIMEOUT_S): killed at its timeout, in a container per
// step and in a warm sandbox; the job ends in ERROR naming the timeout, a job beside it completes, and no
// container or work dir is left.
import type Docker from 'dockerode';
import { stepsOfJob } from '../../src/store/step-store.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { requireDocker } from '../support/docker.js';
import { fakeArchive, queuedJob, settled, testEngine } from '../support/engine.js';
import { imagePipeline } from '../../src/executor/pipeline-identity.js';
import { fakePlan } from '../support/fake-plan.js';
import { ensureFakeAaorunImage } from '../support/images.js';
import { expectInvariants } from '../support/invariants.js';
import { startDrsoda, tmpDir, until, type DrsodaProcess } from './chaos-support.js';

describe.each(['container', 'sandbox'])('a hanging step (EXECUTION_MODE=%s)', (mode) => {
  let db: TestDatabase;
  let docker: Docker;
  let worker: DrsodaProcess | undefined;
  afterAll(async () => {
    await worker?.stop(15000);
    await db?.drop();
  });

  it('is killed at STEP_TIMEOUT_S and fails its job, and only its job', async () => {
    docker = await requireDocker();
    const image = await ensureFakeAaorunImage(docker);
    // Docker workers claim only steps planned for their image's id.
    const pipeline = imagePipeline(image, (await docker.getImage(image).inspect()).Id);
    db = await createTestDatabase();
    const archive = fakeArchive(['261126/ccd_1/26nov10001.fits']);
    const dataDir = tmpDir('drsoda-chaos-hang-');
    worker = await startDrsoda('worker', {
      DATABASE_URL: db.url, DATA_DIR: dataDir, ARCHIVE_ROOT: archive, EXECUTOR: 'docker', EXECUTION_MODE: mode, PIPELINE_IMAGE: image,
      STEP_TIMEOUT_S: '3', WORKER_CONCURRENCY: '2', SANDBOX_PRESTART: 'false',
    });
    const submitter = testEngine(db.pool, db.url, { archiveRoot: archive, dataDir, work: false });
    const hung = await queuedJob(db.pool, 'alice');
    await submitter.submit(hung, 'alice', fakePlan([{ name: 'stuck', raw: ['261126/ccd_1/26nov10001.fits'], sleepS: 3600 }, { name: 'after', after: ['stuck'] }], `hang-${mode}`, pipeline));
    const fine = await queuedJob(db.pool, 'bob');
    await submitter.submit(fine, 'bob', fakePlan([{ name: 'quick', raw: ['261126/ccd_1/26nov10001.fits'] }, { name: 'next', after: ['quick'] }], `fine-${mode}`, pipeline));

    const t0 = Date.now();
    const failed = await settled(db.pool, hung, 60000);
    const tookS = (Date.now() - t0) / 1000;
    expect(failed.phase).toBe('ERROR');
    expect(failed.error!.message).toMatch(/step fake stuck failed after 1 attempt\(s\): step exceeded its timeout of 3 s/);
    // Killed at its timeout: not retried (a step that hangs once hangs again) and not left running for an hour.
    expect(tookS).toBeLessThan(30);
    // The job goes to ERROR first, then its remaining steps are cancelled (job-sync.ts).
    const steps = await until('the dependant step to be cancelled', async () => {
      const all = await stepsOfJob(db.pool, hung);
      return all.every((s) => s.state !== 'waiting') && all;
    }, 10000);
    expect(steps.map((s) => [s.label, s.state, s.failureKind])).toEqual([['fake stuck', 'failed', 'fatal'], ['fake after', 'cancelled', null]]);
    expect((await settled(db.pool, fine, 60000)).phase).toBe('COMPLETED');
    await expectInvariants({ pool: db.pool, dataDir, docker, workerPids: [worker.pid], settleMs: 20000 });
    console.log(`hung-step (${mode}): job in ERROR ${tookS.toFixed(1)} s after submission with STEP_TIMEOUT_S=3`);
    const code = await worker.stop();
    if (code !== 0) throw new Error(`worker exited ${code} on SIGTERM:\n${worker.output().slice(-4000)}`);
    await submitter.stop();
  });
});
