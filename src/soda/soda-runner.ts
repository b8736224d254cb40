// The SODA job kinds: `soda` behind /soda/async (the UWS job list) and `soda-sync`, the hidden jobs that carry
// /soda/sync reductions. Both plan from the job parameters, hand the plan to the execution engine and let the
// engine drive the phases; the SODA publisher (publisher.ts) turns finished plans into results.
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '../logger.js';
import type { PipelinePresets } from '../planner/presets.js';
import type { Engine } from '../scheduler/engine.js';
import type { Pool } from '../store/db.js';
import type { JobParameter } from '../domain/job.js';
import { shutdownReason } from '../uws/executions.js';
import type { JobDescription, JobRunner } from '../uws/types.js';
import { summarisePlan } from '../planner/summary.js';
import { planSummaryXmlElement } from '../vo/plan-xml.js';
import { xmlAttr, xmlText } from '../vo/votable.js';
import { planSoda, type SodaPlan } from './plan-request.js';
import type { CachedPlan, PlanCache } from './plan-cache.js';
import { writeCuts } from './publisher.js';
import { parseSodaRequest, SODA_ASYNC_KIND, SODA_SYNC_KIND, type SodaMode, type SodaRequest } from './request.js';
import { missedRegions } from './result-names.js';

export { SODA_ASYNC_KIND, SODA_SYNC_KIND };


export interface SodaRunnerDeps {
  pool: Pool;
  engine: Pick<Engine, 'submit' | 'cancel' | 'products' | 'pipeline'>;
  authority: string;
  presets: PipelinePresets;
  /** The archive IDs are resolved in (frames indexed under another root are not this service's). */
  archiveRoot: string;
  /** Absolute URL of the /soda/async job list: jobInfo links each job's plan ({jobsUrl}/{id}/plan). */
  jobsUrl: string;
  log: Logger;
  /** Plans reused per distinct request and archive version (the composition root shares one between the kinds). */
  planCache?: PlanCache;
}

const sodaNamespace = 'urn:drsoda:soda';

/** Upload parameters (byReference) are not SODA parameters; the parser sees the rest. */
const sodaParams = (params: readonly JobParameter[]) => params.filter((p) => !p.byReference);

/**
 * jobInfo: what each ID selects, then a summary of the plan linking the full plan at planHref (ivoa-notes 3.6: any
 * XML, in our own namespaces). A summary, not the plan: clients poll the job document, and a plan of one frame
 * already holds tens of kilobytes of steps, calibrations and idx files. An ID that selects nothing says
 * noData="true" with the reason; an ID x region combination with no fibre in the region is a `soda:noOverlap`
 * child naming the filter. Both are known before anything runs and give text/plain results.
 */
export function sodaJobInfo(s: SodaPlan, req: SodaRequest, planHref: string | null): string {
  const ids = s.ids.map((r) => {
    if (r.noData) return `  <soda:id value="${xmlAttr(r.id)}" noData="true">${xmlText(r.noData)}</soda:id>`;
    const missed = missedRegions(req, r, s.plan, s.regions);
    if (!missed.length) return `  <soda:id value="${xmlAttr(r.id)}"/>`;
    const rows = missed.map((m) => `    <soda:noOverlap param="${m.filter.param}" value="${xmlAttr(m.filter.value)}">${xmlText(m.message)}</soda:noOverlap>`);
    return `  <soda:id value="${xmlAttr(r.id)}">\n${rows.join('\n')}\n  </soda:id>`;
  });
  const request = `<soda:request xmlns:soda="${sodaNamespace}">\n${ids.join('\n')}\n</soda:request>`;
  return s.plan ? `${request}\n${planSummaryXmlElement(summarisePlan(s.plan), planHref)}` : request;
}

export function createSodaRunner(d: SodaRunnerDeps, kind: typeof SODA_ASYNC_KIND | typeof SODA_SYNC_KIND): JobRunner {
  const mode: SodaMode = kind === SODA_SYNC_KIND ? 'sync' : 'async';
  const planHref = (jobId: string) => `${d.jobsUrl}/${encodeURIComponent(jobId)}/plan`;
  const plan = async (params: readonly JobParameter[], o: { fresh?: boolean } = {}): Promise<CachedPlan> => {
    const req = parseSodaRequest(sodaParams(params), mode);
    const build = () => planSoda({ db: d.pool, authority: d.authority, presets: d.presets, archiveRoot: d.archiveRoot, pipeline: d.engine.pipeline }, req);
    if (d.planCache) return o.fresh ? d.planCache.refresh(req, build) : d.planCache.get(req, build);
    const s = await build();
    return { plan: s, jobInfo: (href) => sodaJobInfo(s, req, href) };
  };
  /** What a SODA job says of itself: the jobInfo and the plan it summarises. */
  const description = (p: CachedPlan, jobId: string): JobDescription => ({ jobInfo: p.jobInfo(mode === 'async' ? planHref(jobId) : null), plan: p.plan.plan ?? null });

  return {
    kind,
    validate(params) {
      parseSodaRequest(sodaParams(params), mode);
    },
    // Sync jobs are never seen PENDING (the sync service already planned): only async jobs show their plan.
    ...(mode === 'async' ? { describe: async (params: readonly JobParameter[], job: { id: string }) => description(await plan(params), job.id) } : {}),
    async start(job, ctx) {
      // Planned again at start, never from the cache: the archive may have changed since the job was created
      // (the jobInfo follows), and a change made by this very process (the watcher's ingest just before its auto
      // job) may not have come back on the LISTEN connection yet. The fresh plan replaces the cached one.
      let planned: CachedPlan;
      try {
        planned = await plan(job.parameters, { fresh: true });
      } catch (err) {
        const e = err as { label?: string; message: string };
        await ctx.fail({ type: 'fatal', message: `${e.label ?? 'Error'}: ${e.message}` });
        return;
      }
      // An abort (or delete) may arrive while planning or submitting: submit nothing then, and cancel what a
      // submit racing with the abort attached (the abort's own cancel may have run before the steps existed).
      const s: SodaPlan = planned.plan;
      const described = description(planned, job.id);
      if (ctx.signal.aborted || !(await ctx.setJobInfo(described.jobInfo!, described.plan))) return;
      if (s.plan) {
        await d.engine.submit(job.id, job.ownerId ?? '', s.plan);
        // A shutdown is not an abort: the job stays QUEUED and another process takes it over (uws/handover.ts).
        if (ctx.signal.aborted && ctx.signal.reason !== shutdownReason) await d.engine.cancel(job.id);
        return;
      }
      // Nothing to reduce (TIME or the regions excluded every frame): the answer is the "no data" results alone.
      if (!(await ctx.markExecuting())) return;
      const dir = path.join(ctx.workDir, 'results');
      await mkdir(dir, { recursive: true });
      const noData = new Map(s.ids.filter((r) => r.noData).map((r) => [r.id, r.noData!]));
      const results = mode === 'async' ? await writeCuts({ products: d.engine.products, authority: d.authority }, sodaParams(job.parameters), null, noData, s.regions, dir, 'results') : [];
      await ctx.complete(results);
    },
    async abort(job) {
      const n = await d.engine.cancel(job.id);
      d.log.info({ jobId: job.id, cancelledSteps: n }, 'soda job aborted');
    },
  };
}
