// SIGKILL of a `drsoda worker` mid-step, with steps in Docker (a container per step, and warm sandboxes): the
// lost step re-runs on the other worker, nothing finished runs twice, and once the dead worker's host starts a
// worker again (as systemd or compose would) its leftover container and work dir are gone.
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

describe.each(['container', 'sandbox'])('SIGKILL of a worker mid-step (EXECUTION_MODE=%s)', (mode) => {
  let db: TestDatabase;
  let docker: Docker;
  const procs: DrsodaProcess[] = [];
  afterAll(async () => {
    for (const p of procs) await p.stop(15000);
    await db?.drop();
  });

  it('re-runs the lost step elsewhere and leaves nothing behind once the host restarts its worker', async () => {
    docker = await requireDocker();
    const image = await ensureFakeAaorunImage(docker);
    // Docker workers claim only steps planned for their image's id.
    const pipeline = imagePipeline(image, (await docker.getImage(image).inspect()).Id);
    db = await createTestDatabase();
    const archive = fakeArchive(['261126/ccd_1/26nov10001.fits']);
    const dataDir = tmpDir('drsoda-chaos-worker-');
    const env = {
      DATABASE_URL: db.url, DATA_DIR: dataDir, ARCHIVE_ROOT: archive, EXECUTOR: 'docker', EXECUTION_MODE: mode, PIPELINE_IMAGE: image,
      STEP_LEASE_S: '2', WORKER_CONCURRENCY: '1', SANDBOX_PRESTART: 'false',
    };
    for (let i = 0; i < 2; i++) procs.push(await startDrsoda('worker', env));
    const submitter = testEngine(db.pool, db.url, { archiveRoot: archive, dataDir, work: false });
    const jobId = await queuedJob(db.pool);
    await submitter.submit(jobId, 'alice', fakePlan([
      { name: 'first', raw: ['261126/ccd_1/26nov10001.fits'] },
      { name: 'long', after: ['first'], sleepS: 4 },
      { name: 'last', after: ['long'] },
    ], `kill-${mode}`, pipeline));

    const victimId = await until('the long step to run', async () => {
      const { rows } = await db.pool.query(`select lease_owner from step where label = 'fake long' and state = 'running'`);
      return rows[0]?.lease_owner as string | undefined;
    }, 60000, 50);
    const victim = procs.find((p) => p.workerId === victimId)!;
    expect(victim).toBeDefined();
    // Let the step's container really start, then kill its worker.
    await until('the step container', async () => (await docker.listContainers({ filters: JSON.stringify({ label: [`org.drsoda.worker=${victimId}`] }) })).length > 0, 20000);
    await victim.kill();

    const job = await settled(db.pool, jobId, 90000);
    expect(job.phase).toBe('COMPLETED');
    const attempts = Object.fromEntries((await stepsOfJob(db.pool, jobId)).map((s) => [s.label, s.attempts]));
    expect(attempts).toEqual({ 'fake first': 1, 'fake long': 2, 'fake last': 1 });

    // The host restarts its worker: the start-up reaper removes what the dead one left.
    procs.push(await startDrsoda('worker', env));
    await expectInvariants({ pool: db.pool, dataDir, docker, workerPids: procs.map((p) => p.pid), settleMs: 20000 });
    for (const p of procs.filter((x) => x !== victim)) expect(await p.stop()).toBe(0);
  });
});
