// Common optical lines for the redshift markers (air wavelengths in Angstrom, as 2dF spectra are: AAOmega arcs
// are calibrated in air), drawn at (1 + z) * rest.
export interface SpectralLine {
  label: string;
  rest: number;
  /** Emission lines are drawn above the spectrum, absorption lines below (so neighbours' labels do not collide). */
  kind: 'emission' | 'absorption';
}

export const spectralLines: readonly SpectralLine[] = [
  { label: '[OII]', rest: 3727.42, kind: 'emission' },
  { label: 'Ca K', rest: 3933.66, kind: 'absorption' },
  { label: 'Ca H', rest: 3968.47, kind: 'absorption' },
  { label: 'Hδ', rest: 4101.74, kind: 'absorption' },
  { label: 'G band', rest: 4304.4, kind: 'absorption' },
  { label: 'Hγ', rest: 4340.47, kind: 'emission' },
  { label: 'Hβ', rest: 4861.33, kind: 'emission' },
  { label: '[OIII]', rest: 4958.91, kind: 'emission' },
  { label: '[OIII]', rest: 5006.84, kind: 'emission' },
  { label: 'Mg b', rest: 5175.36, kind: 'absorption' },
  { label: 'Na D', rest: 5892.94, kind: 'absorption' },
  { label: '[NII]', rest: 6548.05, kind: 'emission' },
  { label: 'Hα', rest: 6562.8, kind: 'emission' },
  { label: '[NII]', rest: 6583.45, kind: 'emission' },
  { label: '[SII]', rest: 6716.44, kind: 'emission' },
  { label: '[SII]', rest: 6730.82, kind: 'emission' },
];

/** Angstrom per unit of the wavelength axis (the products say "Angstroms"; nm and m are converted). */
export function angstromPerUnit(unit: string): number {
  const u = unit.trim().toLowerCase();
  if (u === 'nm' || u.startsWith('nanomet')) return 10;
  if (u === 'm' || u === 'metre' || u === 'meter') return 1e10;
  if (u === 'um' || u === 'micron' || u.startsWith('microm')) return 1e4;
  return 1;
}

/** The lines that fall inside [lo, hi] (axis units) at redshift z, with their observed positions in axis units. */
export function observedLines(z: number, lo: number, hi: number, unit: string): Array<SpectralLine & { at: number }> {
  const k = angstromPerUnit(unit);
  return spectralLines.map((l) => ({ ...l, at: ((1 + z) * l.rest) / k })).filter((l) => l.at >= lo && l.at <= hi);
}
