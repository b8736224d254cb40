// Emission-line lists the simulator ships besides the arc lamp: night-sky and galaxy lines, air wavelengths in
// Angstrom (NIST-style values of the [O I], Na D, Hg and OH sky lines). Arcs are rendered from the reducer's own
// CuAr list (src/reducer/arc-lines.ts), so the reducer finds lines exactly where the simulator put them.

export interface EmissionLine {
  wavelengthAngstrom: number;
  /** Relative intensity (arc: arbitrary lamp units; sky: electrons per second into a fibre, before throughput). */
  intensity: number;
  species: string;
}

const line = (wavelengthAngstrom: number, intensity: number, species: string): EmissionLine => ({ wavelengthAngstrom, intensity, species });

/** Night-sky lines: [O I], Na D, city Hg and the brighter OH lines; intensity in electrons per second per fibre. */
export const skyLines: readonly EmissionLine[] = Object.freeze([
  line(4046.565, 0.6, 'Hg I'), line(4358.335, 1.2, 'Hg I'), line(5460.750, 1.5, 'Hg I'), line(5577.338, 12, '[O I]'),
  line(5889.950, 2.5, 'Na I'), line(5895.924, 2, 'Na I'), line(6300.304, 5, '[O I]'), line(6363.776, 1.8, '[O I]'),
  line(6863.955, 3, 'OH'), line(6923.220, 2.5, 'OH'), line(7276.405, 3, 'OH'), line(7316.282, 4, 'OH'),
  line(7340.885, 4.5, 'OH'), line(7369.248, 3, 'OH'), line(7401.685, 2.5, 'OH'), line(7750.640, 5, 'OH'),
  line(7794.112, 5.5, 'OH'), line(7821.503, 4, 'OH'), line(7913.708, 6, 'OH'), line(7993.332, 7, 'OH'),
  line(8344.602, 9, 'OH'), line(8399.170, 8, 'OH'), line(8430.170, 7, 'OH'), line(8465.358, 7.5, 'OH'),
  line(8504.616, 6, 'OH'), line(8827.096, 9, 'OH'), line(8885.850, 8, 'OH'),
]);

/** Rest wavelengths of galaxy emission lines the simulator may put into programme spectra. */
export const galaxyLines: readonly EmissionLine[] = Object.freeze([
  line(3727.42, 1, '[O II]'), line(4861.33, 0.5, 'H beta'), line(5006.84, 0.8, '[O III]'), line(6562.80, 1.6, 'H alpha'), line(6583.45, 0.5, '[N II]'),
]);
