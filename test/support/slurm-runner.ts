// The Slurm executor as the service builds it, aimed at a test cluster: records in the test database, step
// folders in a temp folder, and the fake or the bundled aaorun natively, or an image in Docker; through the
// command-line clients, or through the cluster's slurmrestd with `rest: true`.
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createDagSubmitter } from '../../src/executor/slurm/dag-submit.js';
import { createSlurmRestClient } from '../../src/executor/slurm/rest-client.js';
import { createSlurmCli } from '../../src/executor/slurm/slurm-cli.js';
import type { SlurmRuntime } from '../../src/executor/slurm/job-script.js';
import { createSlurmRunner } from '../../src/executor/slurm/slurm-runner.js';
import { createLogger } from '../../src/logger.js';
import type { Pool } from '../../src/store/db.js';
import { slurmDagRecords } from '../../src/store/slurm-dag-store.js';
import { listSlurmJobs, slurmJobRecords } from '../../src/store/slurm-job-store.js';
import { fakeAaorun } from './engine.js';
import { fakeAaorunVersion } from './fake-plan.js';
import { spawnDrsoda, waitForLine } from './process.js';
import type { SlurmCluster } from './slurm.js';

/** SLURM_SUBMIT=dag: what the DAG hand-over needs besides the runner's own settings. */
export interface TestDagOptions {
  archiveRoot: string;
  productFile: (stepId: string, fileName: string) => string;
  stepTimeoutS: number;
}

export function testSlurmRunner(cluster: SlurmCluster, pool: Pool, o: { runtime?: SlurmRuntime; aaorun: string[]; image?: string; jobRoot?: string; dag?: TestDagOptions; rest?: boolean; partition?: string }) {
  const jobRoot = o.jobRoot ?? mkdtempSync(path.join(os.tmpdir(), 'drsoda-slurm-steps-'));
  const common = {
    cli: o.rest ? restClient(cluster) : createSlurmCli({ conf: cluster.conf }),
    jobRoot,
    runtime: o.runtime ?? 'native',
    aaorun: o.aaorun,
    image: o.image ?? 'none',
    user: '10001:10001',
    cpus: 1,
    memoryBytes: 512 * 2 ** 20,
    partition: o.partition ?? cluster.partition,
    log: createLogger('silent'),
  };
  const dag = o.dag ? createDagSubmitter({ ...common, records: slurmDagRecords(pool), ...o.dag }) : undefined;
  return createSlurmRunner({ ...common, records: slurmJobRecords(pool), pollMs: 500, dag });
}

/** The executor's slurmrestd client for a cluster started with { rest: true }. */
export function restClient(cluster: SlurmCluster) {
  if (!cluster.rest) throw new Error('this test cluster was started without slurmrestd (startSlurmCluster({ rest: true }))');
  return createSlurmRestClient({ url: cluster.rest.url, token: cluster.rest.token, user: cluster.rest.user, timeoutMs: 10000 });
}

/** Slurm's record of every job of this cluster: squeue -t all (kept MinJobAge) by name, with its state. */
export async function slurmJobs(cluster: SlurmCluster): Promise<{ id: string; name: string; state: string; comment: string }[]> {
  const text = await cluster.cmd('squeue', ['-h', '-t', 'all', '-o', '%i|%j|%T|%k']);
  return text.split('\n').filter(Boolean).map((l) => {
    const [id, name, state, comment] = l.split('|');
    return { id, name, state, comment };
  });
}

/** Polls until `ok` holds (tests wait for states, never sleep and assume). */
export async function eventually<T>(what: string, ms: number, probe: () => Promise<T>, ok: (v: T) => boolean): Promise<T> {
  const t0 = Date.now();
  let last: T = await probe();
  while (!ok(last)) {
    if (Date.now() - t0 > ms) throw new Error(`${what}: not so after ${ms} ms (last: ${JSON.stringify(last)})`);
    await new Promise((r) => setTimeout(r, 100));
    last = await probe();
  }
  return last;
}

/**
 * Waits until the cluster runs no job, the database records none and `jobRoot` holds no step folder (what every
 * run, failure or abort must leave); returns Slurm's record of the jobs that ran.
 */
export async function nothingLeft(cluster: SlurmCluster, pool: Pool, jobRoot: string, ms = 10000) {
  const jobs = await eventually('no Slurm job still active', 2 * ms, () => slurmJobs(cluster), (js) => js.every((j) => !/PENDING|RUNNING|COMPLETING/.test(j.state)));
  await eventually('no Slurm job recorded', ms, () => listSlurmJobs(pool), (rs) => rs.length === 0);
  await eventually('no step folder left', ms, async () => readdirSync(jobRoot).flatMap((d) => readdirSync(path.join(jobRoot, d))), (ds) => ds.length === 0);
  return jobs;
}

/**
 * `drsoda worker` processes with EXECUTOR=slurm running the fake aaorun natively on the cluster; `env` adds to
 * (or, with undefined, removes) the settings. start() resolves when the worker says it is ready.
 */
export function slurmWorkers(cluster: SlurmCluster, base: { databaseUrl: string; dataDir: string; archiveRoot: string }, env: Record<string, string | undefined> = {}) {
  const all: ChildProcess[] = [];
  const settings = {
    DATABASE_URL: base.databaseUrl, DATA_DIR: base.dataDir, ARCHIVE_ROOT: base.archiveRoot, EXECUTOR: 'slurm', SLURM_SUBMIT: 'step', SLURM_CONF: cluster.conf,
    SLURM_PARTITION: cluster.partition, SLURM_AAORUN: `sh ${fakeAaorun}`, PIPELINE_VERSION: fakeAaorunVersion, SLURM_POLL_MS: '300', STEP_LEASE_S: '2',
    WORKER_CONCURRENCY: '1', STEP_MEMORY_MB: '512', ...env,
  };
  return {
    all,
    async start() {
      const w = spawnDrsoda(['worker'], settings);
      all.push(w);
      await waitForLine(w, /drsoda worker ready/);
      return w;
    },
  };
}

/** Waits until step `stepId` runs in Slurm and the database records its Slurm job (what a killed worker leaves behind). */
export async function stepRunsInSlurm(cluster: SlurmCluster, pool: Pool, stepId: string) {
  await eventually('the step runs in Slurm', 60000, () => slurmJobs(cluster), (js) => js.some((j) => j.name === `drsoda-${stepId}` && j.state === 'RUNNING'));
  await eventually('its Slurm job is recorded', 10000, () => listSlurmJobs(pool), (rs) => rs.some((r) => r.stepId === stepId));
}
