// A job's steps as a layered graph (each step one column right of the steps it needs), coloured by state.
// The table beside it (job page) carries the same facts for screen readers; the graph is a picture of them.
import type { StepJson } from '../api/steps';

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

export function StepDag({ steps, onPick }: { steps: StepJson[]; onPick?: (id: string) => void }) {
  const depth = layers(steps);
  const columns: StepJson[][] = [];
  for (const s of steps) (columns[depth.get(s.id)!] ??= []).push(s);
  const pos = new Map<string, [number, number]>();
  columns.forEach((col, x) => col.forEach((s, y) => pos.set(s.id, [x * (W + GAP_X), y * (H + GAP_Y)])));
  const width = columns.length * (W + GAP_X) - GAP_X;
  const height = Math.max(...columns.map((c) => c.length)) * (H + GAP_Y) - GAP_Y;
  const states = steps.reduce<Record<string, number>>((a, s) => ({ ...a, [s.state]: (a[s.state] ?? 0) + 1 }), {});
  return (
    <div class="dag-scroll">
      <svg
        class="dag"
        viewBox={`-2 -2 ${width + 4} ${height + 4}`}
        // Shrinks to the page down to 80 % (text stays legible); wider graphs scroll.
        style={{ width: '100%', maxWidth: `${width + 4}px`, minWidth: `${Math.round((width + 4) * 0.8)}px` }}
        role="img"
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
          return (
            <g key={s.id} class={`node state-${s.state}`} transform={`translate(${x},${y})`} onClick={() => onPick?.(s.id)}>
              <title>{`${s.label}: ${s.state}`}</title>
              <rect width={W} height={H} rx="5" />
              <text x="8" y="12" class="op">{s.operation}</text>
              <text x="8" y="25">{short(s)}</text>
            </g>
          );
        })}
      </svg>
    </div>
  );
}
