// Frame classification: NDFCLASS checked against FLAPS, LAMPNAME and EXPOSED; frames that contradict their
// headers are reclassified or ignored by the rule table below, duplicates are dropped; pure.
import { fibreFrameClasses } from '../domain/frame.js';
import type { FrameRecord } from '../domain/frame.js';
import type { IgnoredFrame, ReclassifiedFrame } from '../domain/plan.js';

/** The classes the planner reduces. */
export type PlanClass = 'BIAS' | 'DARK' | 'LFLAT' | 'MFFFF' | 'MFARC' | 'MFOBJECT' | 'MFSKY';

export interface ClassifiedFrame {
  frame: FrameRecord;
  cls: PlanClass;
  /** Instrument set-up that calibrations must share: grating, central wavelength, readout speed. */
  setup: string;
}

export interface Classification {
  /** Sorted by night, CCD, time, run, id. */
  frames: ClassifiedFrame[];
  ignored: IgnoredFrame[];
  reclassified: ReclassifiedFrame[];
}

type LampKind = 'none' | 'arc' | 'continuum' | 'unknown';

// 2dF arc lamps (CuAr, FeAr, ThAr, ...) and continuum lamps (quartz/halogen, "75W"); exact LAMPNAME spellings
// for 2dF are not established (2dfdr-domain-notes §9), so both are matched token by token.
const arcTokens = new Set(['CUAR', 'FEAR', 'THAR', 'CUNE', 'HGAR', 'NEAR', 'HE', 'NE', 'AR', 'HG', 'XE', 'KR', 'CD', 'ZN']);
const continuumToken = /^(QUARTZ|QTZ|HALOGEN|TUNGSTEN|\d+W)$/;

export function lampKind(lampName: string): LampKind {
  const tokens = lampName.toUpperCase().split(/[^A-Z0-9]+/).filter(Boolean);
  if (tokens.length === 0 || tokens.every((t) => t === 'NONE' || t === 'OFF')) return 'none';
  if (tokens.some((t) => arcTokens.has(t))) return 'arc';
  if (tokens.some((t) => continuumToken.test(t))) return 'continuum';
  return 'unknown';
}

export function setupKey(f: FrameRecord): string {
  return `${f.gratId.trim().toUpperCase()} ${f.lambdaCAngstrom.toFixed(1)}A ${f.speed.trim().toUpperCase()}`;
}

type Verdict = { cls: PlanClass; reason?: string } | { ignore: string };

/**
 * The documented rule table. Reclassify when the headers say unambiguously what the frame is (a lamp type, a
 * zero exposure); ignore when they only say what it is not. Old/alias names: DFLAT -> LFLAT (2dfdr's old
 * name), SFLAT -> MFSKY (offset flats serve as offset skies for throughput, as SAMI offers).
 */
