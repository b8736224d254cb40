// How the Reduce dialog names drsoda's SODA parameters to a 2dF astronomer: a label in 2dFdr's words, a help text
// in the units the form uses, and readable names for enumerated values. The protocol name stays visible as a small
// hint (it is what a script or pyvo call would send); a parameter not listed here is shown by its descriptor alone.

export interface ParamWords {
  label: string;
  /** Replaces the descriptor's description (which speaks in the protocol's units). */
  help?: string;
  /** Readable names for option values; values not listed are shown as they are. */
  options?: Record<string, string>;
}

const words: Record<string, ParamWords> = {
  RESPONSEFORMAT: {
    label: 'Output format',
    help: 'FITS: the 2dFdr reduced, combined or spliced file cut to the fibres and wavelengths asked for. VOTable: one row per fibre with wavelength, flux and variance.',
    options: { 'application/fits': 'FITS (2dFdr file)', 'application/x-votable+xml': 'VOTable (one row per fibre)' },
  },
  ARMS: { label: 'Spectrograph arms', help: 'AAOmega blue arm, red arm, or both.' },
  COMBINE: { label: 'Combine exposures', help: "Combine the field's object frames (same night, configuration, plate and arm) into one spectrum per fibre." },
  SPLICE: { label: 'Splice blue and red', help: 'Join the blue and red spectra of the same exposure or field into one spectrum.' },
  SKYSUB: { label: 'Subtract the sky', help: 'Subtract the sky measured in the sky fibres.' },
  EXTRACTION: { label: 'Extraction method', help: '2dFdr extraction of fibre flats, offset skies and objects (EXTR_OPERATION).' },
  THROUGHPUT: { label: 'Fibre throughput calibration', help: '2dFdr throughput method (TPMETH); OFFSKY falls back to SKYFLUX(MED) without an offset-sky frame; NONE switches it off.' },
  IDX_PRESET: { label: '2dFdr settings preset', help: 'The 2dFdr idx parameter files used for each grating.' },
  BAND: { label: 'Wavelength range', help: 'Trim the reduced spectra to this range, in nm; clipped to the data.' },
  CIRCLE: { label: 'Sky region (circle)', help: 'Keep only the fibres whose targets fall inside this circle (ICRS, degrees). Click the sky map, or type it.' },
  TIME: { label: 'Exposure window (UTC)', help: 'For fields and nights: keep only the object frames whose exposure overlaps this window, in UTC.' },
  POS: { label: 'Sky region (SODA POS shape)' },
  POLYGON: { label: 'Sky region (polygon)' },
};

export const wordsFor = (name: string): ParamWords => words[name] ?? { label: name };

export const optionLabel = (name: string, value: string): string => words[name]?.options?.[value] ?? value;
