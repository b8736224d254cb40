// The spectrum viewer of a job's results: a fibre (by number or name, previous/next, or a click on the quick-look
// or the sky map) and any fibres kept beside it, from one or several results overplotted (blue, red, spliced);
// sky and ±1σ from the variance; boxcar smoothing; wavelength and flux zoom; line markers at a redshift; flux
// units from the product; export as CSV or FITS; send to a desktop tool over SAMP.
import { useEffect, useMemo, useState } from 'preact/hooks';
import type { StepProductJson } from '../../../../src/domain/api-types';
import type { Progress } from '../../api/progress';
import { loadSpectra, type FibreSpectrum, type Spectra } from '../../api/spectra';
import type { Job, JobResult } from '../../api/uws';
import { ErrorNote, Loading } from '../status';
import { FibreMap } from './fibre-map';
import { QuicklookPicker } from './quicklook-picker';
import { productOf, productRows } from './sources';
import { ViewerActions } from './viewer-actions';
import { ViewerPlot, type Range, type Trace } from './viewer-plot';
import { boxcar, boxcarVariance, smoothingWidths } from './smooth';
import { spectralLines } from './lines';
import './viewer.css';

const palette = ['#1f6fb4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#17becf', '#8c564b', '#e377c2'];

export const describe = (f: FibreSpectrum) => `${f.fibre}${f.name ? ` ${f.name}` : ''}${f.type ? ` (${f.type})` : ''}`;

