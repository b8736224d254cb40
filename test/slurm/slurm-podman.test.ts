// SLURM_RUNTIME=podman for real, rootless: a `drsoda worker` running as the non-root user drsoda-podman submits
// its steps to Slurm, the jobs run as that user and start the pipeline image with rootless `podman run`. The
// small simulated night gives the sandbox executor's products byte for byte (DATE aside); an ABORT and a timeout
// leave no podman container, Slurm job, record or step folder. The same night reduced natively through slurmrestd
// gives the same products too.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chownSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type Docker from 'dockerode';
import type { StepRunner } from '../../src/executor/types.js';
import type { Plan } from '../../src/domain/plan.js';
import { LABEL_PREFIX } from '../../src/executor/container-spec.js';
import { configuredPipeline } from '../../src/executor/pipeline-identity.js';
import { createSandboxRunner } from '../../src/executor/sandbox/sandbox-runner.js';
import { readPipelinePresets } from '../../src/cli/plan.js';
import { createPlan } from '../../src/planner/plan.js';
import { makeWorkerId } from '../../src/scheduler/engine.js';
import { ProductStore } from '../../src/scheduler/product-store.js';
import { listSlurmJobs } from '../../src/store/slurm-job-store.js';
import { stepOutputs, stepsOfJob } from '../../src/store/step-store.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { requireContainers, requireDocker } from '../support/docker.js';
import { fakeArchive, queuedJob, settled, testEngine } from '../support/engine.js';
import { fakePlan, testPipeline } from '../support/fake-plan.js';
import { ensureFakeAaorunImage, FAKE_AAORUN_IMAGE } from '../support/images.js';
import { ingestedNight, timeless, type IngestedNight } from '../support/night.js';
import { requirePodmanUser, type PodmanUser } from '../support/podman.js';
import { projectRoot, waitForLine } from '../support/process.js';
import { startSlurmCluster, type SlurmCluster } from '../support/slurm.js';
import { eventually, slurmJobs, testSlurmRunner } from '../support/slurm-runner.js';

const IMAGE = 'drsoda/aaorun:latest';
const RAW = '261126/ccd_1/26nov10001.fits';
const KIND = `${LABEL_PREFIX}.kind=slurm`;

