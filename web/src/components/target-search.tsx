// The target search form: in the page header (one box) and on the search page (with the radius).
import { useEffect, useState } from 'preact/hooks';
import type { TargetQuery } from '../api/search';
import { parseCoords } from '../coords';
import { navigate, paths } from '../router';

/** Default cone radius when a position is typed without one: 2dF fibres are 2 arcsec, astrometry good to ~1. */
export const DEFAULT_RADIUS_ARCSEC = 10;

/** The box's text as a search: coordinates become a cone (radius in arcsec), anything else an object name. */
export function targetQuery(target: string, radiusArcsec: string): TargetQuery {
  const pos = parseCoords(target);
  if (!pos) return { name: target };
  const r = radiusArcsec.trim() === '' ? DEFAULT_RADIUS_ARCSEC : Number(radiusArcsec);
  return { ra: String(pos.ra), dec: String(pos.dec), sr: String(r / 3600) };
}

export function TargetSearchForm({ target = '', radius = '', withRadius = false }: { target?: string; radius?: string; withRadius?: boolean }) {
  const [text, setText] = useState(target);
  const [r, setR] = useState(radius);
  useEffect(() => setText(target), [target]);
  useEffect(() => setR(radius), [radius]);
  return (
    <form
      role="search"
      class={withRadius ? 'target-search wide' : 'target-search'}
      onSubmit={(e) => {
        e.preventDefault();
        if (text.trim()) navigate(paths.search(text.trim(), withRadius ? r.trim() : ''));
      }}
    >
      <label>
        <span class={withRadius ? '' : 'visually-hidden'}>Object name or RA Dec</span>{' '}
        <input type="search" name="target" value={text} placeholder="NGC 1365 or 53.40 -36.14" onInput={(e) => setText(e.currentTarget.value)} />
      </label>
      {withRadius && (
        <label>
          Radius (arcsec){' '}
          <input type="number" name="radius" min="0.1" max="7200" step="any" value={r} placeholder={String(DEFAULT_RADIUS_ARCSEC)} onInput={(e) => setR(e.currentTarget.value)} />
        </label>
      )}
      <button type="submit">Search</button>
    </form>
  );
}
