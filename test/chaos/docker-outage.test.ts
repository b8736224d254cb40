// The Docker daemon going away mid-step, as a dockerd restart does to its clients: every connection cut, the
// socket refusing for a few seconds, the step's container stopped. The worker talks to the daemon through a proxy
// this test owns (DOCKER_HOST), so the machine's shared dockerd is never restarted. The step fails as transient,
// is retried once the daemon answers again, the job completes, and the dead container does not stay behind.
import type Docker from 'dockerode';
import { stepsOfJob } from '../../src/store/step-store.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { requireDocker } from '../support/docker.js';
import { fakeArchive, queuedJob, settled, testEngine } from '../support/engine.js';
import { imagePipeline } from '../../src/executor/pipeline-identity.js';
import { fakePlan } from '../support/fake-plan.js';
import { ensureFakeAaorunImage } from '../support/images.js';
import { expectInvariants } from '../support/invariants.js';
import { dockerProxy, startDrsoda, tmpDir, until, type DockerProxy, type DrsodaProcess } from './chaos-support.js';

describe.each(['container', 'sandbox'])('Docker daemon outage during a step (EXECUTION_MODE=%s)', (mode) => {
  let db: TestDatabase;
  let docker: Docker;
  let proxy: DockerProxy;
  let worker: DrsodaProcess | undefined;
  afterAll(async () => {
    await proxy?.up().catch(() => {});
    await worker?.stop(15000);
    await proxy?.close();
    await db?.drop();
  });

  it('retries the step as transient and leaves no container behind', async () => {
    docker = await requireDocker();
    const image = await ensureFakeAaorunImage(docker);
    // Docker workers claim only steps planned for their image's id.
    const pipeline = imagePipeline(image, (await docker.getImage(image).inspect()).Id);
    db = await createTestDatabase();
    proxy = await dockerProxy();
    const archive = fakeArchive(['261126/ccd_1/26nov10001.fits']);
    const dataDir = tmpDir('drsoda-chaos-dockerd-');
    worker = await startDrsoda('worker', {
      DATABASE_URL: db.url, DATA_DIR: dataDir, ARCHIVE_ROOT: archive, EXECUTOR: 'docker', EXECUTION_MODE: mode, PIPELINE_IMAGE: image,
      DOCKER_HOST: proxy.host, STEP_LEASE_S: '5', WORKER_CONCURRENCY: '1', SANDBOX_PRESTART: 'false',
    });
    const submitter = testEngine(db.pool, db.url, { archiveRoot: archive, dataDir, work: false });
    const jobId = await queuedJob(db.pool);
    await submitter.submit(jobId, 'alice', fakePlan([
      { name: 'first', raw: ['261126/ccd_1/26nov10001.fits'] },
      { name: 'long', after: ['first'], sleepS: 5 },
      { name: 'last', after: ['long'] },
    ], `dockerd-${mode}`, pipeline));
    await until('the long step to run', async () => (await db.pool.query(`select 1 from step where label = 'fake long' and state = 'running'`)).rowCount, 60000, 50);
    const [running] = await until('its container', async () => {
      const list = await docker.listContainers({ filters: JSON.stringify({ label: [`org.drsoda.worker=${worker!.workerId}`] }) });
      return list.length ? list : undefined;
    }, 20000, 50);
    await new Promise((r) => setTimeout(r, 500));

    // "dockerd restarts": clients are cut off, the daemon stops the container, and answers again after 3 s.
    const t0 = Date.now();
    await proxy.down();
    await docker.getContainer(running.Id).kill().catch(() => {});
    await new Promise((r) => setTimeout(r, 3000));
    await proxy.up();
    const outageS = (Date.now() - t0) / 1000;

    const job = await settled(db.pool, jobId, 90000).catch((e: Error) => {
      throw new Error(`${e.message}\n--- worker log ---\n${worker!.output().slice(-6000)}`);
    });
    expect(job.phase).toBe('COMPLETED');
    const steps = await stepsOfJob(db.pool, jobId);
    expect(Object.fromEntries(steps.map((s) => [s.label, s.attempts]))).toEqual({ 'fake first': 1, 'fake long': 2, 'fake last': 1 });
    await expectInvariants({ pool: db.pool, dataDir, docker, workerPids: [worker.pid], settleMs: 30000 });
    console.log(`docker-outage (${mode}): daemon unreachable ${outageS.toFixed(1)} s; the step failed as transient and completed on attempt 2`);
    expect(await worker.stop()).toBe(0);
    await submitter.stop();
  });
});
