// Arc line lists by lamp. Real 2dFdr ships its lists in share/2dfdr; this reducer uses the CuAr list
// the project's simulator renders arcs from (air wavelengths of real Ar I/II and Cu I lines).
import { cuarLines } from '../simulate/lines.js';
import type { ArcLine } from './maths/dispersion.js';

export function arcLineList(lampName: string): { lines: readonly ArcLine[]; lamp: string; exact: boolean } {
  const lamp = lampName.trim() || 'CuAr';
  return { lines: cuarLines, lamp: 'CuAr', exact: /^(CUAR|CU\s*AR|ARCU)$/i.test(lamp.replace(/[-+ ]/g, '')) };
}
