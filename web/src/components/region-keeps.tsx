// Before submission: how many targets and object frames the chosen region (CIRCLE, POS, POLYGON) and TIME keep,
// from the same fibre tables the service tests regions against (src/soda/region-overlap.ts), so an empty choice
// is seen, and refused, before a job is made.
import { useEffect } from 'preact/hooks';
import { frameWithFibres, listFrames, type FibreJson, type FrameJson } from '../api/frames';
import { useAsync } from '../use-async';
import './job-provenance.css';

const deg = Math.PI / 180;

type Region = (ra: number, dec: number) => boolean;

function separation(ra1: number, dec1: number, ra2: number, dec2: number): number {
  const s = Math.sin(((dec2 - dec1) * deg) / 2) ** 2 + Math.cos(dec1 * deg) * Math.cos(dec2 * deg) * Math.sin(((ra2 - ra1) * deg) / 2) ** 2;
  return (2 * Math.asin(Math.min(1, Math.sqrt(s)))) / deg;
}

const nums = (s: string) => s.trim().split(/\s+/).filter(Boolean).map(Number);

const circle = (v: number[]): Region | null => (v.length === 3 && v.every(Number.isFinite) ? (ra, dec) => separation(v[0], v[1], ra, dec) <= v[2] : null);

/** Point in a small spherical polygon, tested on the tangent plane at its first vertex (a 2dF field is 2 degrees). */
function polygon(v: number[]): Region | null {
  if (v.length < 6 || v.length % 2 || !v.every(Number.isFinite)) return null;
  const [ra0, dec0] = v;
  const xy = (ra: number, dec: number) => [(((ra - ra0 + 540) % 360) - 180) * Math.cos(dec0 * deg), dec - dec0];
  const pts = Array.from({ length: v.length / 2 }, (_, i) => xy(v[2 * i], v[2 * i + 1]));
  return (ra, dec) => {
    const [x, y] = xy(ra, dec);
    let inside = false;
    for (let i = 0, j = pts.length - 1; i < pts.length; j = i++) {
      const [xi, yi] = pts[i];
      const [xj, yj] = pts[j];
      if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
    }
    return inside;
  };
}

/** POS (DALI shape words), CIRCLE and POLYGON values as region tests; null when a value is incomplete. */
export function regionsOf(values: Record<string, string>): Region[] | null {
  const out: Region[] = [];
  const add = (r: Region | null) => (r ? (out.push(r), true) : false);
  if (values.CIRCLE?.trim() && !add(circle(nums(values.CIRCLE)))) return null;
  if (values.POLYGON?.trim() && !add(polygon(nums(values.POLYGON)))) return null;
  const pos = values.POS?.trim();
  if (pos) {
    const [shape, ...rest] = pos.split(/\s+/);
    const v = rest.map(Number);
    const s = shape.toUpperCase();
    const r = s === 'CIRCLE' ? circle(v) : s === 'POLYGON' ? polygon(v) : s === 'RANGE' && v.length === 4 && v.every(Number.isFinite)
      ? (ra: number, dec: number) => ra >= v[0] && ra <= v[1] && dec >= v[2] && dec <= v[3]
      : null;
    if (!add(r)) return null;
  }
  return out;
}

async function objectFrames(ids: string[], signal: AbortSignal): Promise<FrameJson[]> {
  const lists = await Promise.all(
    ids.map(async (id) => {
      const field = /\?(\d{4}-\d{2}-\d{2})\/field\/([^/]+)$/.exec(id);
      if (field) return listFrames({ night: field[1], field: decodeURIComponent(field[2]), class: 'MFOBJECT' }, signal);
      const f = await frameWithFibres(id, signal);
      return f.ndfClass === 'MFOBJECT' ? [f] : [];
    }),
  );
  return lists.flat();
}

interface Selection {
  frames: FrameJson[];
  /** Fibres per 2dF configuration (night, configuration file, plate). */
  fibres: Map<string, FibreJson[]>;
}

const configOf = (f: FrameJson) => `${f.night} ${f.cfgFile} ${f.plate}`;

async function load(ids: string[], signal: AbortSignal): Promise<Selection> {
  const frames = await objectFrames(ids, signal);
  const first = new Map<string, FrameJson>();
  for (const f of frames) if (!first.has(configOf(f))) first.set(configOf(f), f);
  const fibres = new Map(await Promise.all([...first].map(async ([k, f]) => [k, (await frameWithFibres(f.id, signal)).fibres] as const)));
  return { frames, fibres };
}

export interface Kept {
  targets: number;
  frames: number;
  allFrames: number;
  /** True when a region or TIME is set (else everything is kept). */
  filtered: boolean;
}

/** Targets (program fibres, by name) and object frames the region and TIME keep; null while the region is unfinished. */
export function keptBy(sel: Selection, values: Record<string, string> | null): Kept | null {
  const regions = values && regionsOf(values);
  if (!regions) return null;
  const time = nums(values!.TIME ?? '');
  const inTime = (f: FrameJson) => time.length !== 2 || (f.utMjd >= time[0] && f.utMjd <= time[1]);
  const targets = new Set<string>();
  let frames = 0;
  for (const f of sel.frames) {
    if (!inTime(f)) continue;
    const inside = (sel.fibres.get(configOf(f)) ?? []).filter(
      (x) => x.type === 'P' && x.raRad !== null && x.decRad !== null && (!regions.length || regions.some((r) => r(x.raRad! / deg, x.decRad! / deg))),
    );
    if (inside.length) frames++;
    for (const x of inside) targets.add(`${configOf(f)} ${x.name}`);
  }
  return { targets: targets.size, frames, allFrames: sel.frames.length, filtered: regions.length > 0 || time.length === 2 };
}

/**
 * The count as a sentence; reports to onKept (null while unknown) so the dialog can refuse an empty choice.
 * `values` are the request's SODA values (DALI, MJD for TIME), or null while a region box is unfinished.
 */
export function RegionKeeps({ ids, values, onKept }: { ids: string[]; values: Record<string, string> | null; onKept: (k: Kept | null) => void }) {
  const sel = useAsync((signal) => load(ids, signal), [ids.join('\n')]);
  const kept = sel.data ? keptBy(sel.data, values) : null;
  const key = kept ? `${kept.targets}/${kept.frames}/${kept.allFrames}/${kept.filtered}` : '';
  useEffect(() => onKept(kept), [key]);
  if (sel.error) return <p class="muted region-keeps">Could not count the targets: {sel.error.message}</p>;
  if (!sel.data) return <p class="muted region-keeps">Counting the targets…</p>;
  if (!kept) return <p class="muted region-keeps" role="status">Finish the region to see what it keeps.</p>;
  const empty = kept.filtered && (kept.targets === 0 || kept.frames === 0);
  return (
    <p class={`region-keeps${empty ? ' empty' : ''}`} role="status" data-targets={kept.targets} data-frames={kept.frames}>
      {empty
        ? `The region keeps no targets: none of the ${kept.allFrames} object frames has a target inside it. Choose another region.`
        : `${kept.filtered ? 'The region keeps' : 'Keeps all'} ${kept.targets} target${kept.targets === 1 ? '' : 's'} in ${kept.frames} of ${kept.allFrames} object frames.`}
    </p>
  );
}
