// One UWS job list (one runner kind): what the REST binding does to jobs, with owner checks first,
// validation next, and a single compare-and-set write last, so a rejected request changes nothing.
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import type { Clock } from '../clock.js';
import type { UwsSettings } from '../config.js';
import { ServiceError, notFound, usageError } from '../errors.js';
import type { Pool } from '../store/db.js';
import { listJobs } from '../store/job-list-store.js';
import { isJobReader, readsSharedJobs } from '../store/job-reader-store.js';
import { createJobInserter } from '../store/job-inserts.js';
import { deleteJob, getJob, getJobPhase, markAborted, markQueued, replaceParameters, setDestruction, setExecutionDuration, setJobInfo } from '../store/job-store.js';
import { loadJobPlan } from '../store/step-store.js';
import { createJobInfoChecker } from '../vo/uws-xml.js';
import type { Plan } from '../domain/plan.js';
import type { Executions } from './executions.js';
import type { Handover } from './handover.js';
import { checkUploadName, jobDir, realJobFile, removeJobDir, stageUploads, uploadPath } from './job-files.js';
import type { PhaseWaiters } from './phase-waiters.js';
import { createRunTimeEstimate, quoteFrom } from './quote.js';
import { activePhases, waitablePhases, type Caller, type Job, type JobParameter, type JobRef, type Phase } from '../domain/job.js';
import type { JobDescription, JobRunner } from './types.js';
import { encodeCursor } from './uws-values.js';
import { waitForChange } from './wait.js';

export interface Upload {
  name: string;
  data: Buffer;
}

export interface JobRequest {
  /** Job parameters in request order, control parameters (PHASE, ...) already removed. */
  parameters: JobParameter[];
  runId?: string;
  uploads?: Upload[];
}

export interface CreateRequest extends JobRequest {
  executionDuration?: number;
  destruction?: Date;
  /** PHASE=RUN on the creating POST (UWS 1.1 section 2.2.3.1). */
  run?: boolean;
}

export interface ListRequest {
  phases?: Phase[];
  after?: Date;
  last?: number;
  before?: { creationTime: Date; id: string };
}

export interface ListPage {
  jobs: JobRef[];
  /** Keyset cursor of the next page, when there may be one. */
  next?: string;
  /** LAST still to deliver on the next page. */
  nextLast?: number;
}

export interface JobListDeps {
  pool: Pool;
  clock: Clock;
  uws: UwsSettings;
  /** DATA_DIR: uploads are staged in the job's dir under it. */
  dataDir: string;
  runner: JobRunner;
  waiters: PhaseWaiters;
  executions: Executions;
  /** Queued jobs are started through it, so another process takes them over if this one dies first. */
  handover: Handover;
  /** Largest job list page (keyset paging extension). */
  pageSize: number;
}

const maxParameters = 1000;
const validId = /^[A-Za-z0-9_-]{1,64}$/;
const illegal = (message: string) => new ServiceError('IllegalState', message);

export type JobList = ReturnType<typeof createJobList>;

