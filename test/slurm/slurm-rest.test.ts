// Steps submitted, polled and cancelled through slurmrestd (JWT over TCP) on a real single-node cluster: a
// two-step plan under the steps' drsoda names, a failing step, an ABORT, slurmrestd's own errors as clear step
// failures, and a client that never hangs on a silent or absent endpoint. The same runner and poller as the
// command-line path; only the client differs.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createSlurmRestClient, SlurmRestError } from '../../src/executor/slurm/rest-client.js';
import type { Engine } from '../../src/scheduler/engine.js';
import { listSlurmJobs } from '../../src/store/slurm-job-store.js';
import { stepsOfJob } from '../../src/store/step-store.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { fakeAaorun, fakeArchive, queuedJob, settled, testEngine } from '../support/engine.js';
import { fakePlan } from '../support/fake-plan.js';
import { startSlurmCluster, type SlurmCluster } from '../support/slurm.js';
import { eventually, restClient, slurmJobs, testSlurmRunner } from '../support/slurm-runner.js';

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

  async function nothingLeft(jobRoot: string) {
    const active = await eventually('no Slurm job still active', 20000, () => slurmJobs(cluster), (js) => js.every((j) => !/PENDING|RUNNING|COMPLETING/.test(j.state)));
    await eventually('no Slurm job recorded', 10000, () => listSlurmJobs(db.pool), (rs) => rs.length === 0);
    await eventually('no step folder left', 10000, async () => readdirSync(jobRoot).flatMap((d) => readdirSync(path.join(jobRoot, d))), (ds) => ds.length === 0);
    return active;
  }

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
});
