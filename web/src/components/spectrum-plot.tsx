// An interactive plot of reduced spectra from a job result: pick a fibre by number or name, zoom in wavelength
// (drag across the plot, or type the range), show the sky and the +-1 sigma band from the variance.
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { Progress } from '../api/progress';
import { loadSpectra, type FibreSpectrum, type Spectra } from '../api/spectra';
import { useAsync } from '../use-async';
import { ErrorNote, Loading } from './status';

const nulls = (a: ArrayLike<number>) => Array.from(a, (v) => (Number.isFinite(v) ? v : null));

function median(a: Float32Array): number {
  const v = Array.from(a).filter(Number.isFinite).sort((x, y) => x - y);
  return v.length ? v[Math.floor(v.length / 2)] : NaN;
}

/** The brightest program fibre (by median flux) is the first one shown. */
function defaultFibre(s: Spectra): number {
  let best = s.fibres[0]?.fibre ?? 1;
  let bestFlux = -Infinity;
  for (const f of s.fibres) {
    if (f.type && f.type !== 'P') continue;
    const m = median(f.flux);
    if (m > bestFlux) [best, bestFlux] = [f.fibre, m];
  }
  return best;
}

const describe = (f: FibreSpectrum) => `${f.fibre}${f.name ? ` ${f.name}` : ''}${f.type ? ` (${f.type})` : ''}`;

function plotData(s: Spectra, f: FibreSpectrum): uPlot.AlignedData {
  const x = Array.from(f.wavelength ?? s.wavelength);
  const sigma = f.variance ? Array.from(f.variance, (v) => (v >= 0 ? Math.sqrt(v) : NaN)) : x.map(() => NaN);
  return [
    x,
    nulls(f.flux),
    s.sky ? nulls(s.sky) : x.map(() => null),
    nulls(Array.from(f.flux, (v, i) => v + sigma[i])),
    nulls(Array.from(f.flux, (v, i) => v - sigma[i])),
  ] as uPlot.AlignedData;
}

