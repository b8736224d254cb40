// The Reduce dialog's sentence on what the request keeps (fibres, wavelengths, exposures), in the units the form
// shows, so that nothing is left out of a reduction without the user seeing it.
import { metresToNm, mjdToUtc, utcText } from '../reduce-form';
import { parts } from './param-input';

/** Which fibres, wavelengths and times the request keeps, in words: nothing is selected without the user seeing it. */
export function RegionSummary({ request }: { request: Array<[string, string]> }) {
  const get = (n: string) => request.find(([k]) => k === n)?.[1];
  const circle = get('CIRCLE');
  const band = get('BAND');
  const time = get('TIME');
  const shape = get('POS') ?? get('POLYGON');
  const [ra, dec, r] = circle ? parts(circle, 3) : [];
  const [lo, hi] = band ? parts(band, 2) : [];
  const [t0, t1] = time ? parts(time, 2).map(Number) : [];
  return (
    <p class="muted" role="status">
      Fibres: {circle ? `only those inside ${r}° of RA ${ra}°, Dec ${dec}°` : shape ? 'only those inside the region shape given below' : 'all of them (no sky region chosen)'}.{' '}
      Wavelengths: {band ? `${metresToNm(lo)} to ${metresToNm(hi)} nm` : 'the full range'}.
      {time ? ` Exposures overlapping ${utcText(mjdToUtc(t0))} to ${utcText(mjdToUtc(t1))}.` : ''}
    </p>
  );
}
