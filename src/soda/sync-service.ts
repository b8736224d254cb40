// SODA {sync}: one ID, at most one region and one band, one answer. A cached product is cut at once; otherwise
// the reduction runs as a hidden `soda-sync` job and the request waits up to SODA_SYNC_WAIT_S for it, then
// answers 503 ServiceUnavailable with Retry-After while the engine carries on (a retry finds the product cached).
import { randomBytes } from 'node:crypto';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Clock } from '../clock.js';
import type { PipelineIdentity, Plan, TargetProduct } from '../domain/plan.js';
import { ServiceError } from '../errors.js';
import type { PipelinePresets } from '../planner/presets.js';
import type { ProductStore } from '../scheduler/product-store.js';
import type { Pool } from '../store/db.js';
import { getStep, stepOutputs, touchSteps } from '../store/step-store.js';
import type { JobList } from '../uws/job-list.js';
import type { Caller, JobParameter } from '../domain/job.js';
import { cutProduct, type CutOutcome } from '../cutout/cut-product.js';
import { planSoda } from './plan-request.js';
import { parseSodaRequest, type ParamLike, type SodaRequest } from './request.js';
import { mainProduct, productsOfId } from './result-names.js';

export interface SyncServiceDeps {
  pool: Pool;
  clock: Clock;
  /** The job list of the `soda-sync` kind. */
  jobs: JobList;
  products: ProductStore;
  authority: string;
  presets: PipelinePresets;
  /** The archive IDs are resolved in (frames indexed under another root are not this service's). */
  archiveRoot: string;
  /** The engine's pipeline (Engine.pipeline): the plan's step ids name it. */
  pipeline: PipelineIdentity;
  dataDir: string;
  /** How long a request waits for a reduction that is not cached (SODA_SYNC_WAIT_S). */
  waitS: number;
}

export type SyncAnswer =
  | { kind: 'data'; file: string; contentType: string; size: number; fileName: string; remove(): Promise<void> }
  | { kind: 'nodata'; message: string };

/** Where sync answers are cut before they are streamed (removed after sending). */
const syncDir = (dataDir: string) => path.join(dataDir, 'soda-sync');

async function isCached(d: SyncServiceDeps, p: TargetProduct): Promise<boolean> {
  const step = await getStep(d.pool, p.stepId);
  return step?.state === 'done' && (await d.products.verify(p.stepId, await stepOutputs(d.pool, p.stepId)));
}

/** Seconds a client should wait before retrying: the plan's critical path left, within [5, 300]. */
function retryAfterS(plan: Plan, elapsedS: number, fraction: number | null): number {
  const left = fraction !== null ? plan.estimate.criticalPathS * (1 - fraction) : plan.estimate.criticalPathS - elapsedS;
  return Math.max(5, Math.min(300, Math.ceil(left)));
}

export function createSyncService(d: SyncServiceDeps) {
  async function cut(req: SodaRequest, id: string, p: TargetProduct): Promise<SyncAnswer> {
    await mkdir(syncDir(d.dataDir), { recursive: true });
    const ext = req.format === 'application/fits' ? 'fits' : 'vot';
    const outFile = path.join(syncDir(d.dataDir), `${randomBytes(9).toString('base64url')}.${ext}`);
    const o: CutOutcome = await cutProduct({ file: d.products.file(p.stepId, p.fileName), name: p.fileName, id, spatial: req.spatial[0], band: req.bands[0], format: req.format, outFile });
    if (o.kind === 'nodata') return { kind: 'nodata', message: o.message };
    if (o.kind === 'unusable') throw new ServiceError('UsageError', o.message);
    await touchSteps(d.pool, [p.stepId]);
    const fileName = `${p.fileName.replace(/\.fits$/i, '')}_cut.${ext}`;
    return { kind: 'data', file: outFile, contentType: req.format, size: o.size, fileName, remove: () => rm(outFile, { force: true }) };
  }

  return {
    /**
     * Answers one sync request.
     * @throws ServiceError UsageError / MultiValuedParamNotSupported for bad requests, Error when the reduction
     *   failed, ServiceUnavailable (with Retry-After) when it is still running after the wait.
     */
    async answer(caller: Caller, params: readonly ParamLike[], signal: AbortSignal): Promise<SyncAnswer> {
      const req = parseSodaRequest(params, 'sync');
      const s = await planSoda({ db: d.pool, authority: d.authority, presets: d.presets, archiveRoot: d.archiveRoot, pipeline: d.pipeline }, req);
      const r = s.ids[0];
      if (r.noData) return { kind: 'nodata', message: r.noData };
      const main = mainProduct(productsOfId(r, s.plan), r.id);
      if (await isCached(d, main)) return cut(req, r.id, main);

      const started = d.clock.now().getTime();
      const parameters: JobParameter[] = params.map((p) => ({ name: p.name.toUpperCase(), value: p.value, byReference: false }));
      // Sync jobs only carry the reduction: they are destroyed (with their step links) after a day.
      const destruction = new Date(started + 86400 * 1000);
      let job = await d.jobs.create(caller, { parameters, run: true, destruction });
      const deadline = started + d.waitS * 1000;
      while (['PENDING', 'QUEUED', 'EXECUTING'].includes(job.phase) && !signal.aborted) {
        const left = (deadline - d.clock.now().getTime()) / 1000;
        if (left <= 0) break;
        job = await d.jobs.wait(caller, job.id, { seconds: left, signal });
      }
      if (job.phase === 'COMPLETED') return cut(req, r.id, main);
      if (job.phase === 'ERROR') throw new ServiceError('Error', `the reduction failed: ${(job.error?.message ?? 'unknown error').replace(/^Error: /, '')}`);
      if (job.phase === 'ABORTED') throw new ServiceError('ServiceUnavailable', 'the reduction was stopped; retry', { 'Retry-After': '5' });
      const retry = retryAfterS(s.plan!, (d.clock.now().getTime() - started) / 1000, job.progress?.fraction ?? null);
      const progress = job.progress?.message ? ` (${job.progress.message})` : '';
      throw new ServiceError('ServiceUnavailable', `the reduction is running${progress}; retry in about ${retry} s for the cached product`, { 'Retry-After': String(retry) });
    },
  };
}

export type SyncService = ReturnType<typeof createSyncService>;
