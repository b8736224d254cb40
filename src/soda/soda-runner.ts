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
import type { JobRunner } from '../uws/types.js';
import { planXmlElement } from '../vo/plan-xml.js';
import { xmlAttr, xmlText } from '../vo/votable.js';
import { planSoda, type SodaPlan } from './plan-request.js';
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
  log: Logger;
}

const sodaNamespace = 'urn:drsoda:soda';

/** Upload parameters (byReference) are not SODA parameters; the parser sees the rest. */
const sodaParams = (params: readonly JobParameter[]) => params.filter((p) => !p.byReference);

/**
 * jobInfo: what each ID selects, then the plan (ivoa-notes 3.6: any XML, in our own namespaces). An ID that
 * selects nothing says noData="true" with the reason; an ID x region combination with no fibre in the region is a
 * `soda:noOverlap` child naming the filter. Both are known before anything runs and give text/plain results.
 */
export function sodaJobInfo(s: SodaPlan, req: SodaRequest): string {
  const ids = s.ids.map((r) => {
    if (r.noData) return `  <soda:id value="${xmlAttr(r.id)}" noData="true">${xmlText(r.noData)}</soda:id>`;
    const missed = missedRegions(req, r, s.plan, s.regions);
    if (!missed.length) return `  <soda:id value="${xmlAttr(r.id)}"/>`;
    const rows = missed.map((m) => `    <soda:noOverlap param="${m.filter.param}" value="${xmlAttr(m.filter.value)}">${xmlText(m.message)}</soda:noOverlap>`);
    return `  <soda:id value="${xmlAttr(r.id)}">\n${rows.join('\n')}\n  </soda:id>`;
  });
  const request = `<soda:request xmlns:soda="${sodaNamespace}">\n${ids.join('\n')}\n</soda:request>`;
  return s.plan ? `${request}\n${planXmlElement(s.plan)}` : request;
}

export function createSodaRunner(d: SodaRunnerDeps, kind: typeof SODA_ASYNC_KIND | typeof SODA_SYNC_KIND): JobRunner {
  const mode: SodaMode = kind === SODA_SYNC_KIND ? 'sync' : 'async';
  const plan = async (params: readonly JobParameter[]) => {
    const req = parseSodaRequest(sodaParams(params), mode);
    return { req, s: await planSoda({ db: d.pool, authority: d.authority, presets: d.presets, archiveRoot: d.archiveRoot, pipeline: d.engine.pipeline }, req) };
  };

  return {
    kind,
    validate(params) {
      parseSodaRequest(sodaParams(params), mode);
    },
    // Sync jobs are never seen PENDING (the sync service already planned): only async jobs show their plan.
    ...(mode === 'async'
      ? {
          describe: async (params: readonly JobParameter[]) => {
            const { req, s } = await plan(params);
            return sodaJobInfo(s, req);
          },
        }
      : {}),
    async start(job, ctx) {
      // Planned again at start: the archive may have changed since the job was created (the jobInfo follows).
      let s: SodaPlan;
      let req: SodaRequest;
      try {
        ({ s, req } = await plan(job.parameters));
      } catch (err) {
        const e = err as { label?: string; message: string };
        await ctx.fail({ type: 'fatal', message: `${e.label ?? 'Error'}: ${e.message}` });
        return;
      }
      // An abort (or delete) may arrive while planning or submitting: submit nothing then, and cancel what a
      // submit racing with the abort attached (the abort's own cancel may have run before the steps existed).
      if (ctx.signal.aborted || !(await ctx.setJobInfo(sodaJobInfo(s, req)))) return;
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
