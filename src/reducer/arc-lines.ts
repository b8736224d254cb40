// The reducer's own arc line lists (real 2dFdr ships its lists in share/2dfdr with the pipeline): today one CuAr
// list, air wavelengths in Angstrom of real Ar I, Ar II and Cu I lines (NIST-style values). Relative intensities
// are our own, chosen to look like a CuAr lamp through 580V/385R. The simulator renders its arcs from this same
// list, so it imports this file (and only this one) from reducer/: keep it free of imports.

export interface ArcLampLine {
  wavelengthAngstrom: number;
  /** Relative intensity in arbitrary lamp units; used to skip blends and to rank lines. */
  intensity: number;
  species: string;
}

const line = (wavelengthAngstrom: number, intensity: number, species: string): ArcLampLine => ({ wavelengthAngstrom, intensity, species });

export const cuarLines: readonly ArcLampLine[] = Object.freeze([
  line(3850.581, 120, 'Ar II'), line(3868.528, 180, 'Ar II'), line(3928.623, 150, 'Ar II'), line(3948.979, 220, 'Ar I'),
  line(4013.857, 140, 'Ar II'), line(4022.628, 90, 'Cu I'), line(4042.894, 160, 'Ar II'), line(4062.640, 110, 'Cu I'),
  line(4072.005, 190, 'Ar II'), line(4103.912, 170, 'Ar II'), line(4131.724, 260, 'Ar II'), line(4158.590, 420, 'Ar I'),
  line(4181.884, 120, 'Ar I'), line(4200.674, 380, 'Ar I'), line(4228.158, 210, 'Ar II'), line(4259.362, 330, 'Ar I'),
  line(4277.528, 300, 'Ar II'), line(4300.101, 200, 'Ar I'), line(4333.561, 240, 'Ar I'), line(4348.064, 620, 'Ar II'),
  line(4379.667, 180, 'Ar II'), line(4426.001, 520, 'Ar II'), line(4510.733, 230, 'Ar I'), line(4545.052, 480, 'Ar II'),
  line(4579.350, 400, 'Ar II'), line(4609.567, 470, 'Ar II'), line(4657.901, 560, 'Ar II'), line(4726.868, 450, 'Ar II'),
  line(4735.906, 420, 'Ar II'), line(4764.865, 600, 'Ar II'), line(4806.020, 700, 'Ar II'), line(4847.810, 330, 'Ar II'),
  line(4879.864, 720, 'Ar II'), line(4965.080, 380, 'Ar II'), line(5009.334, 300, 'Ar II'), line(5062.037, 280, 'Ar II'),
  line(5105.541, 520, 'Cu I'), line(5153.235, 640, 'Cu I'), line(5218.202, 700, 'Cu I'), line(5421.352, 110, 'Ar I'),
  line(5451.652, 150, 'Ar I'), line(5495.874, 190, 'Ar I'), line(5558.702, 220, 'Ar I'), line(5606.733, 260, 'Ar I'),
  line(5650.704, 240, 'Ar I'), line(5700.237, 380, 'Cu I'), line(5739.520, 200, 'Ar I'), line(5782.132, 420, 'Cu I'),
  line(5888.584, 230, 'Ar I'), line(5912.085, 300, 'Ar I'), line(6032.127, 260, 'Ar I'), line(6043.223, 280, 'Ar I'),
  line(6059.372, 220, 'Ar I'), line(6416.307, 320, 'Ar I'), line(6677.282, 420, 'Ar I'), line(6752.834, 400, 'Ar I'),
  line(6871.289, 360, 'Ar I'), line(6937.664, 300, 'Ar I'), line(6965.431, 1800, 'Ar I'), line(7030.251, 260, 'Ar I'),
  line(7067.218, 1500, 'Ar I'), line(7147.042, 900, 'Ar I'), line(7272.936, 1000, 'Ar I'), line(7383.980, 1400, 'Ar I'),
  line(7503.869, 2000, 'Ar I'), line(7514.652, 1500, 'Ar I'), line(7635.106, 2500, 'Ar I'), line(7723.761, 1600, 'Ar I'),
  line(7948.176, 2000, 'Ar I'), line(8006.157, 1400, 'Ar I'), line(8014.786, 2200, 'Ar I'), line(8103.693, 1500, 'Ar I'),
  line(8115.311, 2500, 'Ar I'), line(8264.522, 1800, 'Ar I'), line(8408.210, 1600, 'Ar I'), line(8424.648, 2000, 'Ar I'),
  line(8521.442, 1700, 'Ar I'), line(8667.944, 1200, 'Ar I'),
]);

/** The line list for an idx LAMPNAME: only CuAr exists, so any other lamp gets CuAr with exact = false. */
export function arcLineList(lampName: string): { lines: readonly ArcLampLine[]; lamp: string; exact: boolean } {
  const lamp = lampName.trim() || 'CuAr';
  return { lines: cuarLines, lamp: 'CuAr', exact: /^(CUAR|CU\s*AR|ARCU)$/i.test(lamp.replace(/[-+ ]/g, '')) };
}