export function SpectrumPlot({ url, mimeType, title }: { url: string; mimeType: string | null; title: string }) {
  const [progress, setProgress] = useState<Progress | null>(null);
  const loaded = useAsync((signal) => loadSpectra(url, mimeType, signal, setProgress), [url]);
  const s = loaded.data;
  const [fibreNo, setFibreNo] = useState<number | null>(null);
  const [query, setQuery] = useState('');
  const [showSky, setShowSky] = useState(false);
  const [showVar, setShowVar] = useState(true);
  const [range, setRange] = useState<[number, number] | null>(null);
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const fibre = useMemo(() => (s ? (s.fibres.find((f) => f.fibre === (fibreNo ?? defaultFibre(s))) ?? s.fibres[0]) : undefined), [s, fibreNo]);
  const full: [number, number] | null = s ? [s.wavelength[0], s.wavelength[s.wavelength.length - 1]] : null;

  useEffect(() => {
    if (!s || !fibre || !box.current) return;
    const u = new uPlot(
      {
        width: Math.max(320, box.current.clientWidth),
        height: 360,
        scales: { x: { time: false } },
        cursor: { drag: { x: true, y: false } },
        series: [
          { label: `wavelength (${s.unit})`, value: (_u, v) => (v == null ? '' : v.toFixed(2)) },
          { label: 'flux', stroke: '#1f6fb4', width: 1.25 },
          { label: 'sky', stroke: '#8a8a8a', width: 1, show: showSky },
          { label: '+1σ', stroke: 'rgba(31,111,180,0.25)', width: 0.5, show: showVar },
          { label: '−1σ', stroke: 'rgba(31,111,180,0.25)', width: 0.5, show: showVar },
        ],
        bands: [{ series: [3, 4], fill: 'rgba(31,111,180,0.12)' }],
        axes: [{ label: `wavelength (${s.unit})` }, { label: 'flux', size: 70 }],
        hooks: { setScale: [(u, key) => key === 'x' && u.scales.x.min != null && setRange([u.scales.x.min!, u.scales.x.max!])] },
      },
      plotData(s, fibre),
      box.current,
    );
    plot.current = u;
    const onResize = () => box.current && u.setSize({ width: Math.max(320, box.current.clientWidth), height: 360 });
    addEventListener('resize', onResize);
    return () => {
      removeEventListener('resize', onResize);
      u.destroy();
      plot.current = null;
    };
    // The plot is rebuilt per file; fibre changes and toggles update it in place (below).
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [s]);

  useEffect(() => {
    if (s && fibre && plot.current) plot.current.setData(plotData(s, fibre), false);
  }, [fibre]);
  useEffect(() => plot.current?.setSeries(2, { show: showSky }), [showSky]);
  useEffect(() => {
    plot.current?.setSeries(3, { show: showVar });
    plot.current?.setSeries(4, { show: showVar });
  }, [showVar]);

  const pick = (text: string) => {
    setQuery(text);
    if (!s) return;
    const t = text.trim();
    const byNumber = /^\d+/.exec(t);
    const hit = byNumber ? s.fibres.find((f) => f.fibre === Number(byNumber[0])) : s.fibres.find((f) => f.name.toLowerCase() === t.toLowerCase());
    if (hit) setFibreNo(hit.fibre);
  };
  const step = (d: number) => {
    if (!s || !fibre) return;
    const i = s.fibres.indexOf(fibre);
    const next = s.fibres[Math.max(0, Math.min(s.fibres.length - 1, i + d))];
    setFibreNo(next.fibre);
    setQuery('');
  };
  const zoom = (lo: number, hi: number) => plot.current && hi > lo && plot.current.setScale('x', { min: lo, max: hi });

  return (
    <section class="plot" aria-labelledby="plot-title">
      <h3 id="plot-title" tabIndex={-1}>
        Spectrum plot: {title}
      </h3>
      {loaded.error && <ErrorNote error={loaded.error} retry={loaded.reload} />}
      {loaded.loading && !s && <Loading what="the spectra" progress={progress} />}
      {s && fibre && (
        <>
          <div class="plot-controls">
            <label>
              Fibre (number or name){' '}
              <input list="fibre-list" value={query} placeholder={describe(fibre)} onInput={(e) => pick(e.currentTarget.value)} size={28} />
            </label>
            <datalist id="fibre-list">
              {s.fibres.map((f) => (
                <option key={f.fibre} value={describe(f)} />
              ))}
            </datalist>
            <button type="button" onClick={() => step(-1)} aria-label="Previous fibre">
              ◀
            </button>
            <button type="button" onClick={() => step(1)} aria-label="Next fibre">
              ▶
            </button>
            <label class="check">
              <input type="checkbox" checked={showSky} disabled={!s.sky} onChange={(e) => setShowSky(e.currentTarget.checked)} /> Sky
            </label>
            <label class="check">
              <input type="checkbox" checked={showVar} disabled={!fibre.variance} onChange={(e) => setShowVar(e.currentTarget.checked)} /> ±1σ (variance)
            </label>
          </div>
          <p class="muted" role="status">
            Showing fibre {describe(fibre)} of {s.fibres.length}. Drag across the plot to zoom in wavelength.
          </p>
          <div ref={box} class="plot-box" />
          <form
            class="plot-controls"
            aria-label="Wavelength range"
            onSubmit={(e) => {
              e.preventDefault();
              const f = new FormData(e.currentTarget);
              zoom(Number(f.get('lo')), Number(f.get('hi')));
            }}
          >
            <label>
              From <input name="lo" type="number" step="any" value={range ? range[0].toFixed(1) : ''} key={`lo-${range?.[0]}`} />
            </label>
            <label>
              to <input name="hi" type="number" step="any" value={range ? range[1].toFixed(1) : ''} key={`hi-${range?.[1]}`} /> {s.unit}
            </label>
            <button type="submit">Zoom</button>
            <button type="button" onClick={() => full && zoom(full[0], full[1])}>
              Reset zoom
            </button>
          </form>
        </>
      )}
    </section>
  );
}
