// Slurm executor benchmarks on a real single-node cluster (test/support/slurm.ts), beside the warm-sandbox
// executor in the same run: per-step overhead (a trivial 1-step job, submit to COMPLETED) and the makespan of
// the 18-step reduction DAG against its ideal. `npx tsx bench/slurm.ts [--quick]` runs it alone; it exports a
// Bench for bench/run.ts as well.
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import Docker from 'dockerode';
import { createContainerClient } from '../src/executor/container-client.js';
import { createSandboxRunner } from '../src/executor/sandbox/sandbox-runner.js';
import type { StepRunner } from '../src/executor/types.js';
import { createLogger } from '../src/logger.js';
import { makeWorkerId, type Engine } from '../src/scheduler/engine.js';
import { getJob } from '../src/store/job-store.js';
import { fakeAaorun, fakeArchive, queuedJob, testEngine } from '../test/support/engine.js';
import { fakePlan, type FakeStepSpec } from '../test/support/fake-plan.js';
import { ensureFakeAaorunImage } from '../test/support/images.js';
import { idealMakespan, reductionDag } from './orchestration.js';
import { startSlurmCluster } from '../test/support/slurm.js';
import { testSlurmRunner } from '../test/support/slurm-runner.js';
import { markdownTable, ms, summarize, type Bench, type Row } from './lib.js';
import { benchServer, terminalPhase, type BenchDb } from './support.js';

const run = promisify(execFile);
const cores = os.cpus().length;

function engineWith(db: BenchDb, runner: StepRunner, archive: string): Engine {
  return testEngine(db.pool, db.url, {
    runner, archiveRoot: archive, workerId: makeWorkerId(), concurrency: cores * 2, stepTimeoutS: 120, leaseS: 30, retryBaseS: 2, tickMs: 5000,
    dataDir: mkdtempSync(path.join(os.tmpdir(), 'drsoda-bench-data-')),
  });
}

let salt = 0;
async function timeJob(db: BenchDb, engine: Engine, specs: FakeStepSpec[]): Promise<number> {
  const jobId = await queuedJob(db.pool, 'bench');
  const done = terminalPhase(db.listener, jobId, 120000);
  await db.listener.ready();
  const t0 = performance.now();
  await engine.submit(jobId, 'bench', fakePlan(specs, `bench-slurm-${process.pid}-${++salt}-${Date.now()}`));
  const phase = await done;
  if (phase !== 'COMPLETED') throw new Error(`benchmark job ended ${phase}: ${(await getJob(db.pool, jobId))?.error?.message}`);
  return ms(t0);
}

export const slurm: Bench = async (ctx) => {
  const rows: Row[] = [];
  const image = await ensureFakeAaorunImage(new Docker());
  const containers = createContainerClient({ log: createLogger('silent') });
  const cluster = await startSlurmCluster();
  const server = await benchServer();
  const sdb = await server.database();
  const xdb = await server.database();
  const archive = fakeArchive([]);
  const viaSlurm = engineWith(sdb, testSlurmRunner(cluster, sdb.pool, { aaorun: ['sh', fakeAaorun] }), archive);
  const sandbox = engineWith(xdb, createSandboxRunner({
    containers, image, limits: { cpus: cores, memoryBytes: 512 << 20, pids: 256, tmpfsBytes: 64 << 20 }, user: '10001:10001',
    baseDir: mkdtempSync(path.join(os.tmpdir(), 'drsoda-bench-sbx-')), roots: [], workerId: makeWorkerId(), idleMs: 60000, prestart: true,
  }), archive);
  try {
    await viaSlurm.start();
    await sandbox.start();
    const trivial: FakeStepSpec[] = [{ name: 'trivial' }];
    await timeJob(sdb, viaSlurm, trivial);
    await timeJob(xdb, sandbox, trivial);
    const reps = ctx.quick ? 5 : 15;
    const perSlurm: number[] = [];
    const perSandbox: number[] = [];
    const local: number[] = [];
    ctx.log(`slurm per-step: ${reps} alternating rounds`);
    for (let i = 0; i < reps; i++) {
      perSlurm.push(await timeJob(sdb, viaSlurm, trivial));
      await new Promise((r) => setTimeout(r, 400)); // the pool's spare sandbox finishes starting
      perSandbox.push(await timeJob(xdb, sandbox, trivial));
      const t0 = performance.now();
      await run('sh', [fakeAaorun, 'reduce_object', '-OUTPUT_FILE', path.join(os.tmpdir(), `bench-slurm-local-${process.pid}.fits`)]);
      local.push(ms(t0));
    }
    const cmd = summarize(local).median;
    rows.push(
      { group: 'slurm', metric: 'slurm (native): trivial 1-step job, submit to COMPLETED', unit: 'ms', value: summarize(perSlurm), note: `the command alone: ${cmd.toFixed(1)} ms` },
      { group: 'slurm', metric: 'sandbox, same run: trivial 1-step job, submit to COMPLETED', unit: 'ms', value: summarize(perSandbox) },
      { group: 'slurm', metric: 'per-step overhead, slurm - sandbox', unit: 'ms', value: summarize(perSlurm.map((t, i) => t - perSandbox[i])) },
    );
    const stepS = 0.2;
    const dag = reductionDag(stepS);
    const ideal = idealMakespan(dag, () => stepS, cores);
    for (const [name, eng, edb] of [['slurm (native)', viaSlurm, sdb], ['sandbox', sandbox, xdb]] as const) {
      const spans: number[] = [];
      for (let i = 0; i < (ctx.quick ? 1 : 3); i++) spans.push((await timeJob(edb, eng, dag)) / 1000);
      rows.push({ group: 'slurm', metric: `${name}: 18-step DAG of ${stepS} s steps, makespan`, unit: 's', value: summarize(spans), note: `ideal ${ideal.toFixed(2)} s on ${cores} cores` });
      rows.push({ group: 'slurm', metric: `${name}: 18-step DAG makespan / ideal`, unit: 'x', value: summarize(spans.map((s) => s / ideal)) });
    }
  } finally {
    await sandbox.stop();
    await viaSlurm.stop();
    await server.close();
    await cluster.stop();
  }
  return rows;
};

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const quick = process.argv.includes('--quick');
  const rows = await slurm({ quick, log: (m) => process.stdout.write(`  ${m}\n`) });
  process.stdout.write(`${markdownTable(rows)}\n`);
}
