// Calibration matching for fibre calibrations (tramline/flat, arc, offset sky): same night, arm and set-up,
// then by tier (same observing block, same configuration, same plate), nearest in time; pure.
import type { FrameRecord } from '../domain/frame.js';
import type { PlanClass } from './classify.js';
import type { FrameIndex, IndexedFrame } from './frame-index.js';
import { sameConfiguration } from './frame-index.js';

export type MatchTier = 'block' | 'configuration' | 'plate';

export interface FibreMatch {
  frame: IndexedFrame;
  tier: MatchTier;
  reason: string;
}

export const classNames: Record<PlanClass, string> = {
  BIAS: 'bias (BIAS)',
  DARK: 'dark (DARK)',
  LFLAT: 'long-slit flat (LFLAT)',
  MFFFF: 'fibre flat (MFFFF)',
  MFARC: 'arc (MFARC)',
  MFOBJECT: 'object frame (MFOBJECT)',
  MFSKY: 'offset sky (MFSKY)',
};

function delta(cal: FrameRecord, subject: FrameRecord): string {
  const min = (cal.utMjd - subject.utMjd) * 1440;
  return `${Math.abs(min).toFixed(1)} min ${min <= 0 ? 'before' : 'after'}`;
}

/** Nearest in time; a tie goes to the earlier frame, then the lower run (deterministic). */
function nearest(candidates: IndexedFrame[], subject: FrameRecord): IndexedFrame {
  let best = candidates[0];
  let bestDt = Math.abs(best.frame.utMjd - subject.utMjd);
  for (const c of candidates.slice(1)) {
    const dt = Math.abs(c.frame.utMjd - subject.utMjd);
    if (dt < bestDt || (dt === bestDt && (c.frame.utMjd < best.frame.utMjd || (c.frame.utMjd === best.frame.utMjd && c.frame.run < best.frame.run)))) {
      best = c;
      bestDt = dt;
    }
  }
  return best;
}

export const configurationName = (f: FrameRecord) => `${f.cfgFile.trim()} plate ${f.plate}`;

/**
 * Finds the `cls` frame that calibrates `subject`. Tiers, best first: the subject's own observing block;
 * another block of the same CFG_FILE and plate (warned); another configuration on the same plate, which shares
 * the slit and so the tramlines (warned; not for offset skies, whose throughput belongs to one configuration).
 * Returns null when no tier has a candidate.
 */
export function matchFibreCalibration(index: FrameIndex, subject: IndexedFrame, cls: 'MFFFF' | 'MFARC' | 'MFSKY'): FibreMatch | null {
  const s = subject.frame;
  const pool = index.ofClass(s.night, s.arm, cls).filter((c) => c.setup === subject.setup && c.frame.id !== s.id);
  const what = classNames[cls];
  const inBlock = pool.filter((c) => c.cob === subject.cob);
  if (inBlock.length) {
    const m = nearest(inBlock, s);
    return { frame: m, tier: 'block', reason: `same observing block (${configurationName(s)}), nearest in time (${delta(m.frame, s)})` };
  }
  const sameCfg = pool.filter((c) => sameConfiguration(c.frame, s));
  if (sameCfg.length) {
    const m = nearest(sameCfg, s);
    return {
      frame: m,
      tier: 'configuration',
      reason: `no ${what} in the observing block; nearest of the same configuration (${configurationName(s)}) from another block (${delta(m.frame, s)})`,
    };
  }
  if (cls === 'MFSKY') return null;
  const samePlate = pool.filter((c) => c.frame.plate === s.plate);
  if (samePlate.length) {
    const m = nearest(samePlate, s);
    return {
      frame: m,
      tier: 'plate',
      reason: `no ${what} for ${configurationName(s)} on ${s.night}; nearest on the same plate from configuration ${m.frame.cfgFile.trim()} (${delta(m.frame, s)})`,
    };
  }
  return null;
}

/** What a missing calibration needed, for the UsageError. */
export function describeNeed(subject: IndexedFrame, cls: PlanClass): string {
  const s = subject.frame;
  return `no ${classNames[cls]} for ${s.fileName}: needs ${s.arm} arm, ${subject.setup}, night ${s.night}, plate ${s.plate}`;
}
