// Maps a raw 2dF-AAOmega primary header (and its fibre table) to the archive's FrameRecord; pure, no I/O.
// Keyword meanings follow ../shared/docs/2dfdr-domain-notes.md section 2.3.
import path from 'node:path';
import type { Arm, Fibre, FrameRecord } from '../domain/frame.js';
import { formatFrameDid, isNight } from './dids.js';

/** What the mapping needs from a FITS header; src/fits Header satisfies it. */
export interface HeaderLike {
  string(key: string): string | undefined;
  number(key: string): number | undefined;
}

/** Facts about the file itself, measured by the ingest. */
export interface FileFacts {
  relPath: string;
  sizeBytes: number;
  sha256: string;
  mtime: Date;
}

/** A header that cannot become a frame record; the message names the keyword. */
export class FrameHeaderError extends Error {
  override name = 'FrameHeaderError';
}

/** AAT raw file names, DDmmmCRRRR.fits (SAMI manager.py file_filter, CCD digit widened as Hector does). */
export const rawFileNameRe = /^([0-3]\d)(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)([1-4])(\d{4})\.fits?$/i;

export function isRawFileName(name: string): boolean {
  return rawFileNameRe.test(name);
}

const trimmed = (h: HeaderLike, key: string): string | undefined => {
  const v = h.string(key)?.trim();
  return v === '' ? undefined : v;
};

function required<T>(v: T | undefined, key: string): T {
  if (v === undefined || (typeof v === 'number' && !Number.isFinite(v))) throw new FrameHeaderError(`missing or invalid ${key} keyword`);
  return v;
}

/** UTDATE 'YYYY:MM:DD' (AAT) or 'YYYY-MM-DD'; else the night directory YYMMDD of the path. */
function nightOf(h: HeaderLike, relPath: string): string {
  const ut = trimmed(h, 'UTDATE');
  if (ut) {
    const night = ut.replace(/:/g, '-');
    if (!isNight(night)) throw new FrameHeaderError(`UTDATE ${JSON.stringify(ut)} is not a date`);
    return night;
  }
  const dir = relPath.split('/').find((s) => /^\d{6}$/.test(s));
  if (dir) {
    const yy = Number(dir.slice(0, 2));
    const night = `${yy >= 90 ? 19 : 20}${dir.slice(0, 2)}-${dir.slice(2, 4)}-${dir.slice(4, 6)}`;
    if (isNight(night)) return night;
  }
  throw new FrameHeaderError('missing UTDATE keyword and no YYMMDD night directory in the path');
}

/** SPECTID 'BL' is CCD 1 (blue), 'RD' CCD 2 (red); without it, the CCD digit of the file name. */
function ccdOf(h: HeaderLike, fileName: string): 1 | 2 {
  const spectId = trimmed(h, 'SPECTID')?.toUpperCase();
  if (spectId === 'BL') return 1;
  if (spectId === 'RD') return 2;
  const digit = rawFileNameRe.exec(fileName)?.[3];
  if (!spectId && (digit === '1' || digit === '2')) return Number(digit) as 1 | 2;
  throw new FrameHeaderError(`SPECTID ${JSON.stringify(spectId ?? '')} is not an AAOmega arm (BL or RD)`);
}

function runOf(h: HeaderLike, fileName: string): number {
  const run = h.number('RUN') ?? h.number('OBSNUM') ?? Number(rawFileNameRe.exec(fileName)?.[4] ?? NaN);
  if (!Number.isInteger(run) || run < 0) throw new FrameHeaderError('missing or invalid RUN keyword');
  return run;
}

/** NDFCLASS keyword, else the STRUCT.MORE.NDF_CLASS table; DFLAT is the old name of LFLAT (SAMI renames it too). */
function classOf(h: HeaderLike, fromTable: string | undefined): string {
  const c = (trimmed(h, 'NDFCLASS') ?? fromTable?.trim())?.toUpperCase();
  if (!c) throw new FrameHeaderError('missing NDFCLASS keyword and NDF_CLASS table');
  return c === 'DFLAT' ? 'LFLAT' : c;
}

/** SOURCE = 'Plate 0' / 'Plate 1' names the 2dF field plate. */
export function plateOf(source: string | undefined): 0 | 1 | null {
  const m = /plate\s*([01])\b/i.exec(source ?? '');
  return m ? (Number(m[1]) as 0 | 1) : null;
}

/** MJD from UTDATE + UTSTART, for files without UTMJD. */
function mjdOf(h: HeaderLike, night: string): number {
  const mjd = h.number('UTMJD');
  if (mjd !== undefined && Number.isFinite(mjd)) return mjd;
  const m = /^(\d{1,2}):(\d{2}):(\d{2}(?:\.\d+)?)$/.exec(trimmed(h, 'UTSTART') ?? '');
  if (!m) throw new FrameHeaderError('missing UTMJD keyword and no UTSTART to derive it from');
  const [y, mo, d] = night.split('-').map(Number);
  return Date.UTC(y, mo - 1, d) / 86400000 + 40587 + (Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3])) / 86400;
}

