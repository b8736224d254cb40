// Slurm executor benchmarks on a real single-node cluster (test/support/slurm.ts, started and stopped here), beside
// the warm-sandbox executor in the same run, for both submission modes (SLURM_SUBMIT=step: one sbatch per ready
// step; dag: waiting steps handed over with afterok): per-step overhead (a trivial 1-step job, a 6-step chain, real
// aaorun steps of a small simulated night) and the makespan of the 18-step reduction DAG against its ideal.
// `npx tsx bench/slurm.ts [--quick]` runs it alone; bench/run.ts runs it as `slurm`.
import { execFile } from 'node:child_process';
import { chmodSync, mkdtempSync as mkdtemp0, rmSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import Docker from 'dockerode';
import { ingestArchive } from '../src/archive/ingest.js';
import { readPipelinePresets } from '../src/cli/plan.js';
import type { Plan } from '../src/domain/plan.js';
import { createContainerClient } from '../src/executor/container-client.js';
import { createSandboxRunner } from '../src/executor/sandbox/sandbox-runner.js';
import type { StepRunner } from '../src/executor/types.js';
import { createLogger } from '../src/logger.js';
import { createPlan } from '../src/planner/plan.js';
import { makeWorkerId, type Engine } from '../src/scheduler/engine.js';
import { ProductStore } from '../src/scheduler/product-store.js';
import { simulateNight } from '../src/simulate/index.js';
import { listFrames } from '../src/store/frame-store.js';
import { getJob } from '../src/store/job-store.js';
import { fakeAaorun, fakeArchive, queuedJob, testEngine } from '../test/support/engine.js';
import { fakePlan, testPipeline, type FakeStepSpec } from '../test/support/fake-plan.js';
import { ensureFakeAaorunImage } from '../test/support/images.js';
import { startSlurmCluster, type SlurmCluster } from '../test/support/slurm.js';
import { testSlurmRunner } from '../test/support/slurm-runner.js';
import { markdownTable, ms, summarize, type Bench, type Row } from './lib.js';
import { idealMakespan, reductionDag } from './orchestration.js';
import { REDUCER_IMAGE, renamedPlan } from './real-steps.js';
import { benchServer, terminalPhase, type BenchDb, type BenchServer } from './support.js';

const run = promisify(execFile);
const cores = os.cpus().length;
const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const STEP_TIMEOUT_S = 300;
type Mode = 'slurm step' | 'slurm dag' | 'sandbox';
const MODES: Mode[] = ['slurm step', 'slurm dag', 'sandbox'];

// Every folder made here is removed at the end, also when the bench runs alone (bench/run.ts removes its TMPDIR too).
const temps: string[] = [];
const mkdtempSync = (prefix: string) => {
  const d = mkdtemp0(prefix);
  temps.push(d);
  return d;
};

let salt = 0;
async function timePlan(db: BenchDb, engine: Engine, plan: Plan): Promise<number> {
  const jobId = await queuedJob(db.pool, 'bench');
  const done = terminalPhase(db.listener, jobId, 900000);
  await db.listener.ready();
  const t0 = performance.now();
  await engine.submit(jobId, 'bench', plan);
  const phase = await done;
  if (phase !== 'COMPLETED') throw new Error(`benchmark job ended ${phase}: ${(await getJob(db.pool, jobId))?.error?.message}`);
  return ms(t0);
}
const timeJob = (db: BenchDb, engine: Engine, specs: FakeStepSpec[]) => timePlan(db, engine, fakePlan(specs, `bench-slurm-${process.pid}-${++salt}-${Date.now()}`));

/** One engine per mode, each on its own database and product store; the Slurm ones share the cluster. */
async function enginesFor(o: { server: BenchServer; cluster: SlurmCluster; archive: string; aaorun: string[]; sandbox: () => StepRunner }) {
  const out = new Map<Mode, { db: BenchDb; engine: Engine }>();
  for (const mode of MODES) {
    const db = await o.server.database();
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'drsoda-bench-data-'));
    const products = new ProductStore(path.join(dataDir, 'products'));
    const runner = mode === 'sandbox'
      ? o.sandbox()
      : testSlurmRunner(o.cluster, db.pool, {
        aaorun: o.aaorun,
        dag: mode === 'slurm dag' ? { archiveRoot: o.archive, productFile: (id, f) => products.file(id, f), stepTimeoutS: STEP_TIMEOUT_S } : undefined,
      });
    // A Slurm worker only waits on its steps (docs/slurm.md suggests WORKER_CONCURRENCY=32): Slurm decides how many
    // run. The sandbox runs them here, two per core.
    const engine = testEngine(db.pool, db.url, {
      runner, products, dataDir, archiveRoot: o.archive, workerId: makeWorkerId(), concurrency: mode === 'sandbox' ? cores * 2 : 32,
      stepTimeoutS: STEP_TIMEOUT_S, leaseS: 30, retryBaseS: 2, tickMs: 5000,
    });
    await engine.start();
    out.set(mode, { db, engine });
  }
  return out;
}

