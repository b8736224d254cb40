// Where the viewer's data come from: which quick-look belongs to a result (the product it was cut from), how many
// fibres that product has (its primary header, read with a Range request), and the SODA sync URL that gives
// one fibre (or the whole result) as a VOTable a desktop tool can fetch itself.
import type { StepProductJson } from '../../../../src/domain/api-types';
import { readHdus } from '../../fits';
import { request } from '../../api/http';
import type { Job, JobResult } from '../../api/uws';

/** The product a result was cut from: result names are <ID label>_<product name>[_pos<k>][_band<k>].<ext>. */
export function productOf(result: JobResult, products: StepProductJson[]): StepProductJson | null {
  const stem = (n: string) => n.replace(/\.fits$/, '');
  const hits = products.filter((p) => p.preview && result.id.includes(`_${stem(p.fileName)}`));
  return hits.sort((a, b) => b.fileName.length - a.fileName.length)[0] ?? null;
}

/** Rows (fibres) of a product file, from its primary header alone. */
export async function productRows(url: string, signal?: AbortSignal): Promise<number> {
  const res = await request(url, { signal, headers: { Range: 'bytes=0-28799' }, timeoutMs: 30_000 });
  const h = readHdus(await res.arrayBuffer())[0]?.header;
  const rows = Number(h?.get('NAXIS2'));
  if (!Number.isFinite(rows) || rows < 1) throw new Error('the product has no fibre rows');
  return rows;
}

const copied = ['ID', 'BAND', 'COMBINE', 'SKYSUB', 'EXTRACTION', 'THROUGHPUT', 'IDX_PRESET', 'TIME'];
const regions = ['POS', 'CIRCLE', 'POLYGON'];

/**
 * A /soda/sync URL that cuts the same reduction again (its steps are cached, so nothing reruns) as a VOTable:
 * the fibre at (ra, dec) when given (a 1-arcsecond circle), else the job's own region. Null when the job has
 * several IDs or the result is neither a combined nor a spliced product (sync answers only the final product).
 */
export function syncVotableUrl(job: Job, result: JobResult, arm: 'blue' | 'red' | null, at?: { ra: number; dec: number }): string | null {
  const ids = job.parameters.filter((p) => p.id.toUpperCase() === 'ID');
  if (ids.length !== 1) return null;
  const spliced = /spliced/i.test(result.id);
  if (!spliced && !(/combined/i.test(result.id) && arm)) return null;
  const q = new URLSearchParams();
  for (const p of job.parameters) {
    const k = p.id.toUpperCase();
    if (copied.includes(k) || (!at && regions.includes(k))) q.append(k, p.value);
  }
  q.set('ARMS', spliced ? 'both' : arm!);
  if (spliced) q.set('SPLICE', 'true');
  if (at) q.set('CIRCLE', `${at.ra.toFixed(7)} ${at.dec.toFixed(7)} 0.0003`);
  q.set('RESPONSEFORMAT', 'application/x-votable+xml');
  return `${new URL(result.href, location.href).origin}/soda/sync?${q}`;
}
