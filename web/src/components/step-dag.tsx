// A job's steps as a layered graph (each step one column right of the steps it needs), coloured by state, that
// fits its box (zoom in and out; a large graph scrolls inside the box, never past the page edge). A node opens
// the step's log in the table below, which carries the same facts for screen readers.
import { useState } from 'preact/hooks';
import type { StepJson } from '../api/steps';
import './job-provenance.css';

const W = 150;
const H = 30;
const GAP_X = 26;
const GAP_Y = 10;

export function layers(steps: StepJson[]): Map<string, number> {
  const depth = new Map<string, number>();
  const byId = new Map(steps.map((s) => [s.id, s]));
  const visit = (s: StepJson, seen: Set<string>): number => {
    const known = depth.get(s.id);
    if (known !== undefined) return known;
    if (seen.has(s.id)) return 0;
    seen.add(s.id);
    const d = Math.max(-1, ...s.dependsOn.map((id) => (byId.has(id) ? visit(byId.get(id)!, seen) : -1))) + 1;
    depth.set(s.id, d);
    return d;
  };
  for (const s of steps) visit(s, new Set());
  return depth;
}

const short = (s: StepJson) => {
  const file = s.label.split(' ').slice(1).join(' ');
  return file.length > 22 ? `${file.slice(0, 21)}…` : file;
};

const ZOOMS = [0.5, 0.75, 1, 1.5, 2];

export function StepDag({ steps, onPick }: { steps: StepJson[]; onPick?: (id: string) => void }) {
  // null: fit the box's width (never wider than the graph's natural size); else a fixed scale that scrolls.
  const [zoom, setZoom] = useState<number | null>(null);
  const depth = layers(steps);
  const columns: StepJson[][] = [];
  for (const s of steps) (columns[depth.get(s.id)!] ??= []).push(s);
  const pos = new Map<string, [number, number]>();
  columns.forEach((col, x) => col.forEach((s, y) => pos.set(s.id, [x * (W + GAP_X), y * (H + GAP_Y)])));
  const width = columns.length * (W + GAP_X) - GAP_X;
  const height = Math.max(...columns.map((c) => c.length)) * (H + GAP_Y) - GAP_Y;
  const states = steps.reduce<Record<string, number>>((a, s) => ({ ...a, [s.state]: (a[s.state] ?? 0) + 1 }), {});
  const step = (dir: 1 | -1) => {
    const cur = zoom ?? 1;
    const next = dir > 0 ? ZOOMS.find((z) => z > cur) : [...ZOOMS].reverse().find((z) => z < cur);
    setZoom(next ?? cur);
  };
  const size = zoom === null ? { width: '100%', maxWidth: `${width + 4}px` } : { width: `${Math.round((width + 4) * zoom)}px`, maxWidth: 'none' };
  return (
    <div class="dag-box">
      <div class="dag-tools" role="group" aria-label="Step graph zoom">
        <button type="button" class="small" onClick={() => step(-1)} disabled={zoom !== null && zoom <= ZOOMS[0]}>
          Zoom out
        </button>
        <button type="button" class="small" onClick={() => step(1)} disabled={zoom !== null && zoom >= ZOOMS[ZOOMS.length - 1]}>
          Zoom in
        </button>
        <button type="button" class="small" onClick={() => setZoom(null)} aria-pressed={zoom === null}>
          Fit
        </button>
        <span class="muted small">Click a step to open its log.</span>
      </div>
      <div class="dag-scroll">
        <svg
          class="dag"
          viewBox={`-2 -2 ${width + 4} ${height + 4}`}
          style={{ ...size, height: 'auto', display: 'block' }}
          role="group"
          aria-label={`Step graph: ${Object.entries(states).map(([k, v]) => `${v} ${k}`).join(', ')}`}
        >
          {steps.flatMap((s) =>
            s.dependsOn
              .filter((d) => pos.has(d))
              .map((d) => {
                const [x1, y1] = pos.get(d)!;
                const [x2, y2] = pos.get(s.id)!;
                return <path key={`${d}-${s.id}`} class="edge" d={`M${x1 + W},${y1 + H / 2} C${x1 + W + GAP_X / 2},${y1 + H / 2} ${x2 - GAP_X / 2},${y2 + H / 2} ${x2},${y2 + H / 2}`} />;
              }),
          )}
          {steps.map((s) => {
            const [x, y] = pos.get(s.id)!;
            const pick = () => onPick?.(s.id);
            return (
              <g
                key={s.id}
                class={`node state-${s.state}${s.madeBy ? ' reused' : ''}`}
                transform={`translate(${x},${y})`}
                onClick={pick}
                onKeyDown={(e) => (e.key === 'Enter' || e.key === ' ') && (e.preventDefault(), pick())}
                tabIndex={0}
                role="button"
                aria-label={`${s.label}: ${s.state}${s.madeBy ? ` (${s.madeBy.kind})` : ''}; open its log`}
                data-step={s.id}
              >
                <title>{`${s.label}: ${s.state}${s.madeBy ? ` (${s.madeBy.kind})` : ''}`}</title>
                <rect width={W} height={H} rx="5" />
                <text x="8" y="12" class="op">{s.operation}</text>
                <text x="8" y="25">{short(s)}</text>
              </g>
            );
          })}
        </svg>
      </div>
    </div>
  );
}
