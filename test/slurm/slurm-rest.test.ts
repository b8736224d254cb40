// Steps submitted, polled and cancelled through slurmrestd (JWT over TCP) on a real single-node cluster: a
// two-step plan under the steps' drsoda names, a failing step, an ABORT, slurmrestd's own errors as clear step
// failures, a client that never hangs on a silent or absent endpoint, a worker restart that re-attaches, and
// `drsoda doctor` against slurmrestd. The same runner and poller as the command-line path; only the client differs.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createSlurmRestClient, SlurmRestError } from '../../src/executor/slurm/rest-client.js';
import type { Engine } from '../../src/scheduler/engine.js';
import { listSlurmJobs } from '../../src/store/slurm-job-store.js';
import { stepsOfJob } from '../../src/store/step-store.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { fakeAaorun, fakeArchive, queuedJob, settled, testEngine } from '../support/engine.js';
import { fakePlan, workerPipeline } from '../support/fake-plan.js';
import { finished, runDrsoda } from '../support/process.js';
import { startSlurmCluster, type SlurmCluster } from '../support/slurm.js';
import { eventually, nothingLeft as nothingLeftIn, restClient, slurmJobs, slurmWorkers, stepRunsInSlurm, testSlurmRunner } from '../support/slurm-runner.js';

const RAW = '261126/ccd_1/26nov10001.fits';

