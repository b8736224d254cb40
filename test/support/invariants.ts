// The invariants every fault test ends with: what must hold however the service was hurt (docs/reliability.md).
// Jobs are in one legal phase consistent with their steps, results of COMPLETED jobs download, done steps have
// their outputs in the product store, and no container, work dir, sandbox dir or half-created job is left over.
// Cleanup is asynchronous (sandboxes end after their job, leases expire), so the check repeats until it holds
// or `settleMs` has passed, and then reports what still does not hold.
import { pidAlive } from '../../src/process-alive.js';
import { readdir, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type Docker from 'dockerode';
import { LABEL_PREFIX } from '../../src/executor/container-spec.js';
import { ProductStore } from '../../src/scheduler/product-store.js';
import type { Pool } from '../../src/store/db.js';
import { getJob } from '../../src/store/job-store.js';
import { stepOutputs } from '../../src/store/step-store.js';
import type { Job } from '../../src/domain/job.js';

export interface InvariantOptions {
  pool: Pool;
  /** The service's DATA_DIR (work, sandboxes, products and uws folders live under it). */
  dataDir: string;
  /** Results of jobs of this kind are downloaded through the service; others are checked on disk. */
  http?: { jobsUrl: string; kind: string; headers?: Record<string, string> };
  /** With a daemon, drsoda containers of this test's jobs and worker processes are checked. */
  docker?: Docker;
  /** Pids of this test's worker/serve processes (their containers are in scope even without a job label). */
  workerPids?: number[];
  /** Jobs still QUEUED/EXECUTING are violations unless allowed (the fault tests expect everything to end). */
  allowActive?: boolean;
  /** Re-check for up to this long while violations remain (default 15 s). */
  settleMs?: number;
}

const terminal = new Set(['COMPLETED', 'ERROR', 'ABORTED', 'ARCHIVED']);
const active = new Set(['QUEUED', 'EXECUTING']);


/** Worker ids are host:pid:random; the pid when the worker ran on this host. */
const localPid = (workerId: string | null | undefined): number | null => {
  const [host, pid] = (workerId ?? '').split(':');
  return host === os.hostname() ? Number(pid) : null;
};

/** The phase's own fields: start/end times, error and results exactly as UWS 1.1 section 2.1.3 implies. */
function phaseFieldViolations(j: Job): string[] {
  const v: string[] = [];
  const say = (m: string) => v.push(`job ${j.id} (${j.phase}): ${m}`);
  if (terminal.has(j.phase) && !j.endTime) say('ended without an endTime');
  if (!terminal.has(j.phase) && j.endTime) say('has an endTime but is not final');
  if (j.phase === 'EXECUTING' && !j.startTime) say('executing without a startTime');
  if (j.phase === 'ERROR' && !j.error?.message) say('in ERROR without an error message');
  if (j.phase !== 'ERROR' && j.error) say(`carries an error (${j.error.message}) but is not in ERROR`);
  if (j.phase !== 'COMPLETED' && j.results.length) say('has results but is not COMPLETED');
  return v;
}

async function resultViolations(o: InvariantOptions, j: Job): Promise<string[]> {
  const v: string[] = [];
  for (const r of j.results) {
    const what = `job ${j.id} result ${r.id}`;
    if (r.href !== null || (o.http && o.http.kind === j.kind)) {
      const url = r.href ?? `${o.http!.jobsUrl}/${encodeURIComponent(j.id)}/results/${encodeURIComponent(r.id)}`;
      const res = await fetch(url, { headers: o.http?.headers, signal: AbortSignal.timeout(10000) }).catch((e: Error) => e);
      if (res instanceof Error) v.push(`${what}: GET ${url} failed: ${res.message}`);
      else {
        const body = Buffer.from(await res.arrayBuffer());
        if (res.status !== 200) v.push(`${what}: GET ${url} answered ${res.status}`);
        else if (r.size !== null && body.length !== r.size) v.push(`${what}: downloaded ${body.length} bytes, recorded ${r.size}`);
      }
      continue;
    }
    const st = await stat(path.join(o.dataDir, 'uws', j.id, r.path!)).catch(() => null);
    if (!st?.isFile()) v.push(`${what}: file ${r.path} is missing`);
    else if (r.size !== null && st.size !== r.size) v.push(`${what}: file has ${st.size} bytes, recorded ${r.size}`);
  }
  return v;
}

async function jobViolations(o: InvariantOptions): Promise<{ v: string[]; jobs: Map<string, string> }> {
  const v: string[] = [];
  const { rows } = await o.pool.query<{ id: string; phase: string; states: Record<string, number> | null }>(
    `select j.id, j.phase,
            (select json_object_agg(state, n) from (select s.state, count(*)::int as n from job_step js join step s on s.id = js.step_id
                                                     where js.job_id = j.id group by s.state) c) as states
       from uws_job j order by j.creation_time`,
  );
  const jobs = new Map(rows.map((r) => [r.id, r.phase]));
  for (const r of rows) {
    const job = await getJob(o.pool, r.id);
    if (!job) continue; // deleted meanwhile
    v.push(...phaseFieldViolations(job));
    const states = r.states ?? {};
    const steps = Object.values(states).reduce((a, b) => a + b, 0);
    const unfinished = (states.waiting ?? 0) + (states.ready ?? 0) + (states.running ?? 0);
    if (active.has(job.phase) && !o.allowActive) v.push(`job ${job.id} is still ${job.phase}`);
    if (active.has(job.phase) && steps > 0 && unfinished === 0) v.push(`job ${job.id} is ${job.phase} but none of its ${steps} steps is unfinished`);
    if (job.phase === 'COMPLETED' && steps > 0 && states.done !== steps) v.push(`job ${job.id} is COMPLETED with steps ${JSON.stringify(states)}`);
    if (job.phase === 'COMPLETED') v.push(...(await resultViolations(o, job)));
    for (const p of job.parameters.filter((x) => x.byReference)) {
      if (!(await stat(path.join(o.dataDir, 'uws', job.id, 'params', p.value)).catch(() => null))) v.push(`job ${job.id}: upload ${p.value} is missing (half-created job)`);
    }
  }
  // A step nobody live needs must not keep running or waiting (cancelStepsOfJob's promise).
  const { rows: stranded } = await o.pool.query<{ id: string; state: string }>(
    `select s.id, s.state from step s where s.state in ('waiting', 'ready', 'running')
        and not exists (select 1 from job_step js join uws_job j on j.id = js.job_id
                         where js.step_id = s.id and j.phase in ('PENDING', 'QUEUED', 'EXECUTING'))`,
  );
  for (const s of stranded) v.push(`step ${s.id} is ${s.state} but no live job needs it`);
  // A QUEUED job's hand-over held by a dead process must be taken over by a live one (src/uws/handover.ts).
  const { rows: handovers } = await o.pool.query<{ id: string; handover_owner: string }>(
    `select id, handover_owner from uws_job where phase = 'QUEUED' and handover_expires is not null`,
  );
  for (const h of handovers) {
    const pid = localPid(h.handover_owner);
    if (pid !== null && !pidAlive(pid)) v.push(`job ${h.id} is QUEUED in the hand-over of dead process ${h.handover_owner}`);
  }
  return { v, jobs };
}

async function stepViolations(o: InvariantOptions): Promise<string[]> {
  const v: string[] = [];
  const products = new ProductStore(path.join(o.dataDir, 'products'));
  const { rows } = await o.pool.query<{ id: string; state: string; lease_owner: string | null }>(`select id, state, lease_owner from step where state in ('done', 'running')`);
  for (const s of rows) {
    if (s.state === 'done') {
      const outputs = await stepOutputs(o.pool, s.id);
      if (!outputs.length) v.push(`step ${s.id} is done without recorded outputs`);
      else if (!(await products.verify(s.id, outputs))) v.push(`step ${s.id} is done but its outputs are not in the product store`);
    } else {
      const pid = localPid(s.lease_owner);
      if (pid !== null && !pidAlive(pid)) v.push(`step ${s.id} is running under dead worker ${s.lease_owner}`);
    }
  }
  return v;
}

const entries = (dir: string) => readdir(dir).catch(() => [] as string[]);

async function fileViolations(o: InvariantOptions, jobs: Map<string, string>): Promise<string[]> {
  const v: string[] = [];
  const { rows } = await o.pool.query<{ id: string; lease_owner: string }>(`select id, lease_owner from step where state = 'running'`);
  const running = new Map(rows.map((r) => [r.id, localPid(r.lease_owner)]));
  // Work dirs are <stepId>-<attempt>-<pid>-<rand> (run-step.ts): only a running step's live worker may have one.
  for (const name of await entries(path.join(o.dataDir, 'work'))) {
    const [stepId, , pid] = name.split('-');
    if (!(running.has(stepId) && running.get(stepId) === Number(pid) && pidAlive(Number(pid)))) v.push(`orphan work dir ${name}`);
  }
  for (const name of await entries(path.join(o.dataDir, 'sandboxes'))) {
    if (!pidAlive(Number(name.split('-')[0]))) v.push(`orphan sandbox dir ${name}`);
  }
  for (const name of await entries(path.join(o.dataDir, 'products', '.staging'))) {
    if (!running.has(name.split('-')[0])) v.push(`orphan product staging dir ${name}`);
  }
  for (const id of await entries(path.join(o.dataDir, 'uws'))) {
    // uws/.creating-<host>-<pid>-<job>: a creation in progress (uws/job-files.ts), left over when its process died.
    const creating = /^\.creating-.+-(\d+)-/.exec(id);
    if (creating) {
      if (!pidAlive(Number(creating[1]))) v.push(`creation marker uws/${id} of a dead process`);
      continue;
    }
    if (!jobs.has(id)) v.push(`job dir uws/${id} without a job (half-created or half-deleted)`);
    for (const f of await entries(path.join(o.dataDir, 'uws', id, 'params'))) if (f.endsWith('.tmp')) v.push(`staged upload uws/${id}/params/${f} left behind`);
  }
  return v;
}

async function containerViolations(o: InvariantOptions, jobs: Map<string, string>): Promise<string[]> {
  if (!o.docker) return [];
  const v: string[] = [];
  const pids = new Set(o.workerPids ?? []);
  const list = await o.docker.listContainers({ all: true, filters: JSON.stringify({ label: [`${LABEL_PREFIX}.managed=true`] }) });
  const { rows } = await o.pool.query<{ id: string }>(`select id from step where state = 'running'`);
  const running = new Set(rows.map((r) => r.id));
  for (const c of list) {
    const l = c.Labels;
    const job = l[`${LABEL_PREFIX}.job`];
    const step = l[`${LABEL_PREFIX}.step`];
    const pid = localPid(l[`${LABEL_PREFIX}.worker`]);
    const ours = (job !== undefined && jobs.has(job)) || (pid !== null && pids.has(pid));
    if (!ours) continue;
    const name = `container ${c.Id.slice(0, 12)} (${c.State}, job ${job ?? '-'}, step ${step ?? '-'})`;
    if (pid !== null && !pidAlive(pid)) v.push(`${name} of dead worker pid ${pid}`);
    else if (job !== undefined && !active.has(jobs.get(job) ?? 'DELETED')) v.push(`${name} outlived its job (${jobs.get(job) ?? 'deleted'})`);
    else if (l[`${LABEL_PREFIX}.kind`] !== 'sandbox' && step !== undefined && !running.has(step)) v.push(`${name} outlived its step`);
  }
  return v;
}

/** Every violation found, after waiting up to settleMs for asynchronous cleanup; [] when all invariants hold. */
export async function checkInvariants(o: InvariantOptions): Promise<string[]> {
  const deadline = Date.now() + (o.settleMs ?? 15000);
  for (;;) {
    const { v, jobs } = await jobViolations(o);
    v.push(...(await stepViolations(o)), ...(await fileViolations(o, jobs)), ...(await containerViolations(o, jobs)));
    if (!v.length || Date.now() > deadline) return v;
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Jest helper: fails listing every invariant that does not hold. */
export async function expectInvariants(o: InvariantOptions): Promise<void> {
  const v = await checkInvariants(o);
  if (v.length) throw new Error(`invariants violated:\n  ${v.join('\n  ')}`);
}
