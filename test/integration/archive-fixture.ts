// Small raw 2dF-AAOmega frames written with the real FITS writer, for archive tests that need one exact
// header (the simulator makes whole nights). Layout as at the AAT: ROOT/YYMMDD/ccd_N/DDmmmNRRRR.fits.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { Header, writeFits, type HeaderValue } from '../../src/fits/index.js';

const months = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

export interface RawFrameSpec {
  night?: string;
  ccd?: 1 | 2;
  run: number;
  ndfClass?: string;
  cfg?: string;
  plate?: 0 | 1;
  object?: string;
  /** Extra or replacing primary keywords; null value = remove the keyword. */
  cards?: Record<string, HeaderValue | undefined>;
  /** Write the STRUCT.MORE.NDF_CLASS table (default true). */
  ndfTable?: boolean;
  fibres?: number;
}

/** The relative path the AAT would use for this frame. */
export function rawRelPath(night: string, ccd: 1 | 2, run: number): string {
  const [y, m, d] = night.split('-');
  return `${y.slice(2)}${m}${d}/ccd_${ccd}/${d}${months[Number(m) - 1]}${ccd}${String(run).padStart(4, '0')}.fits`;
}

/** Writes one frame (a 32 x 20 BITPIX 16 image, the fibre and class tables) and returns its relative path. */
export async function writeRawFrame(root: string, s: RawFrameSpec): Promise<string> {
  const night = s.night ?? '2014-09-26';
  const ccd = s.ccd ?? 1;
  const cls = s.ndfClass ?? 'MFOBJECT';
  const rel = rawRelPath(night, ccd, s.run);
  const h = new Header();
  const base: Record<string, HeaderValue> = {
    INSTRUME: 'AAOMEGA-2dF', SPECTID: ccd === 1 ? 'BL' : 'RD', DETECTOR: ccd === 1 ? 'E2V2A' : 'E2V3A',
    OBJECT: s.object ?? (cls === 'MFOBJECT' ? 'G23_Y7_015' : cls === 'MFARC' ? 'ARC - CuAr' : cls),
    NDFCLASS: cls, RUNCMD: cls === 'MFOBJECT' ? 'RUN' : cls === 'MFARC' ? 'ARC' : 'FLAT', OBSTYPE: 'OBJECT',
    CFG_FILE: s.cfg ?? 'G23_Y7_015_p0.sds', SOURCE: `Plate ${s.plate ?? 0}`, FLAPS: 'OPEN', SPEED: 'NORMAL',
    RUN: s.run, OBSNUM: s.run, EXPOSED: cls === 'BIAS' ? 0 : 1800, UTDATE: night.replace(/-/g, ':'), UTSTART: '11:02:33',
    UTMJD: 56926.4601041667, MEANRA: 348.551234567891, MEANDEC: -32.5012345678901,
    GRATID: ccd === 1 ? '580V' : '385R', LAMBDAC: ccd === 1 ? 4800 : 7250, DISPERS: ccd === 1 ? 1.04 : 1.6,
    LAMPNAME: cls === 'MFARC' ? 'CuAr' : '',
  };
  for (const [k, v] of Object.entries({ ...base, ...s.cards })) if (v !== undefined && v !== null) h.set(k, v);
  const nf = s.fibres ?? 10;
  const idx = Array.from({ length: nf }, (_, i) => i);
  const hdus: Parameters<typeof writeFits>[1] = [
    { kind: 'image', header: h, axes: [32, 20], bitpix: 16, data: new Uint16Array(32 * 20).fill(200 + s.run) },
    {
      kind: 'table',
      extname: 'STRUCT.MORE.FIBRES',
      columns: [
        { name: 'NAME', tform: '80A', values: idx.map((i) => (i % 5 === 4 ? 'Sky-' + i : `G${1000 + i}`)) },
        { name: 'RA', tform: '1D', unit: 'radians', values: idx.map((i) => (i === 7 ? null : 6.08 + i * 1e-4)) },
        { name: 'DEC', tform: '1D', unit: 'radians', values: idx.map((i) => (i === 7 ? null : -0.567 - i * 1e-4)) },
        { name: 'TYPE', tform: '1A', values: idx.map((i) => (i % 5 === 4 ? 'S' : i === 7 ? 'U' : 'P')) },
        { name: 'PIVOT', tform: '1I', tnull: -32768, values: idx.map((i) => (i === 9 ? null : i + 1)) },
        { name: 'MAGNITUDE', tform: '1D', values: idx.map((i) => (i % 5 === 4 ? null : 19 + i / 10)) },
      ],
    },
  ];
  if (s.ndfTable !== false) hdus.push({ kind: 'table', extname: 'STRUCT.MORE.NDF_CLASS', columns: [{ name: 'NAME', tform: '16A', values: [cls] }] });
  mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
  await writeFits(path.join(root, rel), hdus);
  return rel;
}