describe('reduction steps through slurmrestd', () => {
  let cluster: SlurmCluster;
  let db: TestDatabase;
  let archive: string;
  beforeAll(async () => {
    cluster = await startSlurmCluster({ rest: true });
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

  async function engineWith(o: { stepTimeoutS?: number; partition?: string } = {}) {
    const jobRoot = mkdtempSync(path.join(os.tmpdir(), 'drsoda-slurm-rest-'));
    temps.push(jobRoot);
    const runner = testSlurmRunner(cluster, db.pool, { rest: true, aaorun: ['sh', fakeAaorun], jobRoot, partition: o.partition });
    const engine = testEngine(db.pool, db.url, { runner, archiveRoot: archive, stepTimeoutS: o.stepTimeoutS ?? 60, maxAttempts: 1 });
    engines.push(engine);
    await engine.start();
    return { engine, jobRoot };
  }

  const nothingLeft = (jobRoot: string) => nothingLeftIn(cluster, db.pool, jobRoot);

  it('runs a two-step plan: each a Slurm job under its step name, commented with the job id', async () => {
    const { engine, jobRoot } = await engineWith();
    const jobId = await queuedJob(db.pool);
    const plan = fakePlan([{ name: 'a', raw: [RAW] }, { name: 'b', after: ['a'] }], `rest-ok-${jobId}`);
    await engine.submit(jobId, 'alice', plan);
    const job = await settled(db.pool, jobId, 60000);
    expect(job.error?.message ?? job.phase).toBe('COMPLETED');
    const jobs = await nothingLeft(jobRoot);
    for (const s of plan.steps) {
      const j = jobs.find((x) => x.name === `drsoda-${s.id}`);
      expect(j?.state).toBe('COMPLETED');
      expect(j?.comment).toBe(`drsoda job=${jobId} step=${s.id}`);
    }
  }, 120000);

  it('reports a failing step with its exit status and message', async () => {
    const { engine, jobRoot } = await engineWith();
    const jobId = await queuedJob(db.pool);
    await engine.submit(jobId, 'alice', fakePlan([{ name: 'bad', raw: [RAW], fail: 'no arc lines found' }], `rest-fail-${jobId}`));
    const job = await settled(db.pool, jobId, 60000);
    expect(job.phase).toBe('ERROR');
    expect(job.error?.message).toMatch(/exited with status 1: .*no arc lines found/);
    expect((await stepsOfJob(db.pool, jobId))[0]).toMatchObject({ state: 'failed', exitCode: 1 });
    await nothingLeft(jobRoot);
  }, 120000);

  it('ABORT cancels the running step through slurmrestd: no Slurm job, record or folder is left', async () => {
    const { engine, jobRoot } = await engineWith();
    const jobId = await queuedJob(db.pool);
    const plan = fakePlan([{ name: 'long', raw: [RAW], sleepS: 120 }], `rest-abort-${jobId}`);
    await engine.submit(jobId, 'alice', plan);
    const name = `drsoda-${plan.steps[0].id}`;
    await eventually('the step runs in Slurm', 30000, () => slurmJobs(cluster), (js) => js.some((j) => j.name === name && j.state === 'RUNNING'));
    await engine.cancel(jobId);
    const jobs = await nothingLeft(jobRoot);
    expect(jobs.find((j) => j.name === name)?.state).toBe('CANCELLED');
    expect((await stepsOfJob(db.pool, jobId))[0].state).toBe('cancelled');
  }, 180000);

  it('turns slurmrestd\'s refusal (its errors array) into a step failure that says why', async () => {
    const { engine, jobRoot } = await engineWith({ partition: 'nosuch' });
    const jobId = await queuedJob(db.pool);
    await engine.submit(jobId, 'alice', fakePlan([{ name: 'lost', raw: [RAW] }], `rest-part-${jobId}`));
    const job = await settled(db.pool, jobId, 60000);
    expect(job.phase).toBe('ERROR');
    expect(job.error?.message).toMatch(/cannot submit the step to Slurm: slurmrestd submit failed \(HTTP 500\): Invalid partition name specified/);
    await nothingLeft(jobRoot);
  }, 120000);

  it('says what is wrong with a bad token, the older API version, and cancels already-finished jobs quietly', async () => {
    const r = cluster.rest!;
    const bad = createSlurmRestClient({ url: r.url, token: 'not-a-jwt', user: r.user });
    const err = await bad.states(['1']).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SlurmRestError);
    expect((err as SlurmRestError).message).toMatch(/^slurmrestd jobs failed \(HTTP (401|500)\)/);
    const v37 = await createSlurmRestClient({ url: r.url, token: r.token, user: r.user, api: 'v0.0.37' }).partitions();
    expect(v37).toEqual([cluster.partition]); // the test daemon loads both 22.05 versions
    expect(() => createSlurmRestClient({ url: r.url })).toThrow(/SLURMRESTD_TOKEN/);
    await expect(restClient(cluster).cancel(['999999'])).resolves.toBeUndefined();
  }, 60000);

  it('never hangs: a silent endpoint and a closed port fail within the timeout', async () => {
    const sockets: net.Socket[] = [];
    const silent = net.createServer((s) => sockets.push(s)); // accepts, never answers
    await new Promise<void>((res) => silent.listen(0, '127.0.0.1', res));
    const port = (silent.address() as net.AddressInfo).port;
    try {
      const c = createSlurmRestClient({ url: `http://127.0.0.1:${port}`, token: 'x', user: 'root', timeoutMs: 1500 });
      await expect(c.states(['1'])).rejects.toThrow(/slurmrestd jobs failed: .*no answer within 1500 ms/);
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise((res) => silent.close(res));
    }
    const closed = createSlurmRestClient({ url: `http://127.0.0.1:${port}`, token: 'x', user: 'root', timeoutMs: 1500 });
    await expect(closed.submit({ script: fakeAaorun, name: 'x', comment: 'x', cpus: 1, memoryMb: 64, timeMinutes: 1, stdout: '/dev/null', stderr: '/dev/null', workDir: '/tmp' })).rejects.toThrow(/slurmrestd submit failed: .*ECONNREFUSED/);
  }, 60000);

  const restEnv = () => ({ SLURMRESTD_URL: cluster.rest!.url, SLURMRESTD_TOKEN: cluster.rest!.token, SLURMRESTD_USER: cluster.rest!.user });

  it('re-attaches to the running Slurm job after a worker is killed: one submission per step', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'drsoda-slurm-rest-restart-'));
    temps.push(dataDir);
    // No SLURM_CONF: the worker reaches the cluster through slurmrestd only.
    const workers = slurmWorkers(cluster, { databaseUrl: db.url, dataDir, archiveRoot: archive }, { ...restEnv(), SLURM_CONF: undefined });
    const start = () => workers.start();
    try {
      const first = await start();
      const submitter = testEngine(db.pool, db.url, { archiveRoot: archive, dataDir, work: false });
      engines.push(submitter);
      const jobId = await queuedJob(db.pool);
      const plan = fakePlan([{ name: 'first', raw: [RAW] }, { name: 'long', after: ['first'], sleepS: 6 }, { name: 'last', after: ['long'] }], `rest-restart-${jobId}`, workerPipeline);
      await submitter.submit(jobId, 'alice', plan);
      const long = plan.steps[1].id;
      await stepRunsInSlurm(cluster, db.pool, long);
      const exit = finished(first);
      first.kill('SIGKILL');
      await exit;
      await start();
      const job = await settled(db.pool, jobId, 90000);
      expect(job.error?.message ?? job.phase).toBe('COMPLETED');
      const jobs = await slurmJobs(cluster);
      for (const st of plan.steps) expect(jobs.filter((j) => j.name === `drsoda-${st.id}`).map((j) => j.state)).toEqual(['COMPLETED']);
      const steps = await stepsOfJob(db.pool, jobId);
      expect(Object.fromEntries(steps.map((st) => [st.label, st.attempts]))).toEqual({ 'fake first': 1, 'fake long': 2, 'fake last': 1 });
      expect(readFileSync(steps.find((st) => st.id === long)!.logPath!, 'utf8')).toMatch(/# slurm job \d+ (re-attached|handed over with the DAG, attached)/);
      // A collected job's record stays until its step is recorded done, then the runner's sweep forgets it.
      await eventually('no Slurm job recorded', 30000, () => listSlurmJobs(db.pool), (rs) => rs.length === 0);
    } finally {
      for (const w of workers.all) if (w.exitCode === null && w.signalCode === null) w.kill('SIGKILL');
    }
  }, 180000);

  type Check = { name: string; status: string; detail: string; fix?: string };
  const doctor = async (env: Record<string, string | undefined>) => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'drsoda-doctor-rest-'));
    temps.push(dataDir);
    const r = await runDrsoda(['doctor', '--json', '--min-free-gb', '0'], { DATABASE_URL: db.url, DATA_DIR: dataDir, EXECUTOR: 'slurm', SLURM_CONF: undefined, SLURM_PARTITION: cluster.partition, ...env }, 120000);
    const checks = (JSON.parse(r.stdout) as { checks: Check[] }).checks;
    return { code: r.code, check: (name: string) => checks.find((c) => c.name === name) };
  };

  it('drsoda doctor checks slurmrestd, then the controller, partition and shared folder through it', async () => {
    const ok = await doctor(restEnv());
    expect(ok.check('slurmrestd')).toMatchObject({ status: 'ok', detail: expect.stringMatching(/\/slurm\/v0\.0\.38 answers as root; controller \S+ UP$/) });
    expect(ok.check('slurm controller')).toMatchObject({ status: 'ok', detail: expect.stringContaining(`slurmrestd ${cluster.rest!.url} (v0.0.38)`) });
    expect(ok.check('slurm shared folder')).toMatchObject({ status: 'ok', detail: expect.stringMatching(/^probe job \d+ read and wrote back a file/) });
    expect(ok.code).toBe(0);

    const badToken = await doctor({ ...restEnv(), SLURMRESTD_TOKEN: 'not-a-jwt' });
    expect(badToken.check('slurmrestd')).toMatchObject({ status: 'fail', fix: expect.stringMatching(/token/) });
    expect(badToken.check('slurm controller')).toBeUndefined();
    expect(badToken.code).toBe(1);

    const noToken = await doctor({ ...restEnv(), SLURMRESTD_TOKEN: undefined, SLURM_JWT: undefined });
    expect(noToken.check('slurmrestd')).toMatchObject({ status: 'fail', detail: expect.stringContaining('SLURMRESTD_TOKEN') });
  }, 300000);
});
