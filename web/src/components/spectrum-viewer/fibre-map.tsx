// The fibres of the plotted result on the sky (tangent plane about their mean position, north up, east left):
// click a target or sky fibre to plot it. Every fibre is also reachable by the number/name box; the map is the
// quick way to pick a neighbour.
import type { FibreSpectrum } from '../../api/spectra';

const SIZE = 240;
const deg = Math.PI / 180;

export function FibreMap({ fibres, current, pinned, onPick }: { fibres: FibreSpectrum[]; current: number; pinned: number[]; onPick: (fibre: number) => void }) {
  const placed = fibres.filter((f) => f.ra != null && f.dec != null && (f.type === 'P' || f.type === 'S'));
  if (placed.length < 2) return null;
  const ra0 = placed.reduce((a, f) => a + f.ra!, 0) / placed.length;
  const dec0 = placed.reduce((a, f) => a + f.dec!, 0) / placed.length;
  const proj = (f: FibreSpectrum): [number, number] => {
    let dra = f.ra! - ra0;
    if (dra > 180) dra -= 360;
    if (dra < -180) dra += 360;
    return [-dra * Math.cos(dec0 * deg), f.dec! - dec0];
  };
  const extent = Math.max(1e-6, ...placed.map((f) => Math.max(...proj(f).map(Math.abs))));
  const scale = (SIZE / 2 - 8) / extent;
  return (
    <figure class="fibre-map">
      <svg viewBox={`0 0 ${SIZE} ${SIZE}`} width={SIZE} height={SIZE} role="group" aria-label={`Map of ${placed.length} fibres, north up, east left; click one for its spectrum`}>
        <text x="4" y="12" class="compass">N ↑  E ←</text>
        {placed.map((f) => {
          const [x, y] = proj(f);
          const cls = `${f.type === 'P' ? 'target' : 'sky'}${f.fibre === current ? ' current' : pinned.includes(f.fibre) ? ' pinned' : ''}`;
          return (
            <circle
              key={f.fibre}
              cx={SIZE / 2 + x * scale}
              cy={SIZE / 2 - y * scale}
              r={f.fibre === current ? 5 : 3.2}
              class={cls}
              data-fibre={f.fibre}
              onClick={() => onPick(f.fibre)}
            >
              <title>{`fibre ${f.fibre}${f.name ? ` ${f.name}` : ''} (${f.type})`}</title>
            </circle>
          );
        })}
      </svg>
      <figcaption class="muted">Targets (filled) and sky fibres (open); the plotted fibre is ringed.</figcaption>
    </figure>
  );
}
