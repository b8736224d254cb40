// One SODA cut of one product file: opens it, selects fibres and pixels, and writes FITS or VOTable; the
// outcomes a SODA answer distinguishes (data, no overlap, filter not applicable) come back as values.
import { NoOverlap } from './cut.js';
import { writeFitsCut } from './fits-cut.js';
import { describeRegion } from './geometry.js';
import { CutNotApplicable, openProduct, selectCut, type ProductFile } from './product-file.js';
import type { BandFilter, CutFormat, SpatialFilter } from './filters.js';
import { writeVotableCut } from './votable-cut.js';

export type CutOutcome =
  | { kind: 'data'; size: number; rows: number; pixels: number }
  | { kind: 'nodata'; message: string }
  | { kind: 'unusable'; message: string };

export interface CutJob {
  /** Path of the product in the product store and its 2dFdr name. */
  file: string;
  name: string;
  id: string;
  spatial?: SpatialFilter;
  band?: BandFilter;
  format: CutFormat;
  outFile: string;
}

/** Products are opened once per request even when several regions and bands cut them. */
export type ProductCache = Map<string, Promise<ProductFile>>;

export function openCached(cache: ProductCache, file: string, name: string): Promise<ProductFile> {
  let p = cache.get(file);
  if (!p) cache.set(file, (p = openProduct(file, name)));
  return p;
}

/** Throws only for I/O failures (unreadable product, full disk): those fail the request or job. */
export async function cutProduct(j: CutJob, cache: ProductCache = new Map()): Promise<CutOutcome> {
  const p = await openCached(cache, j.file, j.name);
  const asked = [
    ...(j.spatial ? [{ name: j.spatial.param, value: j.spatial.value }] : []),
    ...(j.band ? [{ name: 'BAND', value: j.band.value }] : []),
  ];
  try {
    const sel = selectCut(p, j.spatial?.region, j.band);
    const history = [`drsoda SODA cut of ${j.name} for ID ${j.id}`, ...asked.map((a) => `${a.name}=${a.value}`)];
    const size =
      j.format === 'application/fits'
        ? await writeFitsCut(p, sel, j.outFile, history)
        : await writeVotableCut(p, sel, j.outFile, {
            id: j.id,
            description: `${j.name} for ${j.id}${j.spatial ? `, fibres inside ${describeRegion(j.spatial.region)}` : ''}${j.band ? `, BAND ${j.band.value} m` : ''}`,
            params: asked,
          });
    const rows = sel.rows?.length ?? p.nRows;
    const pixels = sel.pixels ? sel.pixels[1] - sel.pixels[0] + 1 : p.nPix;
    return { kind: 'data', size, rows, pixels };
  } catch (err) {
    if (err instanceof NoOverlap) return { kind: 'nodata', message: err.message };
    if (err instanceof CutNotApplicable) return { kind: 'unusable', message: err.message };
    throw err;
  }
}

/** The text/plain body of a result that holds no data (SODA 1.0 section 3.4: it starts with an error label). */
export function noDataText(o: { kind: 'nodata' | 'unusable'; message: string }): string {
  return o.kind === 'nodata' ? `UsageError: no data: ${o.message}\n` : `UsageError: ${o.message}\n`;
}