/** The real planner's blue-arm reduction of one object frame of a small simulated night (bench/real-steps.ts). */
async function realPlan(db: BenchDb, root: string): Promise<Plan> {
  const night = '2026-03-14';
  await simulateNight({ outDir: root, night, fields: 1, objects: 1, size: 'small', seed: 7, biases: 2, darks: 0, lflats: 0 });
  await ingestArchive({ pool: db.pool, root, authority: 'bench.drsoda', log: createLogger('silent') });
  const { frames } = await listFrames(db.pool, { night: [night] }, { limit: 10000, offset: 0 });
  const object = frames.find((f) => f.ndfClass === 'MFOBJECT' && f.arm === 'blue')!;
  return createPlan({ frames, request: { frameIds: [object.id], fields: [] }, options: { arms: 'blue', splice: false }, presets: readPipelinePresets(), pipeline: testPipeline });
}

const stopAll = async (es: Map<Mode, { engine: Engine }> | undefined) => {
  for (const e of es?.values() ?? []) await e.engine.stop().catch(() => {});
};

export const slurm: Bench = async (ctx) => {
  const rows: Row[] = [];
  const docker = new Docker();
  const fakeImage = await ensureFakeAaorunImage(docker);
  if (!(await docker.getImage(REDUCER_IMAGE).inspect().then(() => true, () => false))) {
    ctx.log(`building ${REDUCER_IMAGE}`);
    await run('bash', [path.join(projectRoot, 'deploy/reducer/build-image.sh'), REDUCER_IMAGE], { timeout: 900000 });
  }
  const containers = createContainerClient({ log: createLogger('silent') });
  const sandboxRunner = (image: string, roots: { hostPath: string; containerPath: string }[]) => () => createSandboxRunner({
    containers, image, limits: { cpus: cores, memoryBytes: 1 << 30, pids: 256, tmpfsBytes: 64 << 20 }, user: '10001:10001',
    baseDir: mkdtempSync(path.join(os.tmpdir(), 'drsoda-bench-sbx-')), roots, workerId: makeWorkerId(), idleMs: 60000, prestart: true,
  });
  const cluster = await startSlurmCluster();
  const server = await benchServer();
  // Native steps find the reference reducer as `aaorun` on the PATH the job inherits, as a site's 2dFdr would be.
  const binDir = mkdtempSync(path.join(os.tmpdir(), 'drsoda-bench-bin-'));
  symlinkSync(path.join(projectRoot, 'bin/aaorun.js'), path.join(binDir, 'aaorun'));
  const path0 = process.env.PATH;
  process.env.PATH = `${binDir}:${path0}`;
  let fake: Map<Mode, { db: BenchDb; engine: Engine }> | undefined;
  let real: Map<Mode, { db: BenchDb; engine: Engine }> | undefined;
  // Full runs: medians of 3 with min and max. Quick (the CI smoke run, on a time budget): one round of each.
  const reps = ctx.quick ? 1 : 3;
  try {
    const archive = fakeArchive([]);
    temps.push(archive);
    fake = await enginesFor({ server, cluster, archive, aaorun: ['sh', fakeAaorun], sandbox: sandboxRunner(fakeImage, []) });
    const trivial: FakeStepSpec[] = [{ name: 'trivial' }];
    const chain: FakeStepSpec[] = Array.from({ length: 6 }, (_, i) => ({ name: `c${i}`, ...(i ? { after: [`c${i - 1}`] } : {}) }));
    for (const m of MODES) await timeJob(fake.get(m)!.db, fake.get(m)!.engine, trivial); // warm-up
    const one = new Map<Mode, number[]>(MODES.map((m) => [m, []]));
    const perChained = new Map<Mode, number[]>(MODES.map((m) => [m, []]));
    const local: number[] = [];
    const oneReps = ctx.quick ? 3 : 15;
    ctx.log(`slurm: trivial 1-step job, ${oneReps} alternating rounds; 6-step chain, ${reps} rounds`);
    for (let i = 0; i < oneReps; i++) {
      for (const m of MODES) {
        one.get(m)!.push(await timeJob(fake.get(m)!.db, fake.get(m)!.engine, trivial));
        await new Promise((r) => setTimeout(r, 400)); // the sandbox pool's spare finishes starting
      }
      const t0 = performance.now();
      await run('sh', [fakeAaorun, 'reduce_object', '-OUTPUT_FILE', path.join(os.tmpdir(), `bench-slurm-local-${process.pid}.fits`)]);
      local.push(ms(t0));
    }
    for (let i = 0; i < reps; i++) for (const m of MODES) perChained.get(m)!.push((await timeJob(fake.get(m)!.db, fake.get(m)!.engine, chain)) / chain.length);
    const cmd = summarize(local).median;
    for (const m of MODES) {
      rows.push({ group: 'slurm', metric: `${m}: trivial 1-step job, submit to COMPLETED`, unit: 'ms', value: summarize(one.get(m)!), note: `the command alone: ${cmd.toFixed(1)} ms` });
    }
    for (const m of MODES) {
      rows.push({ group: 'slurm', metric: `${m}: 6-step chain of trivial steps, submit to COMPLETED per step`, unit: 'ms', value: summarize(perChained.get(m)!) });
    }
    for (const m of ['slurm step', 'slurm dag'] as const) {
      rows.push({ group: 'slurm', metric: `per-step overhead in a chain, ${m} - sandbox`, unit: 'ms', value: summarize(perChained.get(m)!.map((t, i) => t - perChained.get('sandbox')![i])) });
    }
    const stepS = 0.2;
    const dag = reductionDag(stepS);
    const ideal = idealMakespan(dag, () => stepS, cores);
    const spans = new Map<Mode, number[]>(MODES.map((m) => [m, []]));
    ctx.log(`slurm: 18-step DAG, ${reps} rounds per mode`);
    for (let i = 0; i < reps; i++) for (const m of MODES) spans.get(m)!.push((await timeJob(fake.get(m)!.db, fake.get(m)!.engine, dag)) / 1000);
    for (const m of MODES) {
      rows.push({ group: 'slurm', metric: `${m}: 18-step DAG of ${stepS} s steps, makespan`, unit: 's', value: summarize(spans.get(m)!), note: `ideal ${ideal.toFixed(2)} s on ${cores} cores` });
      rows.push({ group: 'slurm', metric: `${m}: 18-step DAG makespan / ideal`, unit: 'x', value: summarize(spans.get(m)!.map((s) => s / ideal)) });
    }
    await stopAll(fake);
    fake = undefined;

    // Real aaorun steps: natively through Slurm (bin/aaorun.js on the node's PATH), in the reference image in the sandbox.
    const root = mkdtempSync(path.join(os.tmpdir(), 'drsoda-bench-slurm-night-'));
    chmodSync(root, 0o755);
    real = await enginesFor({ server, cluster, archive: root, aaorun: ['aaorun'], sandbox: sandboxRunner(REDUCER_IMAGE, [{ hostPath: root, containerPath: '/archive' }]) });
    const plan = await realPlan(real.get('slurm step')!.db, root);
    const took = new Map<Mode, number[]>(MODES.map((m) => [m, []]));
    for (let i = 0; i < reps; i++) {
      ctx.log(`slurm: real aaorun steps, repeat ${i + 1}`);
      for (const m of MODES) took.get(m)!.push((await timePlan(real.get(m)!.db, real.get(m)!.engine, renamedPlan(plan, `slurm-${m}-${i}-${Date.now()}`))) / 1000);
    }
    const what = `blue-arm reduction of one object frame, ${plan.steps.length} real aaorun steps`;
    for (const m of MODES) rows.push({ group: 'slurm', metric: `${m}: ${what}, submit to COMPLETED`, unit: 's', value: summarize(took.get(m)!), note: m === 'sandbox' ? REDUCER_IMAGE : 'native bin/aaorun.js' });
    for (const m of ['slurm step', 'slurm dag'] as const) {
      rows.push({ group: 'slurm', metric: `real aaorun: per-step overhead, ${m} - sandbox`, unit: 'ms', value: summarize(took.get(m)!.map((t, i) => ((t - took.get('sandbox')![i]) * 1000) / plan.steps.length)) });
    }
    rows.push({ group: 'slurm', metric: 'real aaorun: slurm dag / slurm step', unit: 'x', value: summarize(took.get('slurm dag')!.map((t, i) => t / took.get('slurm step')![i])) });
  } finally {
    process.env.PATH = path0;
    await stopAll(fake);
    await stopAll(real);
    await server.close();
    await cluster.stop();
    for (const d of temps.splice(0)) rmSync(d, { recursive: true, force: true, maxRetries: 3 });
  }
  return rows;
};

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const quick = process.argv.includes('--quick');
  const rows = await slurm({ quick, log: (m) => process.stdout.write(`  ${m}\n`) });
  process.stdout.write(`${markdownTable(rows)}\n`);
}
