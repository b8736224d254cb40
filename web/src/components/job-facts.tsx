// What the Jobs list says of each job beyond its random id: the field(s) and night(s) it reduces, the arms, how
// long it ran, read from the job's own document (cached per id and phase, so the list's refresh re-reads only jobs
// whose phase changed).
import { useEffect, useState } from 'preact/hooks';
import { getJob, type Job, type JobRef } from '../api/uws';
import { duration } from '../format';
import { didLabel } from '../reduce-prefill';
import { NoDataBadge } from './job-outcome';

const cache = new Map<string, Promise<Job>>();

function jobOf(ref: JobRef): Promise<Job> {
  const key = `${ref.id} ${ref.phase}`;
  let p = cache.get(key);
  if (!p) {
    p = getJob(ref.id);
    p.catch(() => cache.delete(key));
    cache.set(key, p);
  }
  return p;
}

export interface JobFacts {
  fields: string;
  nights: string;
  arms: string;
  took: string;
}

export function factsOf(job: Job): JobFacts {
  const ids = job.parameters.filter((p) => p.id.toUpperCase() === 'ID').map((p) => p.value);
  const fields = new Set<string>();
  const nights = new Set<string>();
  for (const id of ids) {
    const night = /\?(\d{4}-\d{2}-\d{2})/.exec(id)?.[1];
    if (night) nights.add(night);
    const label = didLabel(id).label;
    fields.add(label.startsWith('field ') ? label.slice(6).replace(/ \(\d{4}-\d{2}-\d{2}\)$/, '') : label);
  }
  const arms = job.parameters.find((p) => p.id.toUpperCase() === 'ARMS')?.value ?? (ids.length ? 'both' : '');
  const start = job.startTime ? Date.parse(job.startTime) : null;
  const end = job.endTime ? Date.parse(job.endTime) : null;
  const took = start === null ? '' : end !== null ? duration(end - start) : `${duration(Date.now() - start)}…`;
  const list = (s: Set<string>) => (s.size > 2 ? `${[...s].slice(0, 2).join(', ')} +${s.size - 2}` : [...s].join(', '));
  return { fields: list(fields), nights: list(nights), arms, took };
}

/** The job's facts as table cells (field, night, arms, duration), blank until its document arrives. */
export function JobFactCells({ job: ref }: { job: JobRef }) {
  const [job, setJob] = useState<Job | null>(null);
  useEffect(() => {
    let live = true;
    jobOf(ref).then((j) => live && setJob(j), () => {});
    return () => void (live = false);
  }, [ref.id, ref.phase]);
  const f = job ? factsOf(job) : null;
  return (
    <>
      <td>{f?.fields ?? '…'}</td>
      <td>{f?.nights}</td>
      <td>{f?.arms}</td>
      <td class="num">{f?.took}</td>
      <td class="facts-cell">{job && <NoDataBadge job={job} />}</td>
    </>
  );
}
