// The DataLink view of a finished job's results (GET /soda/async/{id}/links, docs/datalink.md): one ID per result
// (its absolute URL), with #this (the result file), #progenitor (the uncut product and the raw frames it was reduced
// from), #calibration rows, #preview, and a #proc descriptor to cut the same dataset again synchronously.
import type { Plan } from '../domain/plan.js';
import { ServiceError } from '../errors.js';
import { findProduct, framesForLinks, stepAncestry } from '../store/link-store.js';
import type { Job } from '../domain/job.js';
import { errorRow, type LinkRow } from '../vo/datalink.js';
import { resultHref, type JobUrls } from '../vo/uws-xml.js';
import { calibrationTerm, describeFrame, productRows, rawRow, type LinksContext } from './links-context.js';
import { procDescriptor } from '../soda/proc-descriptor.js';
import { provenance } from './product-links.js';
import { resolveRef, targetsOfId } from '../soda/plan-request.js';
import { SODA_ASYNC_KIND, parseSodaRequest } from '../soda/request.js';
import { plannedCuts, type PlannedCut } from '../soda/result-names.js';
import { planFrames, textName } from '../soda/publisher.js';
import { regionOverlap } from '../soda/region-overlap.js';

/**
 * Which planned cut each result is, recomputed as the publisher named them (result-names.ts, with the regions
 * tested on the same fibre tables; a cut found empty only when made is its name with .txt); empty if unknown.
 */
async function cutsOf(c: LinksContext, job: Job, plan: Plan | null): Promise<Map<string, PlannedCut>> {
  if (job.kind !== SODA_ASYNC_KIND || !plan) return new Map();
  try {
    const req = parseSodaRequest(job.parameters.filter((p) => !p.byReference), 'async');
    const ids = req.ids.map((id) => {
      const ref = resolveRef(c.authority, id);
      return { id, ref, noData: targetsOfId(ref, id, plan).length === 0 ? 'no data' : undefined };
    });
    const cuts = plannedCuts(req, ids, plan, await regionOverlap(c.pool, req.spatial, planFrames(plan)));
    const taken = new Set(cuts.map((x) => x.resultId));
    return new Map(cuts.flatMap((x) => (x.product ? [[x.resultId, x], [textName(x.resultId, taken), x]] : [[x.resultId, x]])));
  } catch (e) {
    // Parameters this version no longer reads: the results are still listed, without provenance.
    if (e instanceof ServiceError) return new Map();
    throw e;
  }
}

function describeCut(x: PlannedCut): string {
  const parts = [x.product ? `${x.product.fileName} of ${x.id}` : `${x.id} (no data)`];
  if (x.spatial) parts.push(`${x.spatial.param} ${x.spatial.value}`);
  if (x.band) parts.push(`BAND ${x.band.value}`);
  return parts.join(', ');
}

async function provenanceRows(c: LinksContext, id: string, x: PlannedCut): Promise<LinkRow[]> {
  if (!x.product) return [];
  const p = await findProduct(c.pool, x.product.stepId, x.product.fileName, c.scope);
  if (!p) return [errorRow(id, 'NotFoundFault', `the uncut product ${x.product.fileName} is no longer in the product cache`, '#progenitor')];
  const rows = await productRows(c, id, '#progenitor', p, `Uncut product ${p.fileName} (${p.label}${p.pipeline ? `; made by ${p.pipeline}` : ''})`);
  const { progenitors, calibrations } = provenance(p.stepId, await stepAncestry(c.pool, p.stepId));
  const frames = new Map((await framesForLinks(c.pool, [...progenitors, ...calibrations])).map((f) => [f.id, f]));
  for (const [list, what] of [[progenitors, 'Raw input'], [calibrations, 'Calibration']] as const) {
    for (const frameId of list) {
      const f = frames.get(frameId);
      const semantics = what === 'Raw input' ? '#progenitor' : calibrationTerm(f?.ndfClass ?? '');
      rows.push(!f || f.missing ? errorRow(id, 'NotFoundFault', `raw frame ${frameId} is no longer in the archive`, semantics) : rawRow(c, id, semantics, f, `${what}: ${describeFrame(f)}`));
    }
  }
  return rows;
}

/** Rows for every result of the job (none before it completes). */
export async function jobResultLinks(c: LinksContext, job: Job, plan: Plan | null, urls: JobUrls): Promise<LinkRow[]> {
  const cuts = await cutsOf(c, job, plan);
  const procs = new Map<string, string>();
  const rows: LinkRow[] = [];
  for (const r of job.results) {
    const id = resultHref(urls, job.id, r);
    const x = cuts.get(r.id);
    const data = r.mimeType !== 'text/plain';
    rows.push({
      id, accessUrl: id, semantics: '#this', contentType: r.mimeType, contentLength: r.size, linkAuth: c.authenticated ? 'true' : 'false',
      contentQualifier: x?.product && data ? '#spectrum' : undefined,
      description: x ? `Result ${r.id}: ${describeCut(x)}` : `Result ${r.id} of job ${job.id}`,
    });
    if (!x) continue;
    rows.push(...(await provenanceRows(c, id, x)));
    // One descriptor per requested ID: the same dataset, ready to cut again with /soda/sync.
    let xmlId = procs.get(x.id);
    if (!xmlId) {
      xmlId = c.nextXmlId('soda-sync');
      procs.set(x.id, xmlId);
      c.descriptors.push(procDescriptor({ xmlId, datasetId: x.id, label: x.id, syncUrl: `${c.baseUrl}/soda/sync`, asyncUrl: `${c.baseUrl}/soda/async`, sodaParams: c.sodaParams, hints: {} }));
    }
    rows.push({ id, serviceDef: xmlId, semantics: '#proc', contentType: 'application/fits', description: `Cut ${x.id} again (another region or band) with SODA` });
  }
  return rows;
}
