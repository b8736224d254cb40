// Reduced spectra for the plot, from a job result: a 2dFdr-style FITS file (primary fibre x wavelength, VARIANCE,
// SKY, FIBRES, linear WCS CRVAL1/CDELT1/CRPIX1) or a SODA VOTable (one row per fibre with array cells).
import { readColumns, readHdus, readImage } from '../fits';
import { childrenNamed, parseXml, request } from './http';
import { readBody, type Progress } from './progress';

export interface FibreSpectrum {
  /** 1-based slit position. */
  fibre: number;
  name: string;
  type: string;
  flux: Float32Array;
  variance: Float32Array | null;
  /** Per-fibre wavelengths (VOTable); FITS files share `Spectra.wavelength`. */
  wavelength?: Float64Array;
  /** Target position (ICRS degrees), when the file has one. */
  ra?: number | null;
  dec?: number | null;
}

export interface Spectra {
  wavelength: Float64Array;
  unit: string;
  fibres: FibreSpectrum[];
  sky: Float32Array | null;
  /** The flux unit the file declares (FITS BUNIT, the VOTable flux FIELD's unit), or null when it declares none. */
  fluxUnit: string | null;
  /** Which arm the spectra come from: FITS SPECTID (BL, RD); a spliced file has none. */
  arm: 'blue' | 'red' | null;
  /** Fibre numbers are slit positions (FITS axis-2 WCS or a full frame; the VOTable's id); false for a cut whose rows are not contiguous. */
  slitNumbers: boolean;
}

export function spectraFromFits(buf: ArrayBuffer): Spectra {
  const hdus = readHdus(buf);
  const primary = hdus[0];
  if (!primary || Number(primary.header.get('NAXIS') ?? 0) < 2) throw new Error('the file holds no fibre spectra (no 2-D primary image)');
  const h = primary.header;
  const img = readImage(buf, primary);
  const crval = Number(h.get('CRVAL1') ?? 1);
  const cdelt = Number(h.get('CDELT1') ?? h.get('CD1_1') ?? 1);
  const crpix = Number(h.get('CRPIX1') ?? 1);
  const wavelength = Float64Array.from({ length: img.width }, (_, i) => crval + (i + 1 - crpix) * cdelt);
  const varHdu = hdus.find((x) => x.name === 'VARIANCE');
  const variance = varHdu ? readImage(buf, varHdu).data : null;
  const skyHdu = hdus.find((x) => x.name === 'SKY');
  const sky = skyHdu ? readImage(buf, skyHdu).data : null;
  const fibHdu = hdus.find((x) => x.name === 'FIBRES');
  const cols = fibHdu ? readColumns(buf, fibHdu, ['NAME', 'TYPE', 'RA', 'DEC']) : {};
  // Row r is slit fibre CRVAL2 + (r + 1 - CRPIX2) * CDELT2: a SODA cut moves CRPIX2, and drops it when the kept
  // rows are not contiguous (then the numbers are only row numbers).
  const slitNumbers = h.has('CRPIX2') || !h.has('CRVAL2');
  const fibreAt = (r: number) => Math.round(Number(h.get('CRVAL2') ?? 1) + (r + 1 - Number(h.get('CRPIX2') ?? 1)) * Number(h.get('CDELT2') ?? 1));
  const deg = (v: string | number | undefined) => (typeof v === 'number' && Number.isFinite(v) ? (v * 180) / Math.PI : null);
  const fibres: FibreSpectrum[] = [];
  for (let r = 0; r < img.height; r++) {
    fibres.push({
      fibre: slitNumbers ? fibreAt(r) : r + 1,
      name: String(cols.NAME?.[r] ?? ''),
      type: String(cols.TYPE?.[r] ?? ''),
      flux: img.data.subarray(r * img.width, (r + 1) * img.width),
      variance: variance ? variance.subarray(r * img.width, (r + 1) * img.width) : null,
      ra: deg(cols.RA?.[r]),
      dec: deg(cols.DEC?.[r]),
    });
  }
  const bunit = String(h.get('BUNIT') ?? '').trim();
  const spectid = String(h.get('SPECTID') ?? '').trim();
  return {
    wavelength, unit: String(h.get('CUNIT1') ?? 'Angstrom'), fibres, sky: sky && sky.length === img.width ? sky : null,
    fluxUnit: bunit || null, arm: spectid === 'BL' ? 'blue' : spectid === 'RD' ? 'red' : null, slitNumbers,
  };
}

const numbers = (s: string | null | undefined) => (s ?? '').trim().split(/\s+/).filter(Boolean).map((x) => (x === 'NaN' ? NaN : Number(x)));

export function spectraFromVotable(text: string): Spectra {
  const doc = parseXml(text);
  const fields = childrenNamed(doc, 'FIELD').map((f) => (f.getAttribute('name') ?? '').toLowerCase());
  const col = (n: string) => fields.indexOf(n);
  const unitOf = (n: string) => childrenNamed(doc, 'FIELD').find((f) => f.getAttribute('name') === n)?.getAttribute('unit') ?? null;
  const unit = unitOf('wavelength') ?? 'Angstrom';
  const num = (s: string | null | undefined) => (s && s.trim() ? Number(s) : null);
  const fibres: FibreSpectrum[] = childrenNamed(doc, 'TR').map((tr) => {
    const td = childrenNamed(tr, 'TD').map((c) => c.textContent);
    return {
      fibre: Number(td[col('id')]),
      name: td[col('name')] ?? '',
      type: td[col('type')] ?? '',
      wavelength: Float64Array.from(numbers(td[col('wavelength')])),
      flux: Float32Array.from(numbers(td[col('flux')])),
      variance: col('variance') >= 0 ? Float32Array.from(numbers(td[col('variance')])) : null,
      ra: col('ra') >= 0 ? num(td[col('ra')]) : null,
      dec: col('dec') >= 0 ? num(td[col('dec')]) : null,
    };
  });
  if (!fibres.length) throw new Error('the VOTable holds no spectra');
  return { wavelength: fibres[0].wavelength!, unit, fibres, sky: null, fluxUnit: unitOf('flux'), arm: null, slitNumbers: true };
}

/** Downloads a result and reads its spectra (FITS or VOTable by MIME type). */
export async function loadSpectra(url: string, mimeType: string | null, signal?: AbortSignal, onProgress?: (p: Progress) => void): Promise<Spectra> {
  const res = await request(url, { signal, timeoutMs: 120_000 });
  const votable = (mimeType ?? res.headers.get('content-type') ?? '').includes('votable');
  const body = await readBody(res, onProgress);
  return votable ? spectraFromVotable(new TextDecoder().decode(body)) : spectraFromFits(body);
}
