// Orchestration benchmarks against the real daemon and PostgreSQL: per-step overhead of container-per-step
// and warm-sandbox execution beside a bare run of the same image and command through the same Docker Engine API
// and the same hardened host configuration as drsoda's containers (alternating), the cold start of a sandbox,
// throughput of independent trivial steps, the makespan of an 18-step DAG against its ideal, and real `aaorun`
// steps (the reference reducer image on a small simulated night) in both modes.
import { execFile } from 'node:child_process';
import { chmodSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { PassThrough } from 'node:stream';
import Docker from 'dockerode';
import { createContainerClient } from '../src/executor/container-client.js';
import { containerLabels, createOptions, type ContainerLimits } from '../src/executor/container-spec.js';
import { createDockerRunner } from '../src/executor/docker-runner.js';
import { createSandboxRunner } from '../src/executor/sandbox/sandbox-runner.js';
import type { StepRunner } from '../src/executor/types.js';
import type { Plan } from '../src/domain/plan.js';
import { createLogger } from '../src/logger.js';
import { makeWorkerId, type Engine } from '../src/scheduler/engine.js';
import { getJob } from '../src/store/job-store.js';
import { fakeAaorun, fakeArchive, queuedJob, testEngine } from '../test/support/engine.js';
import { fakePlan, type FakeStepSpec } from '../test/support/fake-plan.js';
import { ensureFakeAaorunImage } from '../test/support/images.js';
import { ms, summarize, type Bench, type Row } from './lib.js';
import { realSteps } from './real-steps.js';
import { benchServer, terminalPhase, type BenchDb } from './support.js';

/**
 * The bare baseline: the same image and command as the trivial step, created with createOptions (the hardened
 * host configuration every drsoda container gets: no network, no capabilities, read-only root, tmpfs, limits, a
 * bind-mounted work dir) through the Engine API over the same socket, attached, started, waited for, removed:
 * what `docker run` does, without the CLI's own process start and without drsoda's bookkeeping.
 */
async function bareApiRun(docker: Docker, image: string, user: string, limits: ContainerLimits, workDir: string): Promise<number> {
  const t0 = performance.now();
  const c = await docker.createContainer(createOptions({
    image, entrypoint: ['aaorun'], cmd: ['reduce_object', '-OUTPUT_FILE', '/work/x.fits'], workingDir: '/work', user,
    env: { HOME: '/work', TMPDIR: '/tmp' }, labels: containerLabels({ kind: 'bench' }), binds: [`${workDir}:/work:rw`], limits,
  }));
  try {
    const stream = await c.attach({ stream: true, stdout: true, stderr: true });
    c.modem.demuxStream(stream, new PassThrough().resume(), new PassThrough().resume());
    const exited = c.wait();
    await c.start();
    const { StatusCode } = (await exited) as { StatusCode: number };
    if (StatusCode !== 0) throw new Error(`bare run exited ${StatusCode}`);
    return ms(t0);
  } finally {
    await c.remove({ force: true }).catch(() => {});
  }
}

const run = promisify(execFile);
const cores = os.cpus().length;
const limits = { cpus: 1, memoryBytes: 512 << 20, pids: 256, tmpfsBytes: 64 << 20 };
const user = '10001:10001';

// The engine alone (no job manager, no SODA), wired as the tests wire it (test/support/engine.ts), with the
// engine's own lease, retry and tick defaults rather than the tests' short ones.
function engineWith(db: BenchDb, runner: StepRunner, archive: string, workerId: string): Engine {
  return testEngine(db.pool, db.url, {
    runner, archiveRoot: archive, workerId, concurrency: cores, stepTimeoutS: 120, leaseS: 30, retryBaseS: 2, tickMs: 5000,
    dataDir: mkdtempSync(path.join(os.tmpdir(), 'drsoda-bench-data-')),
  });
}

let salt = 0;
/** Runs a fresh (never cached) plan as one job and returns its wall time from submit to COMPLETED. */
async function timeJob(db: BenchDb, engine: Engine, specs: FakeStepSpec[]): Promise<number> {
  return timePlan(db, engine, fakePlan(specs, `bench-${process.pid}-${++salt}-${Date.now()}`));
}

async function timePlan(db: BenchDb, engine: Engine, plan: Plan, timeoutMs = 120000): Promise<number> {
  const jobId = await queuedJob(db.pool, 'bench');
  const done = terminalPhase(db.listener, jobId, timeoutMs);
  await db.listener.ready();
  const t0 = performance.now();
  await engine.submit(jobId, 'bench', plan);
  const phase = await done.catch(async (e) => {
    const { rows } = await db.pool.query(`select s.label, s.state, s.attempts, s.lease_owner, s.error_message from job_step js join step s on s.id = js.step_id where js.job_id = $1 order by js.position`, [jobId]);
    const job = await getJob(db.pool, jobId);
    throw new Error(`${(e as Error).message}; job ${job?.phase}; steps ${JSON.stringify(rows)}`);
  });
  if (phase !== 'COMPLETED') {
    const job = await getJob(db.pool, jobId);
    throw new Error(`benchmark job ended ${phase}: ${job?.error?.message}`);
  }
  return ms(t0);
}

const trivial: FakeStepSpec[] = [{ name: 'trivial' }];
const chain = (n: number): FakeStepSpec[] => Array.from({ length: n }, (_, i) => ({ name: `s${i}`, after: i ? [`s${i - 1}`] : [] }));
const independent = (n: number): FakeStepSpec[] => Array.from({ length: n }, (_, i) => ({ name: `p${i}` }));

/** Per arm: bias -> tlm -> arc -> fflat -> 4 objects -> combine (9 steps), both arms: 18 steps. */
export function reductionDag(stepS: number): FakeStepSpec[] {
  const out: FakeStepSpec[] = [];
  for (const arm of ['b', 'r']) {
    out.push({ name: `${arm}bias`, sleepS: stepS });
    out.push({ name: `${arm}tlm`, after: [`${arm}bias`], sleepS: stepS });
    out.push({ name: `${arm}arc`, after: [`${arm}tlm`], sleepS: stepS });
    out.push({ name: `${arm}fflat`, after: [`${arm}arc`], sleepS: stepS });
    for (let k = 0; k < 4; k++) out.push({ name: `${arm}obj${k}`, after: [`${arm}fflat`], sleepS: stepS });
    out.push({ name: `${arm}comb`, after: [0, 1, 2, 3].map((k) => `${arm}obj${k}`), sleepS: stepS });
  }
  return out;
}

/** Lower bound of the makespan on `cores` machines: the longer of the critical path and work / cores. */
export function idealMakespan(specs: FakeStepSpec[], stepS: (s: FakeStepSpec) => number, machines: number): number {
  const finish = new Map<string, number>();
  let work = 0;
  for (const s of specs) {
    const start = Math.max(0, ...(s.after ?? []).map((a) => finish.get(a)!));
    finish.set(s.name, start + stepS(s));
    work += stepS(s);
  }
  return Math.max(Math.max(...finish.values()), work / machines);
}

export const orchestration: Bench = async (ctx) => {
  const rows: Row[] = [];
  const docker = new Docker();
  const image = await ensureFakeAaorunImage(docker);
  const containers = createContainerClient({ log: createLogger('silent') });
  const server = await benchServer();
  // Each engine gets its own database: two workers on one database would claim each other's steps.
  const cdb = await server.database();
  const db = await server.database();
  const archive = fakeArchive([]);
  const workerId = makeWorkerId();
  const container = engineWith(cdb, createDockerRunner({ containers, image, limits, user }), archive, workerId);
  const sandboxRunner = createSandboxRunner({
    containers, image, limits: { ...limits, cpus: cores }, user, baseDir: mkdtempSync(path.join(os.tmpdir(), 'drsoda-bench-sbx-')),
    roots: [], workerId, idleMs: 60000, prestart: true,
  });
  const sandbox = engineWith(db, sandboxRunner, archive, workerId);
  try {
    await container.start();
    await sandbox.start();
    const reps = ctx.quick ? 5 : 21;
    const bare: number[] = [];
    const perContainer: number[] = [];
    const perSandboxFirst: number[] = [];
    const local: number[] = [];
    const bareDir = mkdtempSync(path.join(os.tmpdir(), 'drsoda-bench-bare-'));
    chmodSync(bareDir, 0o777);
    await bareApiRun(docker, image, user, limits, bareDir); // warm caches
    await timeJob(cdb, container, trivial);
    await timeJob(db, sandbox, trivial);
    ctx.log(`per-step: ${reps} alternating rounds`);
    for (let i = 0; i < reps; i++) {
      bare.push(await bareApiRun(docker, image, user, limits, bareDir));
      perContainer.push(await timeJob(cdb, container, trivial));
      await new Promise((r) => setTimeout(r, 400)); // let the pool's spare sandbox finish starting
      perSandboxFirst.push(await timeJob(db, sandbox, trivial));
      const t0 = performance.now();
      await run('sh', [fakeAaorun, 'reduce_object', '-OUTPUT_FILE', path.join(os.tmpdir(), `bench-local-${process.pid}.fits`)]);
      local.push(ms(t0));
    }
    const bareS = summarize(bare);
    const chainN = ctx.quick ? 10 : 40;
    const chainTimes: number[] = [];
    for (let i = 0; i < (ctx.quick ? 3 : 7); i++) chainTimes.push((await timeJob(db, sandbox, chain(chainN))) / chainN);
    const chainC: number[] = [];
    for (let i = 0; i < (ctx.quick ? 1 : 3); i++) chainC.push((await timeJob(cdb, container, chain(ctx.quick ? 5 : 10))) / (ctx.quick ? 5 : 10));
    const overheadContainer = perContainer.map((t, i) => t - bare[i]);
    const cmdS = summarize(local).median;
    rows.push(
      { group: 'orchestration', metric: 'bare run of the trivial step (Engine API, same host configuration: create, attach, start, wait, remove)', unit: 'ms', value: bareS },
      { group: 'orchestration', metric: 'container per step: trivial 1-step job, submit to COMPLETED', unit: 'ms', value: summarize(perContainer) },
      { group: 'orchestration', metric: 'container per step: overhead over bare docker run, ratio', unit: '', value: summarize(overheadContainer.map((o, i) => o / bare[i])), target: '< 0.15' },
      { group: 'orchestration', metric: 'sandbox: trivial 1-step job, submit to COMPLETED', unit: 'ms', value: summarize(perSandboxFirst), note: 'new job, pre-started sandbox' },
      // Per-step wall time in a dependency chain, command included: an upper bound of the per-step overhead
      // (the command's own time inside a sandbox cannot be measured apart from it).
      { group: 'orchestration', metric: `sandbox: per step in a chain of ${chainN} (upper bound of the overhead)`, unit: 'ms', value: summarize(chainTimes), target: '< 60', note: `the command alone, run on the host: ${cmdS.toFixed(1)} ms` },
      { group: 'orchestration', metric: 'container per step: per step in a chain', unit: 'ms', value: summarize(chainC) },
      { group: 'orchestration', metric: 'per-step time, container per step / sandbox (chains)', unit: 'x', value: summarize(chainTimes.map((t) => summarize(chainC).median / t)), target: '>= 10' },
    );
    const nIndep = ctx.quick ? 50 : 200;
    const thr: number[] = [];
    for (let i = 0; i < (ctx.quick ? 1 : 3); i++) thr.push(nIndep / ((await timeJob(db, sandbox, independent(nIndep))) / 1000));
    rows.push({ group: 'orchestration', metric: `sandbox: ${nIndep} independent trivial steps, concurrency ${cores}`, unit: 'steps/s', value: summarize(thr), target: '>= 50' });
    const thrC: number[] = [];
    const nC = ctx.quick ? 10 : 40;
    thrC.push(nC / ((await timeJob(cdb, container, independent(nC))) / 1000));
    rows.push({ group: 'orchestration', metric: `container per step: ${nC} independent trivial steps`, unit: 'steps/s', value: summarize(thrC) });
    const dag = reductionDag(0.2);
    // The step's real duration (sleep 0.2 in the fake aaorun, process start included), measured locally.
    const stepT0 = performance.now();
    await run('sh', [fakeAaorun, 'reduce_object', '-SLEEP', '0.2', '-OUTPUT_FILE', path.join(os.tmpdir(), `bench-local-${process.pid}.fits`)]);
    const stepS = ms(stepT0) / 1000;
    const ideal = idealMakespan(dag, () => stepS, cores);
    for (const [name, eng, edb] of [['sandbox', sandbox, db], ['container per step', container, cdb]] as const) {
      const spans: number[] = [];
      for (let i = 0; i < (ctx.quick ? 1 : 5); i++) spans.push((await timeJob(edb, eng, dag)) / 1000);
      rows.push({ group: 'orchestration', metric: `${name}: 18-step DAG of 0.2 s steps, makespan`, unit: 's', value: summarize(spans), note: `ideal ${ideal.toFixed(2)} s on ${cores} cores` });
      rows.push({ group: 'orchestration', metric: `${name}: 18-step DAG makespan / ideal`, unit: 'x', value: summarize(spans.map((s) => s / ideal)), target: name === 'sandbox' ? '<= 1.25' : undefined });
    }
    // A sandbox's cold start: a new job when no sandbox was started ahead (SANDBOX_PRESTART=false).
    const coldDb = await server.database();
    const cold = engineWith(coldDb, createSandboxRunner({
      containers, image, limits: { ...limits, cpus: cores }, user, baseDir: mkdtempSync(path.join(os.tmpdir(), 'drsoda-bench-cold-')),
      roots: [], workerId, idleMs: 60000, prestart: false,
    }), archive, workerId);
    await cold.start();
    const colds: number[] = [];
    try {
      for (let i = 0; i < 3; i++) colds.push(await timeJob(coldDb, cold, trivial));
    } finally {
      await cold.stop();
    }
    rows.push({ group: 'orchestration', metric: 'sandbox cold start: trivial 1-step job, no sandbox started ahead, submit to COMPLETED', unit: 'ms', value: summarize(colds), note: `pre-started: ${summarize(perSandboxFirst).median.toFixed(0)} ms` });
    rows.push(...(await realSteps(ctx, { docker, containers, server, user, cores, engineWith, time: (d, e, p) => timePlan(d, e, p, 600000) })));
  } finally {
    await sandbox.stop();
    await container.stop();
    await server.close();
  }
  return rows;
};
