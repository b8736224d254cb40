// What the archive index knows about one raw 2dF-AAOmega frame (one CCD of one exposure); pure types.

/** CCD 1 is the blue arm (SPECTID 'BL'), CCD 2 the red arm ('RD'). */
export type Arm = 'blue' | 'red';

/** 2dFdr frame classes (NDFCLASS). */
export type NdfClass = 'BIAS' | 'DARK' | 'LFLAT' | 'MFFFF' | 'MFARC' | 'MFOBJECT' | 'MFSKY' | 'SFLAT' | 'MFFLX' | string;

/** Frame classes taken through the fibres: they carry a fibre table (FIBRES HDU) and a 2dF configuration. */
export const fibreFrameClasses: ReadonlySet<string> = new Set(['MFFFF', 'MFARC', 'MFOBJECT', 'MFSKY', 'SFLAT']);

export type FibreType = 'P' | 'S' | 'F' | 'N' | 'U' | string;

export interface Fibre {
  /** 1-based slit position (row i+1 of STRUCT.MORE.FIBRES). */
  fibre: number;
  name: string;
  type: FibreType;
  raRad: number;
  decRad: number;
  pivot: number;
  magnitude: number | null;
}

export interface FrameRecord {
  /** IVOA publisher DID, e.g. ivo://drsoda.example.org/aat?2014-09-26/ccd1/0023 */
  id: string;
  /** File name as the AAT writes it, e.g. 26sep10023.fits */
  fileName: string;
  /** Path relative to ARCHIVE_ROOT, e.g. 140926/ccd_1/26sep10023.fits */
  relPath: string;
  /** Observing night as YYYY-MM-DD (UTDATE). */
  night: string;
  ccd: 1 | 2;
  arm: Arm;
  run: number;
  ndfClass: NdfClass;
  /** OBJECT keyword (field name for science frames). */
  object: string;
  gratId: string;
  lambdaCAngstrom: number;
  dispersionAngstromPerPx: number;
  speed: string;
  /** CFG_FILE, e.g. G23_Y7_015_p0.sds; empty for frames taken without a 2dF configuration. */
  cfgFile: string;
  /** 2dF plate from SOURCE ('Plate 0' -> 0); null when absent. */
  plate: 0 | 1 | null;
  exposedS: number;
  utMjd: number;
  utStart: string;
  meanRaDeg: number | null;
  meanDecDeg: number | null;
  /** AIRMASS, else sec(ZDSTART); null (or absent in hand-built records) when the header has neither. */
  airmass?: number | null;
  /** SEEING (arcsec) when the header records it; 2dF headers usually do not. */
  seeingArcsec?: number | null;
  flaps: string;
  lampName: string;
  naxis1: number;
  naxis2: number;
  sizeBytes: number;
  /** sha256 of the file bytes, hex. */
  sha256: string;
  /** File mtime, for re-reading changed files. */
  mtime: Date;
}

/** A frame as the archive index holds it: the record plus the root it was indexed under, its field, and whether its file is still there. */
export interface ArchivedFrame extends FrameRecord {
  root: string;
  field: string;
  missingSince: Date | null;
}