/** AIRMASS when plausible (>= 1), else sec(ZDSTART) for a zenith distance below 85 degrees; null otherwise. */
export function airmassOf(h: HeaderLike): number | null {
  const am = h.number('AIRMASS');
  if (am !== undefined && Number.isFinite(am) && am >= 1 && am < 100) return am;
  const zd = h.number('ZDSTART');
  if (zd !== undefined && Number.isFinite(zd) && zd >= 0 && zd < 85) return 1 / Math.cos((zd * Math.PI) / 180);
  return null;
}

function seeingOf(h: HeaderLike): number | null {
  const s = h.number('SEEING');
  return s !== undefined && Number.isFinite(s) && s > 0 && s < 60 ? s : null;
}

/**
 * Builds the frame record of one raw file. Throws FrameHeaderError naming the first keyword that is
 * missing or unusable.
 */
export function frameFromHeader(h: HeaderLike, file: FileFacts, o: { authority: string; ndfClassFromTable?: string }): FrameRecord {
  const fileName = path.posix.basename(file.relPath);
  const night = nightOf(h, file.relPath);
  const ccd = ccdOf(h, fileName);
  const run = runOf(h, fileName);
  const ndfClass = classOf(h, o.ndfClassFromTable);
  const exposed = h.number('EXPOSED') ?? h.number('TOTALEXP') ?? (ndfClass === 'BIAS' ? 0 : undefined);
  const meanRa = h.number('MEANRA');
  const meanDec = h.number('MEANDEC');
  return {
    id: formatFrameDid(o.authority, { night, ccd, run }),
    fileName,
    relPath: file.relPath,
    night,
    ccd,
    arm: (ccd === 1 ? 'blue' : 'red') satisfies Arm,
    run,
    ndfClass,
    object: trimmed(h, 'OBJECT') ?? '',
    gratId: required(trimmed(h, 'GRATID'), 'GRATID'),
    lambdaCAngstrom: required(h.number('LAMBDAC'), 'LAMBDAC'),
    dispersionAngstromPerPx: required(h.number('DISPERS'), 'DISPERS'),
    speed: trimmed(h, 'SPEED') ?? '',
    cfgFile: trimmed(h, 'CFG_FILE') ?? '',
    plate: plateOf(trimmed(h, 'SOURCE')),
    exposedS: required(exposed, 'EXPOSED'),
    utMjd: mjdOf(h, night),
    utStart: trimmed(h, 'UTSTART') ?? '',
    meanRaDeg: meanRa !== undefined && Number.isFinite(meanRa) ? meanRa : null,
    meanDecDeg: meanDec !== undefined && Number.isFinite(meanDec) ? meanDec : null,
    airmass: airmassOf(h),
    seeingArcsec: seeingOf(h),
    flaps: trimmed(h, 'FLAPS') ?? '',
    lampName: trimmed(h, 'LAMPNAME') ?? '',
    naxis1: required(h.number('NAXIS1'), 'NAXIS1'),
    naxis2: required(h.number('NAXIS2'), 'NAXIS2'),
    sizeBytes: file.sizeBytes,
    sha256: file.sha256,
    mtime: file.mtime,
  };
}

/** Column values of STRUCT.MORE.FIBRES, as the FITS reader returns them. */
export interface FibreColumns {
  nrows: number;
  column(name: string): { values: ReadonlyArray<string | number | bigint | boolean | null> } | undefined;
}

const num = (v: unknown): number | null => (v === null || v === undefined ? null : typeof v === 'bigint' ? Number(v) : typeof v === 'number' ? v : null);

/**
 * The fibre table as Fibre rows (row i is slit fibre i+1). RA/DEC stay in radians as stored; a null
 * PIVOT becomes 0 (real pivots are 1..400). Throws FrameHeaderError when NAME or TYPE is missing.
 */
export function fibresFromTable(t: FibreColumns): Fibre[] {
  const col = (name: string) => t.column(name)?.values;
  const names = col('NAME');
  const types = col('TYPE');
  if (!names || !types) throw new FrameHeaderError('fibre table lacks NAME or TYPE column');
  const ra = col('RA');
  const dec = col('DEC');
  const pivot = col('PIVOT');
  const mag = col('MAGNITUDE');
  const out: Fibre[] = [];
  for (let i = 0; i < t.nrows; i++) {
    const m = num(mag?.[i]);
    out.push({
      fibre: i + 1,
      name: String(names[i] ?? '').trim(),
      type: String(types[i] ?? '').trim() || 'N',
      raRad: num(ra?.[i]) ?? NaN,
      decRad: num(dec?.[i]) ?? NaN,
      pivot: num(pivot?.[i]) ?? 0,
      magnitude: m === null || !Number.isFinite(m) ? null : m,
    });
  }
  return out;
}