export function judge(f: FrameRecord): Verdict {
  const recorded = f.ndfClass.trim().toUpperCase();
  const lamp = lampKind(f.lampName);
  const flaps = f.flaps.trim().toUpperCase();
  const exposed = f.exposedS;
  switch (recorded) {
    case 'BIAS':
      if (exposed > 0) return { ignore: `BIAS with EXPOSED=${exposed} s` };
      if (lamp !== 'none') return { ignore: `BIAS with lamp ${f.lampName.trim()} on` };
      return { cls: 'BIAS' };
    case 'DARK':
      if (exposed <= 0) return { cls: 'BIAS', reason: 'DARK with EXPOSED=0 s is a bias' };
      if (lamp !== 'none') return { ignore: `DARK with lamp ${f.lampName.trim()} on` };
      return { cls: 'DARK' };
    case 'LFLAT':
    case 'DFLAT':
      if (exposed <= 0) return { ignore: `${recorded} with EXPOSED=0 s` };
      return { cls: 'LFLAT', reason: recorded === 'DFLAT' ? 'DFLAT is the old name of LFLAT' : undefined };
    case 'MFFFF':
      if (lamp === 'arc') return { cls: 'MFARC', reason: `MFFFF lit by arc lamp ${f.lampName.trim()}` };
      if (exposed <= 0) return { ignore: 'MFFFF with EXPOSED=0 s' };
      return { cls: 'MFFFF' };
    case 'MFARC':
      if (lamp === 'continuum') return { cls: 'MFFFF', reason: `MFARC lit by continuum lamp ${f.lampName.trim()}` };
      if (lamp === 'none' && flaps === 'OPEN') return { ignore: 'MFARC with no lamp and FLAPS OPEN' };
      if (exposed <= 0) return { ignore: 'MFARC with EXPOSED=0 s' };
      return { cls: 'MFARC' };
    case 'MFOBJECT':
    case 'MFSKY':
    case 'SFLAT': {
      const as: PlanClass = recorded === 'MFOBJECT' ? 'MFOBJECT' : 'MFSKY';
      if (flaps === 'CLOSED') {
        if (lamp === 'arc') return { cls: 'MFARC', reason: `${recorded} with FLAPS CLOSED and arc lamp ${f.lampName.trim()}` };
        if (lamp === 'continuum') return { cls: 'MFFFF', reason: `${recorded} with FLAPS CLOSED and continuum lamp ${f.lampName.trim()}` };
        return { ignore: `${recorded} with FLAPS CLOSED: no sky light reaches the fibres` };
      }
      if (exposed <= 0) return { ignore: `${recorded} with EXPOSED=0 s` };
      return { cls: as, reason: recorded === 'SFLAT' ? 'SFLAT (offset flat) is used as an offset sky' : undefined };
    }
    case '':
      return { ignore: 'no NDFCLASS' };
    default:
      return { ignore: `class ${recorded} is not reduced by drsoda` };
  }
}


export function compareFrames(a: FrameRecord, b: FrameRecord): number {
  return (
    (a.night < b.night ? -1 : a.night > b.night ? 1 : 0) ||
    a.ccd - b.ccd ||
    a.utMjd - b.utMjd ||
    a.run - b.run ||
    (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
  );
}

/** Classifies every frame; the result does not depend on the input order. */
export function classifyFrames(input: readonly FrameRecord[]): Classification {
  const ignored: IgnoredFrame[] = [];
  const reclassified: ReclassifiedFrame[] = [];
  const ignore = (f: FrameRecord, reason: string) =>
    ignored.push({ frameId: f.id, fileName: f.fileName, ndfClass: f.ndfClass, reason });

  // One record per exposure and CCD: the same id twice is the same record; another id for the same
  // night/CCD/run is a duplicate index entry, and the one with the smallest relPath (then id) is kept.
  const byExposure = new Map<string, FrameRecord[]>();
  const seenIds = new Set<string>();
  for (const f of input) {
    if (seenIds.has(f.id)) continue;
    seenIds.add(f.id);
    const key = `${f.night}|${f.ccd}|${f.run}`;
    const list = byExposure.get(key);
    if (list) list.push(f);
    else byExposure.set(key, [f]);
  }
  const frames: ClassifiedFrame[] = [];
  for (const list of byExposure.values()) {
    list.sort((a, b) => (a.relPath < b.relPath ? -1 : a.relPath > b.relPath ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    const [kept, ...dups] = list;
    for (const d of dups) ignore(d, `duplicate of ${kept.fileName} (${kept.id}): same night, CCD and run`);
    const v = judge(kept);
    if ('ignore' in v) {
      ignore(kept, v.ignore);
      continue;
    }
    if (v.reason) reclassified.push({ frameId: kept.id, fileName: kept.fileName, from: kept.ndfClass, to: v.cls, reason: v.reason });
    if (fibreFrameClasses.has(v.cls) && (!kept.cfgFile.trim() || kept.plate === null)) {
      ignore(kept, `${v.cls} without a 2dF configuration (CFG_FILE/SOURCE): its tramlines cannot be matched`);
      continue;
    }
    frames.push({ frame: kept, cls: v.cls, setup: setupKey(kept) });
  }
  frames.sort((a, b) => compareFrames(a.frame, b.frame));
  const byFile = (a: { fileName: string; frameId: string }, b: { fileName: string; frameId: string }) =>
    a.fileName < b.fileName ? -1 : a.fileName > b.fileName ? 1 : a.frameId < b.frameId ? -1 : a.frameId > b.frameId ? 1 : 0;
  ignored.sort(byFile);
  reclassified.sort(byFile);
  return { frames, ignored, reclassified };
}
