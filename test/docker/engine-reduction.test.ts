// End to end below HTTP: a small simulated night, planned, run by the engine through the reference reducer
// image in both Docker modes (warm sandbox and container per step) and as local processes; the products
// must be identical (the DATE card aside), and no container may be left behind.
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type Docker from 'dockerode';
import type { Plan } from '../../src/domain/plan.js';
import { LABEL_PREFIX } from '../../src/executor/container-spec.js';
import { createDockerRunner } from '../../src/executor/docker-runner.js';
import { createLocalRunner } from '../../src/executor/local-runner.js';
import { createSandboxRunner } from '../../src/executor/sandbox/sandbox-runner.js';
import type { StepRunner } from '../../src/executor/types.js';
import { createPlan } from '../../src/planner/plan.js';
import { readPipelinePresets } from '../../src/cli/plan.js';
import { makeWorkerId, type Engine } from '../../src/scheduler/engine.js';
import { stepOutputs, stepsOfJob } from '../../src/store/step-store.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { requireContainers, requireDocker } from '../support/docker.js';
import { queuedJob, settled, testEngine } from '../support/engine.js';
import { ingestedNight, timeless, type IngestedNight } from '../support/night.js';
import { projectRoot } from '../support/process.js';
import { testPipeline } from '../support/fake-plan.js';

const IMAGE = 'drsoda/aaorun:latest';
const limits = { cpus: 2, memoryBytes: 1 << 30, pids: 256, tmpfsBytes: 64 << 20 };

describe('a simulated night reduced by the engine in every execution mode', () => {
  let docker: Docker;
  let night: IngestedNight;
  let plan: Plan;
  const dbs: TestDatabase[] = [];

  beforeAll(async () => {
    docker = await requireDocker();
    execFileSync('bash', [path.join(projectRoot, 'deploy/reducer/build-image.sh'), IMAGE], { stdio: 'ignore', timeout: 600000 });
    const db = await createTestDatabase();
    dbs.push(db);
    night = await ingestedNight(db.pool);
    plan = createPlan({ pipeline: testPipeline, frames: night.frames, request: { fields: [{ night: night.night, cfgFile: night.fields[0] }] }, presets: readPipelinePresets() });
  }, 600000);
  afterAll(async () => {
    for (const d of dbs) await d.drop();
  });

  async function reduce(runner: StepRunner): Promise<{ engine: Engine; db: TestDatabase; jobId: string; products: Map<string, string> }> {
    const db = await createTestDatabase();
    dbs.push(db);
    const engine = testEngine(db.pool, db.url, {
      runner, dataDir: mkdtempSync(path.join(os.tmpdir(), 'drsoda-e2e-')), archiveRoot: night.root,
      concurrency: 2, stepTimeoutS: 300, leaseS: 30, retryBaseS: 2, tickMs: 5000, workerId: makeWorkerId(),
    });
    await engine.start();
    const jobId = await queuedJob(db.pool);
    await engine.submit(jobId, 'alice', plan);
    const job = await settled(db.pool, jobId, 300000);
    expect(job.error?.message ?? job.phase).toBe('COMPLETED');
    const products = new Map<string, string>();
    for (const s of await stepsOfJob(db.pool, jobId)) {
      for (const o of await stepOutputs(db.pool, s.id)) products.set(`${s.id}/${o.fileName}`, timeless(engine.products.file(s.id, o.fileName)));
    }
    return { engine, db, jobId, products };
  }

  it('gives identical products in sandbox, container-per-step and local modes, and leaves no container', async () => {
    const workerId = makeWorkerId();
    const sandbox = await reduce(createSandboxRunner({
      containers: await requireContainers(), image: IMAGE, limits, user: '10001:10001', baseDir: mkdtempSync(path.join(os.tmpdir(), 'drsoda-sbx-')),
      roots: [{ hostPath: night.root, containerPath: '/archive' }], workerId, idleMs: 60000, prestart: false,
    }));
    // Job completion released the job's sandbox.
    const left = await docker.listContainers({ all: true, filters: JSON.stringify({ label: [`${LABEL_PREFIX}.job=${sandbox.jobId}`] }) });
    expect(left).toEqual([]);
    const container = await reduce(createDockerRunner({ containers: await requireContainers(), image: IMAGE, limits, user: '10001:10001' }));
    const local = await reduce(createLocalRunner({ programs: { aaorun: [process.execPath, path.join(projectRoot, 'bin/aaorun.js')] } }));
    expect(sandbox.products.size).toBe(plan.steps.reduce((a, s) => a + s.outputs.length, 0));
    for (const other of [container, local]) {
      expect([...other.products.keys()].sort()).toEqual([...sandbox.products.keys()].sort());
      for (const [k, v] of sandbox.products) expect(other.products.get(k) === v ? k : `${k} differs`).toBe(k);
    }
    for (const r of [sandbox, container, local]) await r.engine.stop();
    const ours = await docker.listContainers({ all: true, filters: JSON.stringify({ label: [`${LABEL_PREFIX}.worker=${workerId}`] }) });
    expect(ours).toEqual([]);
  }, 600000);
});
