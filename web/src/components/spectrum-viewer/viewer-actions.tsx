// What the viewer does with the plotted fibre: save it as CSV or FITS (written here, from the values in the
// result), or send it, or the whole result table, to a desktop tool over SAMP (as a SODA sync VOTable URL).
import { useState } from 'preact/hooks';
import type { Spectra } from '../../api/spectra';
import type { Job, JobResult } from '../../api/uws';
import { sendVotable } from '../../samp/samp-client';
import { saveFile, spectrumCsv, spectrumFits, type ExportedSpectrum } from './export-spectrum';
import { syncVotableUrl } from './sources';

function exported(r: JobResult, s: Spectra, fibre: number): ExportedSpectrum | null {
  const f = s.fibres.find((x) => x.fibre === fibre);
  if (!f) return null;
  return {
    source: r.id, fibre: f.fibre, name: f.name, type: f.type, ra: f.ra ?? null, dec: f.dec ?? null,
    wavelength: f.wavelength ?? s.wavelength, wavelengthUnit: s.unit, flux: f.flux, fluxUnit: s.fluxUnit, variance: f.variance,
    sky: s.sky && !f.wavelength ? s.sky : null,
  };
}

const fileStem = (r: JobResult, fibre: number) => `${r.id.replace(/\.[a-z]+$/i, '')}_fibre${fibre}`;

export function ViewerActions({ job, sources, fibre }: { job: Job; sources: Array<{ r: JobResult; s: Spectra }>; fibre: number }) {
  const [which, setWhich] = useState(0);
  const [status, setStatus] = useState<{ text: string; error?: boolean } | null>(null);
  const src = sources[Math.min(which, sources.length - 1)];
  if (!src) return null;
  const spectrum = exported(src.r, src.s, fibre);
  const f = src.s.fibres.find((x) => x.fibre === fibre);
  const spectrumUrl = f?.ra != null && f.dec != null ? syncVotableUrl(job, src.r, src.s.arm, { ra: f.ra, dec: f.dec }) : null;
  const tableUrl = syncVotableUrl(job, src.r, src.s.arm);
  const send = (url: string, name: string) => {
    setStatus({ text: 'Sending over SAMP… (the hub may ask you to accept drsoda)' });
    sendVotable({ url, name, kind: 'votable' }).then(
      (to) => setStatus({ text: `Sent ${name} to ${to.join(', ')}.` }),
      (e: Error) => setStatus({ text: e.message, error: true }),
    );
  };
  return (
    <div class="plot-controls viewer-actions">
      {sources.length > 1 && (
        <label>
          Spectrum of{' '}
          <select value={which} onChange={(e) => setWhich(Number(e.currentTarget.value))}>
            {sources.map((x, i) => (
              <option key={x.r.id} value={i}>
                {x.r.id}
              </option>
            ))}
          </select>
        </label>
      )}
      <button type="button" disabled={!spectrum} onClick={() => spectrum && saveFile(`${fileStem(src.r, fibre)}.csv`, 'text/csv', spectrumCsv(spectrum))}>
        Download CSV
      </button>
      <button type="button" disabled={!spectrum} onClick={() => spectrum && saveFile(`${fileStem(src.r, fibre)}.fits`, 'application/fits', spectrumFits(spectrum) as BlobPart)}>
        Download FITS
      </button>
      <button
        type="button"
        disabled={!spectrumUrl}
        title={spectrumUrl ? undefined : 'Offered for the combined and spliced results of a one-ID job, for fibres with a sky position'}
        onClick={() => spectrumUrl && send(spectrumUrl, `${fileStem(src.r, fibre)}.vot`)}
      >
        Send spectrum (SAMP)
      </button>
      <button type="button" disabled={!tableUrl} onClick={() => tableUrl && send(tableUrl, `${src.r.id.replace(/\.[a-z]+$/i, '')}.vot`)}>
        Send table (SAMP)
      </button>
      {status && (
        <span role={status.error ? 'alert' : 'status'} class={status.error ? 'error' : 'muted'}>
          {status.text}
        </span>
      )}
    </div>
  );
}
