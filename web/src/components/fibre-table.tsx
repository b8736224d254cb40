// A field's 2dF fibre table (name, type, magnitude, RA/Dec, fibre number) with a tick per target, and a reduction
// of just the ticked fibres: the UI builds the SODA request itself, the field's ID with one CIRCLE per fibre
// (docs/soda.md: several regions on one ID give one cut each), and submits it as a UWS job.
import { useMemo, useState } from 'preact/hooks';
import { sodaAsyncUrl } from '../api/datalink';
import type { FibreJson } from '../api/frames';
import { fibreTypes } from '../api/search';
import { createJob } from '../api/uws';
import { decDms, degrees, raHms } from '../coords';
import { navigate, paths } from '../router';
import { ErrorNote } from './status';

const deg = 180 / Math.PI;
/** Cone radius around a ticked fibre, degrees: 1 arcsec, far inside the 2 arcsec fibre and the 30 arcsec fibre spacing. */
export const FIBRE_CIRCLE_DEG = 1 / 3600;

/** Fibres with a target on the sky: program and sky fibres (parked, unused and guide fibres give no spectrum to cut). */
export const tickable = (f: FibreJson) => (f.type === 'P' || f.type === 'S') && f.raRad !== null && f.decRad !== null;

/** The SODA async parameters that reduce the field and cut it to these fibres. */
export function fibreRequest(fieldId: string, fibres: FibreJson[], arms: string, label: string): Array<[string, string]> {
  return [
    ['ID', fieldId],
    ...fibres.map((f): [string, string] => ['CIRCLE', `${(f.raRad! * deg).toFixed(7)} ${(f.decRad! * deg).toFixed(7)} ${FIBRE_CIRCLE_DEG.toPrecision(6)}`]),
    ...(arms ? [['ARMS', arms] as [string, string]] : []),
    ['RUNID', label.slice(0, 64)],
  ];
}

export function FibreTable({ fibres, fieldId, field, initial }: { fibres: FibreJson[]; fieldId: string; field: string; initial: number[] }) {
  const [ticked, setTicked] = useState<Set<number>>(() => new Set(initial));
  const [text, setText] = useState('');
  const [type, setType] = useState('P');
  const [arms, setArms] = useState('blue');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error | null>(null);
  const t = text.trim().toLowerCase();
  const shown = useMemo(
    () => fibres.filter((f) => (!type || f.type === type || ticked.has(f.fibre)) && (!t || `${f.name} ${f.fibre}`.toLowerCase().includes(t))),
    [fibres, type, t, ticked],
  );
  const chosen = fibres.filter((f) => ticked.has(f.fibre) && tickable(f));
  const toggle = (n: number, on: boolean) =>
    setTicked((s) => {
      const next = new Set(s);
      if (on) next.add(n);
      else next.delete(n);
      return next;
    });
  const reduce = async () => {
    setBusy(true);
    setError(null);
    try {
      const url = (await sodaAsyncUrl()) ?? '/soda/async';
      const names = chosen.map((f) => f.name || `fibre ${f.fibre}`).join(', ');
      const job = await createJob(url, fibreRequest(fieldId, chosen, arms, `${field}: ${names}`), true);
      navigate(paths.job(job.id));
    } catch (e) {
      setError(e as Error);
      setBusy(false);
    }
  };
  return (
    <div class="fibre-table">
      <div class="filters" role="group" aria-label="Filter the fibres">
        <label>
          Type{' '}
          <select value={type} onChange={(e) => setType(e.currentTarget.value)}>
            <option value="">any</option>
            {Object.entries(fibreTypes).map(([k, v]) => (
              <option key={k} value={k}>
                {v}
              </option>
            ))}
          </select>
        </label>
        <label>
          Find{' '}
          <input type="search" value={text} placeholder="name or fibre number" onInput={(e) => setText(e.currentTarget.value)} />
        </label>
        <span class="muted" role="status">
          {shown.length} of {fibres.length} fibres
        </span>
      </div>
      <div class="actions fibre-reduce">
        <span>
          {chosen.length} fibre{chosen.length === 1 ? '' : 's'} ticked{chosen.length ? `: ${chosen.map((f) => f.name || f.fibre).join(', ')}` : ''}
        </span>
        <label>
          Arms{' '}
          <select value={arms} onChange={(e) => setArms(e.currentTarget.value)}>
            <option value="blue">blue</option>
            <option value="red">red</option>
            <option value="both">both (spliced)</option>
          </select>
        </label>
        <button type="button" class="primary" disabled={!chosen.length || busy} onClick={() => void reduce()}>
          {busy ? 'Submitting…' : `Reduce ${chosen.length === 1 ? 'this fibre' : 'these fibres'}`}
        </button>
        {ticked.size > 0 && (
          <button type="button" onClick={() => setTicked(new Set())}>
            Untick all
          </button>
        )}
      </div>
      {error && <ErrorNote error={error} />}
      <div class="scroll-x fibre-scroll">
        <table class="grid">
          <caption class="visually-hidden">Fibres of field {field}</caption>
          <thead>
            <tr>
              <th scope="col">
                <span class="visually-hidden">Tick</span>
              </th>
              <th scope="col" class="num">Fibre</th>
              <th scope="col">Name</th>
              <th scope="col">Type</th>
              <th scope="col" class="num">Mag</th>
              <th scope="col">RA</th>
              <th scope="col">Dec</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((f) => (
              <tr key={f.fibre} class={ticked.has(f.fibre) ? 'selected' : ''}>
                <td>
                  <input
                    type="checkbox"
                    checked={ticked.has(f.fibre)}
                    disabled={!tickable(f)}
                    aria-label={`Tick fibre ${f.fibre}${f.name ? ` (${f.name})` : ''}`}
                    onChange={(e) => toggle(f.fibre, e.currentTarget.checked)}
                  />
                </td>
                <td class="num">{f.fibre}</td>
                <th scope="row">{f.name}</th>
                <td>{fibreTypes[f.type] ?? f.type}</td>
                <td class="num">{f.magnitude === null ? '' : f.magnitude.toFixed(2)}</td>
                <td title={f.raRad === null ? '' : `${degrees(f.raRad * deg)}°`}>{f.raRad === null ? '' : raHms(f.raRad * deg)}</td>
                <td title={f.decRad === null ? '' : `${degrees(f.decRad * deg)}°`}>{f.decRad === null ? '' : decDms(f.decRad * deg)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
