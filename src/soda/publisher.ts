// The engine's ResultPublisher for SODA jobs: when a job's steps are done, cuts every ID x product x region x band
// combination into the job's results/ folder (FITS or VOTable, or a text/plain "no data" answer), with MIME
// types and sizes. Synchronous requests cut their one product themselves (sync-service.ts): no results here.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Plan } from '../domain/plan.js';
import type { ProductStore } from '../scheduler/product-store.js';
import type { ResultPublisher } from '../scheduler/ports.js';
import type { Pool } from '../store/db.js';
import { getJob } from '../store/job-store.js';
import { jobDir } from '../uws/job-files.js';
import type { ResultInput } from '../domain/job.js';
import { cutProduct, noDataText, type ProductCache } from '../cutout/cut-product.js';
import { resolveRef, targetsOfId } from './plan-request.js';
import { parseSodaRequest, SODA_ASYNC_KIND, SODA_SYNC_KIND, sodaOnly } from './request.js';
import { plannedCuts } from './result-names.js';

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
  dir: string,
  relDir: string,
): Promise<ResultInput[]> {
  const req = parseSodaRequest(params, 'async');
  const ids = req.ids.map((id) => ({ id, ref: resolveRef(d.authority, id), noData: noData.get(id) }));
  const cache: ProductCache = new Map();
  const results: ResultInput[] = [];
  for (const c of plannedCuts(req, ids, plan)) {
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
      // The result keeps its planned name (so a client can tell which combination it is) but holds text.
      await writeFile(outFile, noDataText(o));
      results.push({ id: c.resultId, file: rel, mimeType: 'text/plain' });
    }
  }
  return results;
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
    // IDs that select nothing have no targets in the plan: TIME excluded every exposure they name.
    const t = req.timeMjd;
    const noData = new Map(
      req.ids
        .filter((id) => targetsOfId(resolveRef(d.authority, id), id, plan).length === 0)
        .map((id) => [id, `no exposure of ${id} overlaps TIME ${t ? `${t[0]} ${t[1]}` : ''}`.trim()]),
    );
    return writeCuts(d, params, plan, noData, dir, 'results');
  };
}
