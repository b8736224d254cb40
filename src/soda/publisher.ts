// The engine's ResultPublisher for SODA jobs: when a job's steps are done, cuts every ID x product x region x band
// combination into the job's results/ folder (FITS or VOTable, or a text/plain "no data" answer), with MIME
// types and sizes. A result is what its name says: a cut that turns out empty is renamed .txt and declared
// text/plain. Synchronous requests cut their one product themselves (sync-service.ts): no results here.
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Plan } from '../domain/plan.js';
import type { ProductStore } from '../scheduler/product-store.js';
import type { ResultPublisher } from '../scheduler/ports.js';
import type { Pool } from '../store/db.js';
import { getJob } from '../store/job-store.js';
import { jobDir } from '../uws/job-files.js';
import type { ResultInput } from '../domain/job.js';
import { cutProduct, noDataText, type ProductCache } from '../cutout/cut-product.js';
import { resolveRef, resolveSoda, targetsOfId } from './plan-request.js';
import { regionOverlap, type RegionOverlap } from './region-overlap.js';
import { parseSodaRequest, SODA_ASYNC_KIND, SODA_SYNC_KIND, sodaOnly } from './request.js';
import { plannedCuts } from './result-names.js';

/** The raw frames a plan reads: every frame whose fibres a product may carry. */
export const planFrames = (plan: Plan) => [...new Set(plan.steps.flatMap((s) => s.inputs.flatMap((i) => (i.kind === 'raw' ? [i.frameId] : []))))];

export interface SodaPublisherDeps {
  pool: Pool;
  products: ProductStore;
  dataDir: string;
  authority: string;
  /** Publisher for jobs of other kinds (the engine's default). */
  fallback: ResultPublisher;
}

/** Every cut of a request into dir (already existing); returns the UWS results. */
export async function writeCuts(
  d: { products: ProductStore; authority: string },
  params: ReadonlyArray<{ name: string; value: string }>,
  plan: Plan | null,
  noData: ReadonlyMap<string, string>,
  regions: RegionOverlap,
  dir: string,
  relDir: string,
): Promise<ResultInput[]> {
  const req = parseSodaRequest(params, 'async');
  const ids = req.ids.map((id) => ({ id, ref: resolveRef(d.authority, id), noData: noData.get(id) }));
  const cache: ProductCache = new Map();
  const results: ResultInput[] = [];
  const cuts = plannedCuts(req, ids, plan, regions);
  const names = new Set(cuts.map((c) => c.resultId));
  for (const c of cuts) {
    const outFile = path.join(dir, c.resultId);
    const rel = path.join(relDir, c.resultId);
    if (!c.product) {
      await writeFile(outFile, noDataText({ kind: 'nodata', message: c.noData ?? 'nothing selected' }));
      results.push({ id: c.resultId, file: rel, mimeType: 'text/plain' });
      continue;
    }
    const o = await cutProduct(
      { file: d.products.file(c.product.stepId, c.product.fileName), name: c.product.fileName, id: c.id, spatial: c.spatial, band: c.band, format: req.format, outFile },
      cache,
    );
    if (o.kind === 'data') {
      results.push({ id: c.resultId, file: rel, mimeType: req.format, size: o.size });
    } else {
      // Found empty only when cut (a band off the detector, a filter the product cannot take): the planned name
      // with .txt, declared text/plain, so the name never promises FITS or VOTable.
      await rm(outFile, { force: true });
      const id = textName(c.resultId, names);
      await writeFile(path.join(dir, id), noDataText(o));
      results.push({ id, file: path.join(relDir, id), mimeType: 'text/plain' });
    }
  }
  return results;
}

/** `x_pos2.fits` -> `x_pos2.txt` (or `x_pos2-2.txt` when taken): the name of a planned cut that held no data. */
export function textName(resultId: string, taken: Set<string>): string {
  const stem = resultId.replace(/\.[^.]+$/, '');
  let id = `${stem}.txt`;
  for (let k = 2; taken.has(id); k++) id = `${stem}-${k}.txt`;
  taken.add(id);
  return id;
}

export function createSodaPublisher(d: SodaPublisherDeps): ResultPublisher {
  return async (jobId, plan) => {
    const job = await getJob(d.pool, jobId);
    if (!job) return [];
    if (job.kind !== SODA_ASYNC_KIND) return job.kind === SODA_SYNC_KIND ? [] : d.fallback(jobId, plan);
    const dir = path.join(jobDir(d.dataDir, jobId), 'results');
    await mkdir(dir, { recursive: true });
    const params = sodaOnly(job.parameters.filter((p) => !p.byReference));
    const req = parseSodaRequest(params, 'async');
    // IDs that select nothing have no targets in the plan (TIME or the regions excluded every frame they name):
    // the archive gives the reason again, as it gave it when the job was planned.
    const resolved = new Map((await resolveSoda({ db: d.pool, authority: d.authority }, req)).ids.map((r) => [r.id, r.noData]));
    const noData = new Map(
      req.ids
        .filter((id) => targetsOfId(resolveRef(d.authority, id), id, plan).length === 0)
        .map((id) => [id, resolved.get(id) ?? `nothing of ${id} was reduced`]),
    );
    const regions = await regionOverlap(d.pool, req.spatial, planFrames(plan));
    return writeCuts(d, params, plan, noData, regions, dir, 'results');
  };
}
