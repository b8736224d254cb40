// The uPlot canvas of the spectrum viewer: any number of traces (each with its own wavelength grid, joined onto one
// x axis), optional ±1σ bands, line markers at the redshift, drag to zoom (mostly horizontal: wavelength; mostly
// vertical: flux). The plot is rebuilt whenever what it shows changes, so a new fibre always redraws and
// rescales (issue 21: setData(…, false) had left the old fibre's line and y-range). Its scales are written to
// the box's data-* attributes (data-x-min, data-y-max, …) for anyone reading the page, tests included.
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { useEffect, useRef } from 'preact/hooks';
import { observedLines } from './lines';

export interface Trace {
  label: string;
  colour: string;
  x: ArrayLike<number>;
  y: ArrayLike<number>;
  /** ±1σ around y (already smoothed like y), drawn as a band. */
  sigma?: ArrayLike<number> | null;
  dash?: number[];
}

export type Range = [number, number];

export interface ViewerPlotProps {
  traces: Trace[];
  xUnit: string;
  yLabel: string;
  /** A wavelength range to show (null: everything). */
  xRange: Range | null;
  /** A flux range to show (null: fit the data). */
  yRange: Range | null;
  onXRange: (r: Range) => void;
  onYRange: (r: Range) => void;
  /** Redshift of the line markers, or null for none. */
  z: number | null;
}

const nullify = (v: number) => (Number.isFinite(v) ? v : null);

function join(traces: Trace[]): uPlot.AlignedData {
  const tables = traces.map((t) => {
    const y = Array.from(t.y, nullify);
    const cols: Array<Array<number | null>> = [Array.from(t.x), y];
    if (t.sigma) {
      cols.push(Array.from(t.y, (v, i) => nullify(v + t.sigma![i])), Array.from(t.y, (v, i) => nullify(v - t.sigma![i])));
    }
    return cols as uPlot.AlignedData;
  });
  // Keep the spectra's own gaps (NaN: masked) as gaps; the points join adds for other grids are skipped.
  return tables.length === 1 ? tables[0] : uPlot.join(tables, tables.map((t) => t.slice(1).map(() => 1)));
}

function markers(z: () => number | null, unit: string): uPlot.Plugin {
  return {
    hooks: {
      draw: (u) => {
        const zz = z();
        if (zz === null || u.scales.x.min == null) return;
        const ctx = u.ctx;
        const { top, height } = u.bbox;
        ctx.save();
        ctx.font = `${Math.round(11 * devicePixelRatio)}px sans-serif`;
        ctx.textAlign = 'center';
        for (const l of observedLines(zz, u.scales.x.min, u.scales.x.max!, unit)) {
          const x = Math.round(u.valToPos(l.at, 'x', true));
          ctx.strokeStyle = l.kind === 'emission' ? '#c2410c' : '#15803d';
          ctx.fillStyle = ctx.strokeStyle;
          ctx.setLineDash([4 * devicePixelRatio, 3 * devicePixelRatio]);
          ctx.lineWidth = devicePixelRatio;
          ctx.beginPath();
          ctx.moveTo(x, top + 14 * devicePixelRatio);
          ctx.lineTo(x, top + height);
          ctx.stroke();
          ctx.fillText(l.label, x, l.kind === 'emission' ? top + 10 * devicePixelRatio : top + height - 4 * devicePixelRatio);
        }
        ctx.restore();
      },
    },
  };
}

export function ViewerPlot(p: ViewerPlotProps) {
  const box = useRef<HTMLDivElement>(null);
  const cb = useRef(p);
  cb.current = p;

  useEffect(() => {
    const el = box.current;
    if (!el || !p.traces.length) return;
    const series: uPlot.Series[] = [{ label: `wavelength (${p.xUnit})`, value: (_u, v) => (v == null ? '' : v.toFixed(2)) }];
    const bands: uPlot.Band[] = [];
    for (const t of p.traces) {
      series.push({ label: t.label, stroke: t.colour, width: 1.25, dash: t.dash, spanGaps: false });
      if (t.sigma) {
        const i = series.length;
        series.push({ label: `${t.label} +1σ`, stroke: 'transparent', width: 0 }, { label: `${t.label} −1σ`, stroke: 'transparent', width: 0 });
        bands.push({ series: [i, i + 1], fill: `${t.colour}26` });
      }
    }
    const writeScales = (u: uPlot) => {
      const s = u.scales;
      Object.assign(el.dataset, { xMin: String(s.x.min), xMax: String(s.x.max), yMin: String(s.y.min), yMax: String(s.y.max) });
    };
    // Only a drag reports a range (uPlot's own scale changes, at creation and after setData, must not: they
    // would rebuild the plot for ever). Mostly across: wavelength; mostly up or down: flux; both ways: both.
    const dragged = (u: uPlot) => {
      const { left, top, width, height } = u.select;
      if (width < 2 && height < 2) return;
      const full = u.over.getBoundingClientRect();
      u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
      // uPlot widens a one-way drag to the whole other axis: only the axis actually dragged is zoomed.
      if (width < full.width - 1) cb.current.onXRange([u.posToVal(left, 'x'), u.posToVal(left + width, 'x')]);
      if (height < full.height - 1) cb.current.onYRange([u.posToVal(top + height, 'y'), u.posToVal(top, 'y')]);
    };
    const u = new uPlot(
      {
        width: Math.max(300, el.clientWidth),
        height: 380,
        scales: { x: { time: false } },
        cursor: { drag: { x: true, y: true, uni: 30, setScale: false } },
        series,
        bands,
        axes: [{ label: `wavelength (${p.xUnit})` }, { label: p.yLabel, size: 72 }],
        plugins: [markers(() => cb.current.z, p.xUnit)],
        hooks: { setScale: [writeScales], draw: [writeScales], setSelect: [dragged] },
      },
      join(p.traces),
      el,
    );
    // The zoom the user chose survives a rebuild; y fits the data in the window unless a flux range is set.
    if (p.xRange) u.setScale('x', { min: p.xRange[0], max: p.xRange[1] });
    if (p.yRange) u.setScale('y', { min: p.yRange[0], max: p.yRange[1] });
    writeScales(u);
    const onResize = () => u.setSize({ width: Math.max(300, el.clientWidth), height: 380 });
    const ro = new ResizeObserver(onResize);
    ro.observe(el);
    return () => {
      ro.disconnect();
      u.destroy();
    };
  }, [p.traces, p.xRange, p.yRange, p.z, p.xUnit, p.yLabel]);

  return <div ref={box} class="plot-box" />;
}
