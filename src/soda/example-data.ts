// Picks real identifiers from the archive for the DALI examples document, so every example works as written.
import { formatFieldDid } from '../archive/dids.js';
import type { Pool } from '../store/db.js';
import { listFibres, listFrames } from '../store/frame-store.js';
import type { ExampleData } from '../vo/examples.js';
import { bandOf } from './proc-descriptor.js';

const deg = 180 / Math.PI;
/** Around one programme fibre, a circle of this radius (degrees) holds a few of its neighbours on a 2dF field. */
const exampleRadiusDeg = 0.2;

/** Example data from the first object frames of the archive (blue arm first), or null when it has none. */
export async function exampleData(pool: Pool, authority: string): Promise<ExampleData | null> {
  const { frames } = await listFrames(pool, { ndfClass: ['MFOBJECT'] }, { limit: 4, offset: 0 });
  if (!frames.length) return null;
  const first = frames.find((f) => f.arm === 'blue') ?? frames[0];
  const other = frames.find((f) => f.id !== first.id) ?? first;
  const fibres = await listFibres(pool, first.id);
  const target = fibres.find((f) => f.type === 'P' && Number.isFinite(f.raRad) && Number.isFinite(f.decRad));
  const ra = target ? target.raRad * deg : (first.meanRaDeg ?? 0);
  const dec = target ? target.decRad * deg : (first.meanDecDeg ?? 0);
  // The middle half of the arm's range: inside the data whatever the grating.
  const band = bandOf([first]) ?? [4.5e-7, 5.5e-7];
  const q = (band[1] - band[0]) / 4;
  return {
    objectFrameId: first.id,
    objectFileName: first.fileName,
    otherFrameId: other.id,
    fieldId: first.cfgFile ? formatFieldDid(authority, { night: first.night, cfg: first.cfgFile }) : null,
    circle: [Number(ra.toFixed(5)), Number(dec.toFixed(5)), exampleRadiusDeg],
    bandMetres: [Number((band[0] + q).toPrecision(4)), Number((band[1] - q).toPrecision(4))],
  };
}
