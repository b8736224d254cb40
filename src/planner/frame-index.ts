// Indexes classified frames by night, arm, class and set-up, and splits each night into continuous observing
// blocks (COBs) as GALAH's 2dF reduction does (2dfdr-domain-notes §4.3); pure.
import { fibreFrameClasses } from '../domain/frame.js';
import type { Arm, FrameRecord } from '../domain/frame.js';
import type { ClassifiedFrame, PlanClass } from './classify.js';

export interface IndexedFrame extends ClassifiedFrame {
  /** Observing block number within its night and arm (1-based); 0 for detector calibrations. */
  cob: number;
}

/** A pointing change larger than this between consecutive fibre frames starts a new block (GALAH rule). */
const blockJumpDeg = 1;


function separationDeg(a: FrameRecord, b: FrameRecord): number | null {
  if (a.meanRaDeg === null || a.meanDecDeg === null || b.meanRaDeg === null || b.meanDecDeg === null) return null;
  const r = Math.PI / 180;
  const d1 = a.meanDecDeg * r;
  const d2 = b.meanDecDeg * r;
  const h =
    Math.sin((d2 - d1) / 2) ** 2 + Math.cos(d1) * Math.cos(d2) * Math.sin(((b.meanRaDeg - a.meanRaDeg) * r) / 2) ** 2;
  return (2 * Math.asin(Math.min(1, Math.sqrt(h)))) / r;
}

export const sameConfiguration = (a: FrameRecord, b: FrameRecord) =>
  a.cfgFile.trim().toLowerCase() === b.cfgFile.trim().toLowerCase() && a.plate === b.plate;

export class FrameIndex {
  readonly byId = new Map<string, IndexedFrame>();
  private readonly buckets = new Map<string, IndexedFrame[]>();
  private readonly exposures = new Map<string, IndexedFrame>();

  /** @param frames sorted by night, CCD, time (classifyFrames' order). */
  constructor(frames: readonly ClassifiedFrame[]) {
    let key = '';
    let cob = 0;
    let prev: FrameRecord | null = null;
    for (const c of frames) {
      const f = c.frame;
      const nightArm = `${f.night}|${f.arm}`;
      if (nightArm !== key) {
        key = nightArm;
        cob = 0;
        prev = null;
      }
      let block = 0;
      if (fibreFrameClasses.has(c.cls)) {
        const sep = prev ? separationDeg(prev, f) : null;
        if (!prev || !sameConfiguration(prev, f) || (sep !== null && sep > blockJumpDeg)) cob++;
        prev = f;
        block = cob;
      }
      const x: IndexedFrame = { ...c, cob: block };
      this.byId.set(f.id, x);
      this.exposures.set(`${f.night}|${f.run}|${f.arm}`, x);
      this.push(`${f.night}|${f.arm}|${c.cls}`, x);
    }
  }

  private push(key: string, x: IndexedFrame): void {
    const list = this.buckets.get(key);
    if (list) list.push(x);
    else this.buckets.set(key, [x]);
  }

  /** Frames of one class on one night and arm, in time order. */
  ofClass(night: string, arm: Arm, cls: PlanClass): readonly IndexedFrame[] {
    return this.buckets.get(`${night}|${arm}|${cls}`) ?? [];
  }

  /** The same exposure (night and run) on the given arm, if the index has it. */
  exposure(night: string, run: number, arm: Arm): IndexedFrame | undefined {
    return this.exposures.get(`${night}|${run}|${arm}`);
  }

  all(): IterableIterator<IndexedFrame> {
    return this.byId.values();
  }
}