export function createJobList(d: JobListDeps) {
  const { runner, uws, dataDir } = d;
  const kind = runner.kind;
  const inserter = createJobInserter(d.pool);

  /**
   * The job if the caller may read it: its owner, an admin, or a reader it is shared with (uws_job_reader, e.g.
   * the programme's users of an auto job); others' jobs are as absent as deleted ones (404).
   */
  async function readable(caller: Caller, id: string): Promise<Job> {
    const job = validId.test(id) ? await getJob(d.pool, id, kind) : null;
    if (job && (await mayRead(caller, id, job.ownerId))) return job;
    throw notFound(`no job ${id}`);
  }

  async function mayRead(caller: Caller, id: string, ownerId: string | null): Promise<boolean> {
    return caller.admin || ownerId === caller.userId || isJobReader(d.pool, id, caller.userId);
  }

  /** The job if the caller may change it (owner or admin); a reader may not (403). */
  async function visible(caller: Caller, id: string): Promise<Job> {
    const job = await readable(caller, id);
    if (caller.admin || job.ownerId === caller.userId) return job;
    throw new ServiceError('AuthorizationError', `job ${id} belongs to ${job.ownerId ?? 'the anonymous owner'}; it is shared with you to read, not to change`);
  }

  function clampDuration(s: number): number {
    const max = uws.maxExecutionDurationS;
    return max > 0 && (s === 0 || s > max) ? max : s;
  }

  function clampDestruction(creation: Date, requested: Date): Date {
    const latest = creation.getTime() + uws.maxDestructionS * 1000;
    return new Date(Math.min(requested.getTime(), latest));
  }

  function checkRequest(r: JobRequest): JobParameter[] {
    if (r.runId !== undefined && r.runId.length > 64) throw usageError('RUNID must be at most 64 characters');
    for (const u of r.uploads ?? []) checkUploadName(u.name);
    const params = [...r.parameters, ...(r.uploads ?? []).map((u) => ({ name: u.name.toUpperCase(), value: u.name, byReference: true }))];
    if (params.length > maxParameters) throw usageError(`at most ${maxParameters} parameters per job`);
    return params;
  }

  const estimate = createRunTimeEstimate(d.pool, runner, () => d.clock.now().getTime());
  async function quote(params: readonly JobParameter[], durationS: number): Promise<Date | null> {
    return quoteFrom(d.clock.now(), await estimate(params), durationS);
  }

  /** The runner's jobInfo and plan for these parameters (none without a describe hook); checked before storing. */
  const checkJobInfo = createJobInfoChecker();
  async function describe(id: string, params: readonly JobParameter[]): Promise<JobDescription> {
    const desc = (await runner.describe?.(params, { id })) ?? { jobInfo: null };
    if (desc.jobInfo !== null) checkJobInfo(desc.jobInfo, id);
    return desc;
  }

  /** After a lost compare-and-set: 404 if the job went away, else 403 naming the phase it is in. */
  async function lost(caller: Caller, id: string, what: string): Promise<never> {
    const now = await visible(caller, id);
    throw illegal(`cannot ${what} a job in phase ${now.phase}`);
  }

  return {
    kind,

    async create(caller: Caller, r: CreateRequest): Promise<Job> {
      const params = checkRequest(r);
      runner.authorize?.(caller, params);
      runner.validate(params);
      const id = randomBytes(16).toString('base64url');
      const { jobInfo, plan } = await describe(id, params);
      const now = d.clock.now();
      const duration = clampDuration(r.executionDuration ?? uws.defaultExecutionDurationS);
      const destruction = clampDestruction(now, r.destruction ?? new Date(now.getTime() + uws.defaultDestructionS * 1000));
      const staged = await stageUploads(dataDir, id, r.uploads ?? []);
      let job: Job;
      try {
        const q = await quote(params, duration);
        job = await inserter.insert({ id, kind, ownerId: caller.userId, runId: r.runId ?? null, phase: r.run ? 'QUEUED' : 'PENDING', quote: q, creationTime: now, executionDuration: duration, destruction, parameters: params, jobInfo, plan, handover: d.handover.lease });
      } catch (err) {
        await removeJobDir(dataDir, id);
        throw err;
      }
      await staged.commit();
      if (r.run) d.handover.start(job, runner);
      return job;
    },

    get: readable,

    /** The phase and job version alone, read-checked as get() is, without reading the rest of the job. */
    async phase(caller: Caller, id: string): Promise<{ phase: Phase; version: string; ownerId: string | null }> {
      const row = validId.test(id) ? await getJobPhase(d.pool, id, kind) : null;
      if (row && (await mayRead(caller, id, row.ownerId))) return { phase: row.phase, version: row.version, ownerId: row.ownerId };
      throw notFound(`no job ${id}`);
    },

    async list(caller: Caller, q: ListRequest): Promise<ListPage> {
      const limit = Math.min(q.last ?? Infinity, d.pageSize);
      // One row more than asked tells whether a next page exists.
      const withShared = !caller.admin && (await readsSharedJobs(d.pool, caller.userId));
      const rows = await listJobs(d.pool, { kind, ownerId: caller.admin ? undefined : caller.userId, withShared, phases: q.phases, after: q.after, before: q.before, limit: limit + 1 });
      const jobs = rows.slice(0, limit);
      const more = rows.length > limit && (q.last === undefined || q.last > limit);
      if (!more) return { jobs };
      return { jobs, next: encodeCursor(jobs[jobs.length - 1]), nextLast: q.last === undefined ? undefined : q.last - limit };
    },

    /** UWS 1.1 section 2.2.1.1 blocking poll; seconds is already capped by the caller. */
    async wait(caller: Caller, id: string, o: { seconds: number; phase?: Phase; signal: AbortSignal }): Promise<Job> {
      const job = await readable(caller, id);
      if (!(waitablePhases as readonly Phase[]).includes(job.phase) || (o.phase && o.phase !== job.phase) || o.seconds <= 0) return job;
      await waitForChange({ waiters: d.waiters, jobId: id, seconds: o.seconds, signal: o.signal, changed: async () => (await getJob(d.pool, id))?.phase !== job.phase });
      return readable(caller, id);
    },

    async run(caller: Caller, id: string): Promise<void> {
      const job = await visible(caller, id);
      // RUN on a job already on its way is harmless and idempotent; on a finished one it is illegal.
      if (job.phase === 'QUEUED' || job.phase === 'EXECUTING') return;
      if (job.phase !== 'PENDING' && job.phase !== 'HELD') throw illegal(`cannot run a job in phase ${job.phase}`);
      const queued = await markQueued(d.pool, id, await quote(job.parameters, job.executionDuration), d.handover.lease);
      if (!queued) {
        const now = await visible(caller, id);
        if (now.phase === 'QUEUED' || now.phase === 'EXECUTING') return;
        return lost(caller, id, 'run');
      }
      d.handover.start(queued, runner);
    },

    async abort(caller: Caller, id: string): Promise<void> {
      const job = await visible(caller, id);
      if (job.phase === 'ABORTED') return;
      const done = (activePhases as readonly Phase[]).includes(job.phase) && (await markAborted(d.pool, id, d.clock.now(), activePhases));
      if (!done) {
        if ((await visible(caller, id)).phase === 'ABORTED') return;
        return lost(caller, id, 'abort');
      }
      d.executions.abortLocal(id, 'ABORTED');
      await runner.abort({ id, kind });
    },

    async suspend(caller: Caller, id: string): Promise<void> {
      const job = await visible(caller, id);
      throw illegal(`jobs of kind ${kind} cannot be suspended (phase ${job.phase})`);
    },

    async delete(caller: Caller, id: string): Promise<void> {
      const job = await visible(caller, id);
      if (!(await deleteJob(d.pool, id))) throw notFound(`no job ${id}`);
      d.executions.abortLocal(id, 'DELETED');
      if ((activePhases as readonly Phase[]).includes(job.phase)) await runner.abort({ id, kind });
      await removeJobDir(dataDir, id);
    },

    async setExecutionDuration(caller: Caller, id: string, seconds: number): Promise<void> {
      const job = await visible(caller, id);
      if (job.phase !== 'PENDING') throw illegal(`executionDuration can change only while PENDING (phase ${job.phase})`);
      const s = clampDuration(seconds);
      if (!(await setExecutionDuration(d.pool, id, s, await quote(job.parameters, s)))) return lost(caller, id, 'change the executionDuration of');
    },

    async setDestruction(caller: Caller, id: string, when: Date): Promise<void> {
      const job = await visible(caller, id);
      if (!(await setDestruction(d.pool, id, clampDestruction(job.creationTime, when)))) throw notFound(`no job ${id}`);
    },

    /** POST /parameters: replaces the named parameters, only while PENDING (UWS 1.1 section 2.2.3.2). */
    async updateParameters(caller: Caller, id: string, r: JobRequest): Promise<void> {
      const job = await visible(caller, id);
      if (job.phase !== 'PENDING') throw illegal(`parameters can change only while PENDING (phase ${job.phase})`);
      const incoming = checkRequest(r);
      const names = new Set(incoming.map((p) => p.name));
      const merged = [...job.parameters.filter((p) => !names.has(p.name)), ...incoming];
      if (merged.length > maxParameters) throw usageError(`at most ${maxParameters} parameters per job`);
      runner.authorize?.(caller, merged);
      runner.validate(merged);
      const described = await describe(id, merged);
      const staged = await stageUploads(dataDir, id, r.uploads ?? []);
      const ok = await replaceParameters(d.pool, id, incoming, await quote(merged, job.executionDuration), r.runId).catch(async (err) => {
        await staged.discard();
        throw err;
      });
      if (!ok) {
        await staged.discard();
        return lost(caller, id, 'change the parameters of');
      }
      await staged.commit();
      if (runner.describe) await setJobInfo(d.pool, id, described.jobInfo, described.plan ?? null);
    },

    /** The plan the job's jobInfo summarises ({job}/plan); 404 when the job has none. */
    async plan(caller: Caller, id: string): Promise<Plan> {
      const job = await readable(caller, id);
      const plan = await loadJobPlan(d.pool, job.id);
      if (!plan) throw notFound(`job ${id} has no plan`);
      return plan;
    },

    /** Where GET /results/{rid} finds the result: a file in the job directory or another URL. */
    async result(caller: Caller, id: string, resultId: string): Promise<{ file: string; mimeType: string } | { href: string }> {
      const job = await readable(caller, id);
      const r = job.results.find((x) => x.id === resultId);
      if (!r) throw notFound(`job ${id} has no result ${resultId}`);
      if (r.href !== null) return { href: r.href };
      const file = await realJobFile(dataDir, id, r.path!);
      if (!file) throw notFound(`result ${resultId} is no longer available`);
      return { file, mimeType: r.mimeType ?? 'application/octet-stream' };
    },

    /** The file of an inline upload (a byReference parameter). */
    async upload(caller: Caller, id: string, name: string): Promise<string> {
      const job = await readable(caller, id);
      if (!job.parameters.some((p) => p.byReference && p.value === name)) throw notFound(`job ${id} has no uploaded parameter ${name}`);
      const file = await realJobFile(dataDir, id, path.relative(jobDir(dataDir, id), uploadPath(dataDir, id, name)));
      if (!file) throw notFound(`upload ${name} is no longer available`);
      return file;
    },
  };
}
