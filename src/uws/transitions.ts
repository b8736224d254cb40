// The phase changes a runner (or a separate worker process) drives, all compare-and-set in SQL. They need
// only a pool, a clock and DATA_DIR, so an execution engine outside the API process uses them as they are;
// the uws_job trigger then wakes WAITers in every API process.
import type { Clock } from '../clock.js';
import type { Pool } from '../store/db.js';
import { markCompleted, markError, markExecuting, setJobInfo, setProgress, type StoredResult } from '../store/job-store.js';
import { checkXmlFragment } from '../vo/uws-xml.js';
import { resolveResultFile } from './job-files.js';
import type { JobPhaseChanges, ResultInput } from '../domain/job.js';
import type { Plan } from '../domain/plan.js';

/** The phase changes the engine drives (JobPhaseChanges), and the jobInfo a runner sets. */
export interface JobTransitions extends JobPhaseChanges {
  /** Replaces the jobInfo content (and the plan, when given); throws when xml is not a well-formed fragment. */
  setJobInfo(jobId: string, xml: string, plan?: Plan | null): Promise<boolean>;
}

export interface TransitionDeps {
  pool: Pool;
  clock: Clock;
  dataDir: string;
}

const resultIdPattern = /^[A-Za-z0-9_.:-]{1,128}$/;

async function toStoredResults(dataDir: string, jobId: string, results: ResultInput[]): Promise<StoredResult[]> {
  const seen = new Set<string>();
  const out: StoredResult[] = [];
  for (const r of results) {
    // UWS 1.1 section 2.2.2.4: result ids are unique within the job; ours also form one URL path segment.
    if (!resultIdPattern.test(r.id)) throw new Error(`result id ${JSON.stringify(r.id)} must be 1-128 of [A-Za-z0-9_.:-]`);
    if (seen.has(r.id)) throw new Error(`duplicate result id ${r.id}`);
    seen.add(r.id);
    if ((r.file === undefined) === (r.href === undefined)) throw new Error(`result ${r.id} needs exactly one of file and href`);
    if (r.href !== undefined) {
      if (!/^https?:\/\//i.test(r.href)) throw new Error(`result ${r.id}: href must be an absolute http(s) URL`);
      out.push({ id: r.id, href: r.href, path: null, mimeType: r.mimeType ?? null, size: r.size ?? null });
    } else {
      const f = await resolveResultFile(dataDir, jobId, r.file!);
      out.push({ id: r.id, href: null, path: f.rel, mimeType: r.mimeType ?? 'application/octet-stream', size: r.size ?? f.size });
    }
  }
  return out;
}

export function createJobTransitions(d: TransitionDeps): JobTransitions {
  return {
    markExecuting: async (jobId) => !!(await markExecuting(d.pool, jobId, d.clock.now())),
    progress: async (jobId, p) => {
      if (p.fraction !== undefined && !(p.fraction >= 0 && p.fraction <= 1)) throw new Error(`progress fraction ${p.fraction} is not in [0, 1]`);
      return setProgress(d.pool, jobId, p.fraction ?? null, p.message ?? null, d.clock.now());
    },
    setJobInfo: async (jobId, xml, plan) => {
      checkXmlFragment(xml);
      return setJobInfo(d.pool, jobId, xml, plan);
    },
    complete: async (jobId, results) => !!(await markCompleted(d.pool, jobId, d.clock.now(), await toStoredResults(d.dataDir, jobId, results))),
    fail: async (jobId, e) => !!(await markError(d.pool, jobId, d.clock.now(), e, ['QUEUED', 'EXECUTING'])),
  };
}
