// A completed job whose entries are "no data" (an ID or region with no fibre: text/plain results the service
// declares in jobInfo before anything runs) is not a success: say so beside the phase, and list why.
import type { Job, JobResult } from '../api/uws';
import './job-provenance.css';

const isNoData = (r: JobResult) => (r.mimeType ?? '').startsWith('text/plain');

/** 'all' when every result is a no-data entry, 'some' when a few are, null otherwise. */
export function noDataOutcome(job: Job): 'all' | 'some' | null {
  if (job.phase !== 'COMPLETED') return null;
  const empty = job.results.filter(isNoData).length;
  const declared = job.plan?.noData.length ?? 0;
  if (!empty && !declared) return null;
  return empty === job.results.length ? 'all' : 'some';
}

/** The extra badge beside COMPLETED. */
export function NoDataBadge({ job }: { job: Job }) {
  const o = noDataOutcome(job);
  if (!o) return null;
  return <span class="badge phase-nodata">{o === 'all' ? 'no data in region' : 'some entries without data'}</span>;
}

export function JobOutcome({ job }: { job: Job }) {
  const o = noDataOutcome(job);
  if (!o) return null;
  const entries = job.plan?.noData ?? [];
  return (
    <div class="outcome" role="status">
      <p>
        <strong>{o === 'all' ? 'Completed — no data in region.' : 'Completed, but some entries have no data.'}</strong>{' '}
        {o === 'all'
          ? 'Nothing was reduced: no fibre of the selected data has its target inside the region. Change the region and reduce again.'
          : 'The entries below gave a "no data" text instead of spectra.'}
      </p>
      {entries.length > 0 && (
        <ul aria-label="Entries without data">
          {entries.map((n, i) => (
            <li key={i}>
              {n.filter ? `${n.id} with ${n.filter}` : n.id}: {n.message}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