function median(a: ArrayLike<number>): number {
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

/** Loads each result once it is shown, with the bytes received so far of each download; keeps what was loaded. */
function useSpectra(results: JobResult[], shown: string[]) {
  const [loaded, setLoaded] = useState<Record<string, Spectra | Error>>({});
  const [progress, setProgress] = useState<Record<string, Progress>>({});
  useEffect(() => {
    const ac = new AbortController();
    for (const id of shown) {
      const r = results.find((x) => x.id === id);
      if (!r || loaded[id]) continue;
      loadSpectra(r.href, r.mimeType, ac.signal, (p) => setProgress((x) => ({ ...x, [id]: p }))).then(
        (s) => setLoaded((l) => ({ ...l, [id]: s })),
        (e: Error) => !ac.signal.aborted && setLoaded((l) => ({ ...l, [id]: e })),
      );
    }
    return () => ac.abort();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [shown.join('\n')]);
  return { loaded, progress };
}

const armName = (r: JobResult, s: Spectra | undefined) => (/spliced/i.test(r.id) ? 'spliced' : s?.arm ?? 'result');

export interface SpectrumViewerProps {
  job: Job;
  /** The job's plottable results, and the one whose Plot button opened the viewer. */
  results: JobResult[];
  first: JobResult;
  /** The products of the job's steps (for the quick-looks). */
  products: StepProductJson[];
}

export function SpectrumViewer({ job, results, first, products }: SpectrumViewerProps) {
  const [shown, setShown] = useState<string[]>([first.id]);
  const { loaded, progress } = useSpectra(results, shown);
  const sources = shown.map((id) => ({ r: results.find((x) => x.id === id)!, s: loaded[id] })).filter((x) => x.r);
  const main = sources.find((x) => x.s && !(x.s instanceof Error)) as { r: JobResult; s: Spectra } | undefined;
  const s = main?.s;
  const [fibreNo, setFibreNo] = useState<number | null>(null);
  const [pinned, setPinned] = useState<number[]>([]);
  const [query, setQuery] = useState('');
  const [showSky, setShowSky] = useState(false);
  const [showVar, setShowVar] = useState(true);
  const [smooth, setSmooth] = useState(1);
  const [zText, setZText] = useState('');
  const [showLines, setShowLines] = useState(false);
  const [xRange, setXRange] = useState<Range | null>(null);
  const [yRange, setYRange] = useState<Range | null>(null);
  const [note, setNote] = useState<string | null>(null);
  const fibre = useMemo(() => (s ? (s.fibres.find((f) => f.fibre === (fibreNo ?? defaultFibre(s))) ?? s.fibres[0]) : undefined), [s, fibreNo]);
  const z = showLines && zText.trim() !== '' && Number.isFinite(Number(zText)) ? Number(zText) : showLines ? 0 : null;

  const traces = useMemo(() => {
    if (!fibre) return [] as Trace[];
    const out: Trace[] = [];
    const numbers = [fibre.fibre, ...pinned.filter((n) => n !== fibre.fibre)];
    for (const { r, s: sp } of sources) {
      if (!sp || sp instanceof Error) continue;
      for (const n of numbers) {
        const f = sp.fibres.find((x) => x.fibre === n);
        if (!f) continue;
        const sigma = showVar && f.variance ? Array.from(boxcarVariance(f.variance, smooth), (v) => (v >= 0 ? Math.sqrt(v) : NaN)) : null;
        out.push({ label: `${armName(r, sp)} ${describe(f)}`, colour: palette[out.length % palette.length], x: f.wavelength ?? sp.wavelength, y: boxcar(f.flux, smooth), sigma });
      }
      if (showSky && sp.sky) out.push({ label: `${armName(r, sp)} sky`, colour: '#8a8a8a', x: sp.wavelength, y: boxcar(sp.sky, smooth), dash: [5, 3] });
    }
    return out;
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [fibre, pinned, loaded, shown.join('\n'), showSky, showVar, smooth]);

  // A fibre picked by a click on the quick-look must be in the result: a region cut keeps only some.
  const pickFibre = (n: number, how: string) => {
    if (!s) return;
    const hit = s.fibres.find((f) => f.fibre === n);
    if (hit) {
      setFibreNo(n);
      setQuery('');
      setYRange(null);
      setNote(null);
    } else setNote(`Fibre ${n} (${how}) is not in this result: it was cut to a region.`);
  };
  const pick = (text: string) => {
    setQuery(text);
    if (!s) return;
    const t = text.trim();
    const byNumber = /^\d+/.exec(t);
    const hit = byNumber ? s.fibres.find((f) => f.fibre === Number(byNumber[0])) : s.fibres.find((f) => f.name.toLowerCase() === t.toLowerCase());
    if (hit) {
      setFibreNo(hit.fibre);
      setYRange(null);
    }
  };
  const step = (d: number) => {
    if (!s || !fibre) return;
    const i = s.fibres.indexOf(fibre);
    pickFibre(s.fibres[Math.max(0, Math.min(s.fibres.length - 1, i + d))].fibre, 'next');
  };
  const product = main ? productOf(main.r, products) : null;
  const [rows, setRows] = useState<number | null>(null);
  useEffect(() => {
    setRows(null);
    if (!product) return;
    const ac = new AbortController();
    productRows(product.url, ac.signal).then(setRows, () => setRows(null));
    return () => ac.abort();
  }, [product?.url]);
  const full: Range | null = s ? [s.wavelength[0], s.wavelength[s.wavelength.length - 1]] : null;
  const yLabel = s ? `flux (${s.fluxUnit ?? 'unit not given in the product'})` : 'flux';
  const errors = sources.filter((x) => x.s instanceof Error) as Array<{ r: JobResult; s: Error }>;

  return (
    <section class="plot viewer" aria-labelledby="plot-title">
      <h3 id="plot-title" tabIndex={-1}>
        Spectrum plot: {first.id}
      </h3>
      {errors.map((x) => (
        <ErrorNote key={x.r.id} error={new Error(`${x.r.id}: ${x.s.message}`)} />
      ))}
      {!s && !errors.length && <Loading what="the spectra" progress={progress[first.id]} />}
      {s && fibre && (
        <>
          <div class="plot-controls">
            <label>
              Fibre (number or name){' '}
              <input list="fibre-list" value={query} placeholder={describe(fibre)} onInput={(e) => pick(e.currentTarget.value)} size={26} />
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
            <button type="button" onClick={() => setPinned((p) => (p.includes(fibre.fibre) ? p : [...p, fibre.fibre]))}>
              Keep this fibre
            </button>
            {pinned.map((n) => (
              <button key={n} type="button" class="chip" onClick={() => setPinned((p) => p.filter((x) => x !== n))} aria-label={`Remove fibre ${n}`}>
                {n} ✕
              </button>
            ))}
          </div>
          <fieldset class="plot-controls sources">
            <legend>Results overplotted</legend>
            {results.map((r) => (
              <label class="check" key={r.id}>
                <input
                  type="checkbox"
                  checked={shown.includes(r.id)}
                  disabled={shown.length === 1 && shown[0] === r.id}
                  onChange={(e) => setShown((v) => (e.currentTarget.checked ? [...v, r.id] : v.filter((x) => x !== r.id)))}
                />{' '}
                {r.id}
              </label>
            ))}
          </fieldset>
          <div class="plot-controls">
            <label class="check">
              <input type="checkbox" checked={showSky} disabled={!s.sky} onChange={(e) => setShowSky(e.currentTarget.checked)} /> Sky
            </label>
            <label class="check">
              <input type="checkbox" checked={showVar} disabled={!fibre.variance} onChange={(e) => setShowVar(e.currentTarget.checked)} /> ±1σ (variance)
            </label>
            <label>
              Smoothing{' '}
              <select value={smooth} onChange={(e) => setSmooth(Number(e.currentTarget.value))}>
                {smoothingWidths.map((w) => (
                  <option key={w} value={w}>
                    {w === 1 ? 'none' : `boxcar ${w} px`}
                  </option>
                ))}
              </select>
            </label>
            <label class="check">
              <input type="checkbox" checked={showLines} onChange={(e) => setShowLines(e.currentTarget.checked)} /> Line markers
            </label>
            <label>
              Redshift z <input type="number" step="any" min="-0.01" value={zText} placeholder="0" size={7} onInput={(e) => setZText(e.currentTarget.value)} />
            </label>
          </div>
          <p class="muted" role="status">
            Showing fibre {describe(fibre)} of {s.fibres.length}
            {traces.length > 1 ? `, ${traces.length} curves` : ''}. Drag across the plot to zoom in wavelength, up or down to zoom in flux.
          </p>
          <p class="muted flux-unit">Flux unit (from the product): {s.fluxUnit ?? 'none given (no BUNIT in the header)'}</p>
          {note && (
            <p class="error" role="alert">
              {note}
            </p>
          )}
          <ViewerPlot traces={traces} xUnit={s.unit} yLabel={yLabel} xRange={xRange} yRange={yRange} onXRange={setXRange} onYRange={setYRange} z={z} />
          {z !== null && (
            <p class="muted line-list">
              Lines at z = {z}:{' '}
              {spectralLines.map((l) => `${l.label} ${((1 + z) * l.rest).toFixed(1)}`).join(', ')} Å (air).
            </p>
          )}
          <form
            class="plot-controls"
            aria-label="Wavelength range"
            onSubmit={(e) => {
              e.preventDefault();
              const f = new FormData(e.currentTarget);
              const lo = Number(f.get('lo'));
              const hi = Number(f.get('hi'));
              if (hi > lo) setXRange([lo, hi]);
            }}
          >
            <label>
              From <input name="lo" type="number" step="any" value={(xRange ?? full)![0].toFixed(1)} key={`lo-${xRange?.[0]}`} />
            </label>
            <label>
              to <input name="hi" type="number" step="any" value={(xRange ?? full)![1].toFixed(1)} key={`hi-${xRange?.[1]}`} /> {s.unit}
            </label>
            <button type="submit">Zoom</button>
            <button type="button" onClick={() => setXRange(full && [full[0], full[1]])}>
              Reset zoom
            </button>
          </form>
          <form
            class="plot-controls"
            aria-label="Flux range"
            onSubmit={(e) => {
              e.preventDefault();
              const f = new FormData(e.currentTarget);
              const lo = Number(f.get('ylo'));
              const hi = Number(f.get('yhi'));
              if (hi > lo) setYRange([lo, hi]);
            }}
          >
            <label>
              Flux min <input name="ylo" type="number" step="any" defaultValue={yRange ? String(yRange[0]) : ''} key={`ylo-${yRange?.[0]}`} />
            </label>
            <label>
              Flux max <input name="yhi" type="number" step="any" defaultValue={yRange ? String(yRange[1]) : ''} key={`yhi-${yRange?.[1]}`} />
            </label>
            <button type="submit">Set flux range</button>
            <button type="button" onClick={() => setYRange(null)}>
              Fit flux
            </button>
          </form>
          <div class="viewer-pickers">
            {product?.preview && rows && <QuicklookPicker src={product.preview} name={product.fileName} rows={rows} onPick={(n) => pickFibre(n, 'quick-look')} />}
            <FibreMap fibres={s.fibres} current={fibre.fibre} pinned={pinned} onPick={(n) => pickFibre(n, 'map')} />
          </div>
          <ViewerActions job={job} sources={sources.filter((x): x is { r: JobResult; s: Spectra } => !!x.s && !(x.s instanceof Error))} fibre={fibre.fibre} />
        </>
      )}
    </section>
  );
}
