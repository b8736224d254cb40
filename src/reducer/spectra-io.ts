// Reading reduced spectra (red.fits or combined files) for combine_spectra and splice, and matching
// their fibres: row by row when the fibre tables agree, else by NAME over the P and S fibres (TWIKI:
// a combined file can then hold more than 400 rows).
import type { Header, TableColumnSpec } from '../fits/index.js';
import type { OpContext } from './context.js';
import { ReducerError } from './errors.js';
import { hasHdu, openFits, readFibres, readPlane, type FibreTable } from './fits-io.js';
import type { LinearGrid } from './maths/scrunch.js';
import { gridOf } from './products.js';

export interface SpectraProduct {
  name: string;
  header: Header;
  flux: Float32Array;
  variance: Float32Array;
  nRows: number;
  grid: LinearGrid;
  fibres: FibreTable | null;
  sky: Float32Array | null;
}

export async function readSpectra(ctx: OpContext, name: string): Promise<SpectraProduct> {
  const f = await openFits(ctx.ws.input(name, 'input file'), name, 'input file');
  const p = await readPlane(f, 'PRIMARY');
  if (!hasHdu(f, 'VARIANCE')) throw new ReducerError(`${name} has no VARIANCE HDU: not a reduced spectra file`);
  const v = await readPlane(f, 'VARIANCE');
  const grid = gridOf(p.header, p.width);
  if (!grid) throw new ReducerError(`${name} has no linear wavelength axis (CRVAL1, CDELT1, CRPIX1): not a reduced object frame`);
  const sky = hasHdu(f, 'SKY') ? (await readPlane(f, 'SKY')).data : null;
  return { name, header: p.header, flux: p.data, variance: v.data, nRows: p.height, grid, fibres: await readFibres(f), sky };
}

export interface RowMatch {
  /** Per output row, the row of each input (-1 where the input lacks that fibre). */
  rows: Int32Array[];
  nRows: number;
  /** The output fibre table (null when no input has one). */
  fibres: FibreTable | null;
  byName: boolean;
}

const sameTable = (a: FibreTable | null, b: FibreTable | null) =>
  a !== null && b !== null && a.nrows === b.nrows && a.names.every((n, i) => n === b.names[i] && a.types[i] === b.types[i]);

export function matchRows(inputs: SpectraProduct[]): RowMatch {
  const first = inputs[0];
  if (inputs.every((p) => p.nRows === first.nRows && (p.fibres === null ? first.fibres === null : sameTable(p.fibres, first.fibres)))) {
    return { rows: inputs.map(() => Int32Array.from({ length: first.nRows }, (_, i) => i)), nRows: first.nRows, fibres: first.fibres, byName: false };
  }
  if (inputs.some((p) => !p.fibres)) throw new ReducerError('the inputs have different fibres and not all have a FIBRES table to match them by');
  const keys: string[] = [];
  const where = new Map<string, [number, number]>();
  inputs.forEach((p, k) =>
    p.fibres!.names.forEach((name, r) => {
      const t = p.fibres!.types[r];
      if ((t !== 'P' && t !== 'S') || !name) return;
      const key = `${t}:${name}`;
      if (!where.has(key)) {
        where.set(key, [k, r]);
        keys.push(key);
      }
    }),
  );
  const index = inputs.map((p) => new Map(p.fibres!.names.map((n, r) => [`${p.fibres!.types[r]}:${n}`, r])));
  const rows = inputs.map((_, k) => Int32Array.from(keys, (key) => index[k].get(key) ?? -1));
  const columns: TableColumnSpec[] = first.fibres!.columns.map((c, ci) => ({
    ...c,
    values: keys.map((key) => {
      const [k, r] = where.get(key)!;
      return inputs[k].fibres!.columns[ci]?.values[r] ?? null;
    }),
  }));
  const fibres: FibreTable = { ...first.fibres!, nrows: keys.length, columns, names: keys.map((k) => k.slice(2)), types: keys.map((k) => k[0]) };
  return { rows, nRows: keys.length, fibres, byName: true };
}

/** The input's spectra re-ordered into the matched rows (NaN rows where it lacks a fibre). */
export function reorder(p: SpectraProduct, rows: Int32Array): { flux: Float32Array; variance: Float32Array } {
  const n = p.grid.n;
  const flux = new Float32Array(rows.length * n).fill(NaN);
  const variance = new Float32Array(rows.length * n).fill(NaN);
  rows.forEach((r, i) => {
    if (r < 0) return;
    flux.set(p.flux.subarray(r * n, (r + 1) * n), i * n);
    variance.set(p.variance.subarray(r * n, (r + 1) * n), i * n);
  });
  return { flux, variance };
}
