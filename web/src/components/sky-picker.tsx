// A map of the field's fibres for picking the CIRCLE region: click to centre it, the radius slider sizes it.
// The numbers in the CIRCLE inputs stay the accessible way to set it; the map shows what they select.
import type { FibreJson } from '../api/frames';
import { parts } from './param-input';

const deg = Math.PI / 180;
const SIZE = 260;

export interface SkyPickerProps {
  fibres: FibreJson[];
  /** The covering circle "ra dec r" from the descriptor (CIRCLE's MAX), the map's extent. */
  cover: [number, number, number];
  value: string;
  onChange: (circle: string) => void;
}

function separation(ra1: number, dec1: number, ra2: number, dec2: number): number {
  const s = Math.sin(((dec2 - dec1) * deg) / 2) ** 2 + Math.cos(dec1 * deg) * Math.cos(dec2 * deg) * Math.sin(((ra2 - ra1) * deg) / 2) ** 2;
  return (2 * Math.asin(Math.min(1, Math.sqrt(s)))) / deg;
}

export function SkyPicker({ fibres, cover, value, onChange }: SkyPickerProps) {
  const [ra0, dec0, r0] = cover;
  const scale = (SIZE / 2 - 10) / r0;
  // Tangent-plane approximation (a 2dF field is 2 degrees across): east to the left, north up, as on the sky.
  const xy = (ra: number, dec: number) => {
    let dra = ra - ra0;
    if (dra > 180) dra -= 360;
    if (dra < -180) dra += 360;
    return [SIZE / 2 - dra * Math.cos(dec0 * deg) * scale, SIZE / 2 - (dec - dec0) * scale];
  };
  const [cra, cdec, cr] = parts(value, 3).map(Number);
  const has = value.trim() !== '' && [cra, cdec, cr].every(Number.isFinite);
  const targets = fibres.filter((f) => f.type === 'P' && f.raRad !== null && f.decRad !== null);
  const inside = has ? targets.filter((f) => separation(cra, cdec, f.raRad! / deg, f.decRad! / deg) <= cr).length : targets.length;
  const radius = has ? cr : Math.min(0.3, r0);
  const click = (e: MouseEvent) => {
    const svg = e.currentTarget as SVGSVGElement;
    const box = svg.getBoundingClientRect();
    const x = ((e.clientX - box.left) / box.width) * SIZE;
    const y = ((e.clientY - box.top) / box.height) * SIZE;
    const dec = dec0 + (SIZE / 2 - y) / scale;
    const ra = (ra0 - (x - SIZE / 2) / scale / Math.cos(dec0 * deg) + 360) % 360;
    onChange(`${ra.toFixed(5)} ${dec.toFixed(5)} ${radius.toFixed(4)}`);
  };
  const [sx, sy] = has ? xy(cra, cdec) : [0, 0];
  return (
    <div class="sky-picker">
      <svg
        viewBox={`0 0 ${SIZE} ${SIZE}`}
        width={SIZE}
        height={SIZE}
        role="img"
        aria-label={`Sky map of ${targets.length} targets; click to centre the region`}
        onClick={click}
      >
        <circle cx={SIZE / 2} cy={SIZE / 2} r={r0 * scale} class="cover" />
        {fibres.map((f) =>
          f.raRad === null || f.decRad === null || (f.type !== 'P' && f.type !== 'S') ? null : (
            <circle key={f.fibre} cx={xy(f.raRad / deg, f.decRad / deg)[0]} cy={xy(f.raRad / deg, f.decRad / deg)[1]} r={f.type === 'P' ? 1.8 : 1.4} class={f.type === 'P' ? 'target' : 'sky'} />
          ),
        )}
        {has && <circle cx={sx} cy={sy} r={cr * scale} class="region" />}
        <text x="6" y="14" class="compass">N ↑  E ←</text>
      </svg>
      <div>
        <label>
          Radius {radius.toFixed(2)}°
          <input
            type="range"
            min={0.02}
            max={r0}
            step={0.01}
            value={radius}
            disabled={!has}
            onInput={(e) => onChange(`${cra} ${cdec} ${Number(e.currentTarget.value).toFixed(4)}`)}
          />
        </label>
        <p class="muted" role="status">
          {has ? `${inside} of ${targets.length} targets inside the circle` : `All ${targets.length} targets (no region)`}
        </p>
        <button type="button" disabled={!has} onClick={() => onChange('')}>
          Whole field
        </button>
      </div>
    </div>
  );
}
