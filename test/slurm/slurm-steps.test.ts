// Steps as Slurm batch jobs on a real single-node cluster, driven by the engine: a failing step, a timeout and
// an ABORT (natively and in Docker), each leaving no Slurm job, container, record or step folder behind.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Docker from 'dockerode';
import { LABEL_PREFIX } from '../../src/executor/container-spec.js';
import { createSlurmCli } from '../../src/executor/slurm/slurm-cli.js';
import type { Engine } from '../../src/scheduler/engine.js';
import { stepsOfJob } from '../../src/store/step-store.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { requireDocker } from '../support/docker.js';
import { fakeAaorun, fakeArchive, queuedJob, settled, testEngine } from '../support/engine.js';
import { fakePlan } from '../support/fake-plan.js';
import { ensureFakeAaorunImage } from '../support/images.js';
import { startSlurmCluster, type SlurmCluster } from '../support/slurm.js';
import { eventually, nothingLeft as nothingLeftIn, slurmJobs, testSlurmRunner } from '../support/slurm-runner.js';

const RAW = '261126/ccd_1/26nov10001.fits';

describe('reduction steps as Slurm batch jobs', () => {
  let cluster: SlurmCluster;
  let db: TestDatabase;
  let archive: string;
  beforeAll(async () => {
    cluster = await startSlurmCluster();
    db = await createTestDatabase();
    archive = fakeArchive([RAW]);
  }, 300000);
  const engines: Engine[] = [];
  afterEach(async () => {
    for (const e of engines.splice(0)) await e.stop();
  });
  const temps: string[] = [];
  afterAll(async () => {
    await cluster?.stop();
    await db?.drop();
    for (const d of [archive, ...temps]) if (d) rmSync(d, { recursive: true, force: true });
  });

  async function engineWith(o: { runtime?: 'native' | 'docker'; image?: string; stepTimeoutS?: number }) {
    const jobRoot = mkdtempSync(path.join(os.tmpdir(), 'drsoda-slurm-steps-'));
    temps.push(jobRoot);
    const runner = testSlurmRunner(cluster, db.pool, { runtime: o.runtime, aaorun: o.runtime === 'docker' ? ['aaorun'] : ['sh', fakeAaorun], image: o.image, jobRoot });
    const engine = testEngine(db.pool, db.url, { runner, archiveRoot: archive, stepTimeoutS: o.stepTimeoutS ?? 60, maxAttempts: 1 });
    engines.push(engine);
    await engine.start();
    return { engine, jobRoot };
  }

  const nothingLeft = (jobRoot: string) => nothingLeftIn(cluster, db.pool, jobRoot);

  it('runs a two-step plan, names each job after its step and comments it with the job id', async () => {
    const { engine, jobRoot } = await engineWith({});
    const jobId = await queuedJob(db.pool);
    const plan = fakePlan([{ name: 'a', raw: [RAW] }, { name: 'b', after: ['a'] }], `ok-${jobId}`);
    await engine.submit(jobId, 'alice', plan);
    const job = await settled(db.pool, jobId, 60000);
    expect(job.error?.message ?? job.phase).toBe('COMPLETED');
    const jobs = await nothingLeft(jobRoot);
    for (const s of plan.steps) {
      const j = jobs.find((x) => x.name === `drsoda-${s.id}`);
      expect(j?.state).toBe('COMPLETED');
      expect(j?.comment).toBe(`drsoda job=${jobId} step=${s.id}`);
    }
    expect(readFileSync(engine.products.file(plan.steps[1].id, 'b.fits'), 'utf8')).toBe(`reduce_object\nreduce_object\nraw ${RAW}\n`);
    // The step log holds the job's output and its Slurm job id.
    const [b] = (await stepsOfJob(db.pool, jobId)).filter((s) => s.id === plan.steps[1].id);
    const log = readFileSync(b.logPath!, 'utf8');
    expect(log).toMatch(/# slurm job \d+ submitted/);
    expect(log).toContain('Action "EXIT", Task "CMD00001", completed.');
  }, 120000);

  it('reports a failing step with its exit status and message; the job ends in ERROR', async () => {
    const { engine, jobRoot } = await engineWith({});
    const jobId = await queuedJob(db.pool);
    await engine.submit(jobId, 'alice', fakePlan([{ name: 'bad', raw: [RAW], fail: 'no arc lines found' }], `fail-${jobId}`));
    const job = await settled(db.pool, jobId, 60000);
    expect(job.phase).toBe('ERROR');
    expect(job.error?.message).toMatch(/exited with status 1: .*no arc lines found/);
    const [s] = await stepsOfJob(db.pool, jobId);
    expect(s).toMatchObject({ state: 'failed', exitCode: 1 });
    await nothingLeft(jobRoot);
  }, 120000);

  it('kills a step at its timeout (to the second, not Slurm minutes) and says so', async () => {
    const { engine, jobRoot } = await engineWith({ stepTimeoutS: 2 });
    const jobId = await queuedJob(db.pool);
    const t0 = Date.now();
    await engine.submit(jobId, 'alice', fakePlan([{ name: 'slow', raw: [RAW], sleepS: 60 }], `timeout-${jobId}`));
    const job = await settled(db.pool, jobId, 60000);
    expect(job.phase).toBe('ERROR');
    expect(job.error?.message).toMatch(/timeout of 2 s/);
    expect(Date.now() - t0).toBeLessThan(30000);
    await nothingLeft(jobRoot);
  }, 120000);

  it('gives a step job the PATH but none of the worker\'s other variables (DATABASE_URL, secrets)', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'drsoda-slurm-env-'));
    writeFileSync(path.join(dir, 'env.sh'), `#!/bin/bash\nenv > ${dir}/env.tmp && mv ${dir}/env.tmp ${dir}/env.txt\n`, { mode: 0o755 });
    process.env.DRSODA_TEST_SECRET = 'do-not-leak';
    try {
      const cli = createSlurmCli({ conf: cluster.conf });
      await cli.submit({ script: path.join(dir, 'env.sh'), name: 'drsoda-env', comment: 'env', cpus: 1, memoryMb: 64, timeMinutes: 1, stdout: '/dev/null', stderr: '/dev/null', workDir: dir });
    } finally {
      delete process.env.DRSODA_TEST_SECRET;
    }
    const env = await eventually('the job wrote its environment', 30000, async () => (existsSync(path.join(dir, 'env.txt')) ? readFileSync(path.join(dir, 'env.txt'), 'utf8') : ''), (t) => t.length > 0);
    expect(env).toContain(`PATH=${process.env.PATH}\n`);
    expect(env).toMatch(/^SLURM_JOB_ID=\d+$/m);
    expect(env).not.toContain('DRSODA_TEST_SECRET');
    rmSync(dir, { recursive: true, force: true });
  }, 60000);

  it.each(['native', 'docker'] as const)('ABORT scancels the running step (%s): no Slurm job, container or folder is left', async (runtime) => {
    let docker: Docker | undefined;
    let image: string | undefined;
    if (runtime === 'docker') {
      docker = await requireDocker();
      image = await ensureFakeAaorunImage(docker);
    }
    const { engine, jobRoot } = await engineWith({ runtime, image });
    const jobId = await queuedJob(db.pool);
    const plan = fakePlan([{ name: 'long', raw: [RAW], sleepS: 120 }], `abort-${runtime}-${jobId}`);
    await engine.submit(jobId, 'alice', plan);
    const name = `drsoda-${plan.steps[0].id}`;
    await eventually('the step runs in Slurm', 30000, () => slurmJobs(cluster), (js) => js.some((j) => j.name === name && j.state === 'RUNNING'));
    if (docker) {
      await eventually('its container runs', 30000, () => docker!.listContainers({ filters: JSON.stringify({ label: [`${LABEL_PREFIX}.step=${plan.steps[0].id}`] }) }), (cs) => cs.length === 1);
    }
    await engine.cancel(jobId);
    const jobs = await nothingLeft(jobRoot);
    expect(jobs.find((j) => j.name === name)?.state).toBe('CANCELLED');
    if (docker) {
      const left = await docker.listContainers({ all: true, filters: JSON.stringify({ label: [`${LABEL_PREFIX}.step=${plan.steps[0].id}`] }) });
      expect(left).toEqual([]);
    }
    expect((await stepsOfJob(db.pool, jobId))[0].state).toBe('cancelled');
    expect(existsSync(jobRoot)).toBe(true);
  }, 180000);
});
