// Shared pieces of the SODA integration tests: picking frames and a well-exposed fibre, downloading results.
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FrameRecord } from '../../src/domain/frame.js';
import type { FibreTruth, NightTruth } from '../../src/simulate/index.js';
import { separationDeg } from '../../src/cutout/geometry.js';

/** The first object frame of the arm's CCD. */
export function objectFrame(frames: readonly FrameRecord[], ccd: 1 | 2): FrameRecord {
  const f = frames.find((x) => x.ndfClass === 'MFOBJECT' && x.ccd === ccd);
  if (!f) throw new Error(`no object frame on ccd ${ccd}`);
  return f;
}

/** The brightest programme fibre of the first field: its spectrum stands well above the noise. */
export function knownFibre(truth: NightTruth): FibreTruth {
  const p = truth.fields[0].fibres.filter((f) => f.type === 'P' && f.spectrum);
  return p.reduce((a, b) => (b.spectrum!.continuumAt5500 > a.spectrum!.continuumAt5500 ? b : a));
}

/** Names of the fibres with a target (not parked or unused) within radiusDeg of (ra, dec), sorted. */
export function fibresWithin(truth: NightTruth, raDeg: number, decDeg: number, radiusDeg: number): string[] {
  return truth.fields[0].fibres
    .filter((f) => f.type !== 'U' && f.type !== 'N' && separationDeg(raDeg, decDeg, f.raDeg, f.decDeg) <= radiusDeg)
    .map((f) => f.name)
    .sort();
}

/** GETs url into a temporary file and returns its path; throws on a non-200 answer. */
export async function downloadTo(url: string): Promise<string> {
  const res = await fetch(url);
  if (res.status !== 200) throw new Error(`GET ${url} answered ${res.status}: ${await res.text()}`);
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'drsoda-soda-dl-')), path.basename(new URL(url).pathname));
  writeFileSync(file, Buffer.from(await res.arrayBuffer()));
  return file;
}
