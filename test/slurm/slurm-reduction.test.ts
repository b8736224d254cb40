// A small simulated night reduced through Slurm (natively and with the reference image in Docker) gives
// products identical to the sandbox executor's (the DATE card aside), every step visible in Slurm's records
// under its drsoda name, and no container left behind.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type Docker from 'dockerode';
import type { Plan } from '../../src/domain/plan.js';
import { LABEL_PREFIX } from '../../src/executor/container-spec.js';
import { createSandboxRunner } from '../../src/executor/sandbox/sandbox-runner.js';
import type { StepRunner } from '../../src/executor/types.js';
import { readPipelinePresets } from '../../src/cli/plan.js';
import { createPlan } from '../../src/planner/plan.js';
import { makeWorkerId } from '../../src/scheduler/engine.js';
import { stepOutputs, stepsOfJob } from '../../src/store/step-store.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { requireContainers, requireDocker } from '../support/docker.js';
import { queuedJob, settled, testEngine } from '../support/engine.js';
import { testPipeline } from '../support/fake-plan.js';
import { ingestedNight, timeless, type IngestedNight } from '../support/night.js';
import { projectRoot } from '../support/process.js';
import { startSlurmCluster, type SlurmCluster } from '../support/slurm.js';
import { slurmJobs, testSlurmRunner } from '../support/slurm-runner.js';

const IMAGE = 'drsoda/aaorun:latest';

describe('a simulated night reduced through Slurm', () => {
  let cluster: SlurmCluster;
  let docker: Docker;
  let night: IngestedNight;
  let plan: Plan;
  const dbs: TestDatabase[] = [];

  beforeAll(async () => {
    docker = await requireDocker();
    cluster = await startSlurmCluster();
    execFileSync('bash', [path.join(projectRoot, 'deploy/reducer/build-image.sh'), IMAGE], { stdio: 'ignore', timeout: 600000 });
    const db = await createTestDatabase();
    dbs.push(db);
    night = await ingestedNight(db.pool);
    plan = createPlan({ frames: night.frames, request: { fields: [{ night: night.night, cfgFile: night.fields[0] }] }, presets: readPipelinePresets(), pipeline: testPipeline });
  }, 600000);
  const temps: string[] = [];
  afterAll(async () => {
    await cluster?.stop();
    for (const d of dbs) await d.drop();
    for (const d of [night?.root, ...temps]) if (d) rmSync(d, { recursive: true, force: true });
  });

  const temp = (prefix: string) => {
    const d = mkdtempSync(path.join(os.tmpdir(), prefix));
    temps.push(d);
    return d;
  };

  async function reduce(runner: (db: TestDatabase) => StepRunner): Promise<{ jobId: string; products: Map<string, string> }> {
    const db = await createTestDatabase();
    dbs.push(db);
    const engine = testEngine(db.pool, db.url, {
      runner: runner(db), dataDir: temp('drsoda-e2e-'), archiveRoot: night.root,
      concurrency: 2, stepTimeoutS: 300, leaseS: 30, retryBaseS: 2, tickMs: 5000, workerId: makeWorkerId(),
    });
    await engine.start();
    try {
      const jobId = await queuedJob(db.pool);
      await engine.submit(jobId, 'alice', plan);
      const job = await settled(db.pool, jobId, 400000);
      expect(job.error?.message ?? job.phase).toBe('COMPLETED');
      const products = new Map<string, string>();
      for (const s of await stepsOfJob(db.pool, jobId)) {
        for (const o of await stepOutputs(db.pool, s.id)) products.set(`${s.id}/${o.fileName}`, timeless(engine.products.file(s.id, o.fileName)));
      }
      return { jobId, products };
    } finally {
      await engine.stop();
    }
  }

  it('gives the sandbox executor\'s products, natively and in Docker, with every step a Slurm job under its name', async () => {
    const containers = await requireContainers();
    const sandbox = await reduce(() => createSandboxRunner({
      containers, image: IMAGE, limits: { cpus: 2, memoryBytes: 1 << 30, pids: 256, tmpfsBytes: 64 << 20 }, user: '10001:10001',
      baseDir: temp('drsoda-sbx-'), roots: [{ hostPath: night.root, containerPath: '/archive' }], workerId: makeWorkerId(), idleMs: 60000, prestart: false,
    }));
    expect(sandbox.products.size).toBe(plan.steps.reduce((a, s) => a + s.outputs.length, 0));
    // Natively: aaorun found on the node's PATH.
    const binDir = temp('drsoda-bin-');
    execFileSync('ln', ['-s', path.join(projectRoot, 'bin/aaorun.js'), path.join(binDir, 'aaorun')]);
    const path0 = process.env.PATH;
    process.env.PATH = `${binDir}:${path0}`; // the step job gets the submitter's PATH
    const native = await reduce((db) => testSlurmRunner(cluster, db.pool, { aaorun: ['aaorun'] })).finally(() => {
      process.env.PATH = path0;
    });
    const inDocker = await reduce((db) => testSlurmRunner(cluster, db.pool, { runtime: 'docker', aaorun: ['aaorun'], image: IMAGE }));
    for (const other of [native, inDocker]) {
      expect([...other.products.keys()].sort()).toEqual([...sandbox.products.keys()].sort());
      for (const [k, v] of sandbox.products) expect(other.products.get(k) === v ? k : `${k} differs`).toBe(k);
    }
    const names = (await slurmJobs(cluster)).filter((j) => j.state === 'COMPLETED').map((j) => j.name);
    for (const s of plan.steps) expect(names.filter((n) => n === `drsoda-${s.id}`).length).toBe(2);
    const left = await docker.listContainers({ all: true, filters: JSON.stringify({ label: [`${LABEL_PREFIX}.kind=slurm`] }) });
    expect(left).toEqual([]);
  }, 900000);
});
