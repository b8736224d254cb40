// Synthetic 2dF-AAOmega nights as archive index rows (FrameRecord), for the planner tests and benchmark:
// both CCDs per exposure, afternoon calibrations, then per field a sequence of flats, arcs, skies and objects.
import { createHash } from 'node:crypto';
import type { Arm, FrameRecord } from '../../src/domain/frame.js';
import { parsePipelinePresets, type PipelinePresets } from '../../src/planner/presets.js';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export type Exposure = 'bias' | 'dark' | 'lflat' | 'flat' | 'arc' | 'sky' | 'object';

export interface FieldSpec {
  cfgFile: string;
  plate: 0 | 1;
  raDeg: number;
  decDeg: number;
  /** Exposures in observing order. */
  sequence: Exposure[];
  objectExposureS?: number;
}

export interface NightSpec {
  night: string;
  /** Afternoon calibrations, in order, before the fields. */
  calibrations?: Array<Exposure | { kind: 'dark'; exposedS: number }>;
  fields: FieldSpec[];
  arms?: Arm[];
  firstRun?: number;
}

const months = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const setups = {
  blue: { gratId: '580V', lambdaCAngstrom: 4800, dispersionAngstromPerPx: 1.04 },
  red: { gratId: '385R', lambdaCAngstrom: 7250, dispersionAngstromPerPx: 1.6 },
} as const;

const classOf: Record<Exposure, string> = { bias: 'BIAS', dark: 'DARK', lflat: 'LFLAT', flat: 'MFFFF', arc: 'MFARC', sky: 'MFSKY', object: 'MFOBJECT' };

export function fileNameOf(night: string, ccd: 1 | 2, run: number): string {
  const [, m, d] = night.split('-');
  return `${d}${months[Number(m) - 1]}${ccd}${String(run).padStart(4, '0')}.fits`;
}

export function frameIdOf(night: string, ccd: 1 | 2, run: number): string {
  return `ivo://drsoda.example.org/aat?${night}/ccd${ccd}/${String(run).padStart(4, '0')}`;
}

function mjdOf(night: string): number {
  return Date.UTC(+night.slice(0, 4), +night.slice(5, 7) - 1, +night.slice(8, 10)) / 86400000 + 40587;
}

function hms(mjd: number): string {
  const s = Math.round((mjd % 1) * 86400);
  return [Math.floor(s / 3600), Math.floor(s / 60) % 60, s % 60].map((n) => String(n).padStart(2, '0')).join(':');
}

/** Builds the night: run numbers from firstRun (1), 90 s of readout between exposures, 05:00 UT start. */
export function buildNight(spec: NightSpec): FrameRecord[] {
  const arms = spec.arms ?? ['blue', 'red'];
  const frames: FrameRecord[] = [];
  let run = spec.firstRun ?? 1;
  let t = mjdOf(spec.night) + 5 / 24;
  const expose = (kind: Exposure, exposedS: number, field: FieldSpec | null) => {
    for (const arm of arms) {
      const ccd = arm === 'blue' ? 1 : 2;
      const fileName = fileNameOf(spec.night, ccd, run);
      const relPath = `${spec.night.slice(2).replace(/-/g, '')}/ccd_${ccd}/${fileName}`;
      const lamp = kind === 'flat' || kind === 'lflat' ? '75W' : kind === 'arc' ? 'CuAr+FeAr' : '';
      frames.push({
        id: frameIdOf(spec.night, ccd, run),
        fileName,
        relPath,
        night: spec.night,
        ccd,
        arm,
        run,
        ndfClass: classOf[kind],
        object: field ? (kind === 'object' ? field.cfgFile.replace(/_p\d\.sds$/, '') : `${classOf[kind]} ${field.cfgFile}`) : classOf[kind],
        ...setups[arm],
        speed: 'NORMAL',
        cfgFile: field?.cfgFile ?? '',
        plate: field?.plate ?? null,
        exposedS,
        utMjd: t,
        utStart: hms(t),
        meanRaDeg: field?.raDeg ?? null,
        meanDecDeg: field?.decDeg ?? null,
        flaps: kind === 'sky' || kind === 'object' ? 'OPEN' : 'CLOSED',
        lampName: lamp,
        naxis1: 2070,
        naxis2: 4098,
        sizeBytes: 2070 * 4098 * 2 + 2880 * 40,
        sha256: createHash('sha256').update(relPath).digest('hex'),
        mtime: new Date('2014-09-27T00:00:00Z'),
      });
    }
    run++;
    t += (exposedS + 90) / 86400;
  };
  for (const c of spec.calibrations ?? []) {
    if (typeof c === 'object') expose('dark', c.exposedS, null);
    else expose(c, c === 'bias' ? 0 : c === 'dark' ? 1200 : 10, null);
  }
  for (const f of spec.fields) {
    t = Math.max(t, mjdOf(spec.night) + 9 / 24);
    for (const kind of f.sequence) {
      const exposedS = kind === 'flat' ? 6 : kind === 'arc' ? 45 : kind === 'sky' ? 300 : kind === 'object' ? (f.objectExposureS ?? 1200) : 0;
      expose(kind, exposedS, f);
    }
  }
  return frames;
}

/** Returns a copy with the named frames patched (by file name). */
export function patchFrames(frames: FrameRecord[], fileNames: string[], patch: Partial<FrameRecord>): FrameRecord[] {
  const missing = fileNames.filter((n) => !frames.some((f) => f.fileName === n));
  if (missing.length) throw new Error(`fixture has no ${missing.join(', ')}`);
  return frames.map((f) => (fileNames.includes(f.fileName) ? { ...f, ...patch } : f));
}

export function dropFrames(frames: FrameRecord[], fileNames: string[]): FrameRecord[] {
  return frames.filter((f) => !fileNames.includes(f.fileName));
}

export function byFile(frames: FrameRecord[], fileName: string): FrameRecord {
  const f = frames.find((x) => x.fileName === fileName);
  if (!f) throw new Error(`fixture has no ${fileName}`);
  return f;
}

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** The committed presets file, as the service reads it. */
export function loadPresets(): PipelinePresets {
  return parsePipelinePresets(JSON.parse(readFileSync(path.join(root, 'schemas/pipeline-presets.json'), 'utf8')));
}