describe('a simulated night reduced through Slurm in rootless Podman', () => {
  let cluster: SlurmCluster;
  let docker: Docker;
  let pod: PodmanUser;
  let db: TestDatabase;
  let night: IngestedNight;
  const workers: ChildProcess[] = [];
  const temps: string[] = [];
  const temp = (prefix: string, owner?: PodmanUser) => {
    const d = mkdtempSync(path.join(os.tmpdir(), prefix));
    temps.push(d);
    if (owner) chownSync(d, owner.uid, owner.gid);
    return d;
  };

  beforeAll(async () => {
    docker = await requireDocker();
    pod = await requirePodmanUser();
    cluster = await startSlurmCluster({ rest: true });
    execFileSync('bash', [path.join(projectRoot, 'deploy/reducer/build-image.sh'), IMAGE], { stdio: 'ignore', timeout: 600000 });
    await pod.loadFromDocker(IMAGE);
    await pod.loadFromDocker(await ensureFakeAaorunImage(docker));
    db = await createTestDatabase();
    night = await ingestedNight(db.pool);
  }, 900000);
  afterAll(async () => {
    for (const w of workers) if (w.exitCode === null && w.signalCode === null) w.kill('SIGKILL');
    await cluster?.stop();
    await db?.drop();
    for (const d of [night?.root, ...temps]) if (d) rmSync(d, { recursive: true, force: true });
  });

  /** `drsoda worker` as the podman user, steps in Slurm with SLURM_RUNTIME=podman; resolves once it is ready. */
  async function podmanWorker(o: { image: string; version: string; archive: string; env?: Record<string, string> }) {
    const dataDir = temp('drsoda-podman-data-', pod);
    const w = spawn(process.execPath, ['--import', 'tsx', path.join(projectRoot, 'src/main.ts'), 'worker'], {
      cwd: projectRoot, uid: pod.uid, gid: pod.gid, stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...pod.env, NODE_OPTIONS: '', LOG_LEVEL: 'info', DATABASE_URL: db.url, DATA_DIR: dataDir, ARCHIVE_ROOT: o.archive,
        EXECUTOR: 'slurm', SLURM_RUNTIME: 'podman', SLURM_CONF: cluster.conf, SLURM_PARTITION: cluster.partition, SLURM_POLL_MS: '500',
        PIPELINE_IMAGE: o.image, PIPELINE_VERSION: o.version, WORKER_CONCURRENCY: '2', STEP_MEMORY_MB: '1024', ...o.env,
      },
    });
    workers.push(w);
    await waitForLine(w, /drsoda worker ready/, 120000);
    return { dataDir, products: new ProductStore(path.join(dataDir, 'products')) };
  }

  /** Products by plan position and file name: plans for different pipelines have different step ids. */
  async function productsOf(jobId: string, plan: Plan, file: (stepId: string, name: string) => string) {
    const index = new Map(plan.steps.map((s, i) => [s.id, i]));
    const out = new Map<string, string>();
    for (const s of await stepsOfJob(db.pool, jobId)) for (const o of await stepOutputs(db.pool, s.id)) out.set(`${index.get(s.id)}/${o.fileName}`, timeless(file(s.id, o.fileName)));
    return out;
  }

  const nightPlan = (pipeline = testPipeline) =>
    createPlan({ frames: night.frames, request: { fields: [{ night: night.night, cfgFile: night.fields[0] }] }, presets: readPipelinePresets(), pipeline });

  /** The night reduced in this process by a runner, in a database of its own (the plans share step ids). */
  async function reduceHere(runner: (pool: TestDatabase['pool']) => StepRunner) {
    const own = await createTestDatabase();
    const plan = nightPlan();
    const engine = testEngine(own.pool, own.url, {
      runner: runner(own.pool), dataDir: temp('drsoda-e2e-'), archiveRoot: night.root,
      concurrency: 2, stepTimeoutS: 300, leaseS: 30, retryBaseS: 2, tickMs: 5000, workerId: makeWorkerId(),
    });
    await engine.start();
    try {
      const jobId = await queuedJob(own.pool);
      await engine.submit(jobId, 'alice', plan);
      const job = await settled(own.pool, jobId, 400000);
      expect(job.error?.message ?? job.phase).toBe('COMPLETED');
      const index = new Map(plan.steps.map((st, i) => [st.id, i]));
      const out = new Map<string, string>();
      for (const st of await stepsOfJob(own.pool, jobId)) for (const o of await stepOutputs(own.pool, st.id)) out.set(`${index.get(st.id)}/${o.fileName}`, timeless(engine.products.file(st.id, o.fileName)));
      return out;
    } finally {
      await engine.stop();
      await own.drop();
    }
  }

  it('gives the sandbox executor\'s products in rootless Podman and natively through slurmrestd; no container left', async () => {
    const containers = await requireContainers();
    const sandbox = await reduceHere(() => createSandboxRunner({
      containers, image: IMAGE, limits: { cpus: 2, memoryBytes: 1 << 30, pids: 256, tmpfsBytes: 64 << 20 }, user: '10001:10001',
      baseDir: temp('drsoda-sbx-'), roots: [{ hostPath: night.root, containerPath: '/archive' }], workerId: makeWorkerId(), idleMs: 60000, prestart: false,
    }));
    expect(sandbox.size).toBe(nightPlan().steps.reduce((a, st) => a + st.outputs.length, 0));

    // Natively through slurmrestd: aaorun on the node's PATH (the job's environment carries the submitter's PATH).
    const binDir = temp('drsoda-bin-');
    execFileSync('ln', ['-s', path.join(projectRoot, 'bin/aaorun.js'), path.join(binDir, 'aaorun')]);
    const path0 = process.env.PATH;
    process.env.PATH = `${binDir}:${path0}`;
    const restNative = await reduceHere((pool) => testSlurmRunner(cluster, pool, { rest: true, aaorun: ['aaorun'] })).finally(() => {
      process.env.PATH = path0;
    });
    expect([...restNative.keys()].sort()).toEqual([...sandbox.keys()].sort());
    for (const [k, v] of sandbox) expect(restNative.get(k) === v ? k : `${k} differs (slurmrestd, native)`).toBe(k);

    const plan = nightPlan(configuredPipeline('podman-reducer', IMAGE));
    const worker = await podmanWorker({ image: IMAGE, version: 'podman-reducer', archive: night.root });
    const submitter = testEngine(db.pool, db.url, { archiveRoot: night.root, dataDir: temp('drsoda-submit-'), work: false });
    try {
      const jobId = await queuedJob(db.pool);
      await submitter.submit(jobId, 'alice', plan);
      const job = await settled(db.pool, jobId, 600000);
      expect(job.error?.message ?? job.phase).toBe('COMPLETED');
      const inPodman = await productsOf(jobId, plan, (id, f) => worker.products.file(id, f));
      expect([...inPodman.keys()].sort()).toEqual([...sandbox.keys()].sort());
      for (const [k, v] of sandbox) expect(inPodman.get(k) === v ? k : `${k} differs (podman)`).toBe(k);
    } finally {
      await submitter.stop();
    }
    const jobs = await cluster.cmd('squeue', ['-h', '-t', 'all', '-o', '%j|%T|%u']);
    for (const s of plan.steps) expect(jobs).toContain(`drsoda-${s.id}|COMPLETED|${pod.name}`);
    // --rm and the job's own removal finish a moment after the job ends.
    await eventually('no podman container', 90000, () => pod.containers(KIND), (cs) => cs.length === 0);
  }, 1500000);

  it('ABORT and a timeout leave no podman container, Slurm job, record or step folder', async () => {
    const archive = fakeArchive([RAW]);
    temps.push(archive);
    execFileSync('chmod', ['-R', 'a+rX', archive]);
    const pipeline = configuredPipeline('podman-fake', FAKE_AAORUN_IMAGE);
    const worker = await podmanWorker({ image: FAKE_AAORUN_IMAGE, version: 'podman-fake', archive, env: { STEP_TIMEOUT_S: '25', STEP_MAX_ATTEMPTS: '1' } });
    const submitter = testEngine(db.pool, db.url, { archiveRoot: archive, dataDir: temp('drsoda-submit-'), work: false });
    const clean = async (stepId: string) => {
      await eventually('no podman container', 90000, () => pod.containers(`${LABEL_PREFIX}.step=${stepId}`), (cs) => cs.length === 0);
      await eventually('no Slurm job active', 30000, () => slurmJobs(cluster), (js) => js.every((j) => !/PENDING|RUNNING|COMPLETING/.test(j.state)));
      await eventually('no Slurm job recorded', 10000, () => listSlurmJobs(db.pool), (rs) => rs.length === 0);
      const root = path.join(worker.dataDir, 'slurm');
      await eventually('no step folder left', 10000, async () => readdirSync(root).flatMap((d) => readdirSync(path.join(root, d))), (ds) => ds.length === 0);
    };
    try {
      // ABORT while the container runs.
      const abortId = await queuedJob(db.pool);
      const long = fakePlan([{ name: 'long', raw: [RAW], sleepS: 300 }], `podman-abort-${abortId}`, pipeline);
      await submitter.submit(abortId, 'alice', long);
      const step = long.steps[0].id;
      await eventually('its podman container runs', 90000, () => pod.podman(['ps', '--filter', `label=${LABEL_PREFIX}.step=${step}`, '--format', '{{.Names}}']), (s) => s.trim().length > 0);
      await submitter.cancel(abortId);
      await clean(step);
      expect((await slurmJobs(cluster)).find((j) => j.name === `drsoda-${step}`)?.state).toBe('CANCELLED');
      expect((await stepsOfJob(db.pool, abortId))[0].state).toBe('cancelled');

      // The step's own timeout (25 s) kills the container.
      const slowId = await queuedJob(db.pool);
      const slow = fakePlan([{ name: 'slow', raw: [RAW], sleepS: 300 }], `podman-timeout-${slowId}`, pipeline);
      await submitter.submit(slowId, 'alice', slow);
      const job = await settled(db.pool, slowId, 180000);
      expect(job.phase).toBe('ERROR');
      expect(job.error?.message).toMatch(/timeout of 25 s/);
      await clean(slow.steps[0].id);
    } finally {
      await submitter.stop();
    }
  }, 600000);
});
