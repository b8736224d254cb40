// The caller's jobs (UWS job list, newest first), refreshed while any of them is still running.
import { useEffect, useState } from 'preact/hooks';
import { isFinal, listJobs, type JobRef } from '../api/uws';
import { JobFactCells } from '../components/job-facts';
import { ErrorNote, Loading, PhaseBadge } from '../components/status';
import { dateTime } from '../format';
import { Link, paths } from '../router';
import { useAsync } from '../use-async';

const phases = ['', 'PENDING', 'QUEUED', 'EXECUTING', 'COMPLETED', 'ERROR', 'ABORTED'];

export function JobsPage() {
  const [phase, setPhase] = useState('');
  const list = useAsync((signal) => listJobs({ last: 50, phase: phase || undefined, signal }), [phase]);
  const [older, setOlder] = useState<{ jobs: JobRef[]; next: string | null } | null>(null);
  useEffect(() => setOlder(null), [phase, list.data]);
  const active = list.data?.jobs.some((j) => !isFinal(j.phase));
  useEffect(() => {
    if (!active) return;
    const t = setTimeout(list.reload, 3000);
    return () => clearTimeout(t);
  }, [active, list.data]);
  const jobs = [...(list.data?.jobs ?? []), ...(older?.jobs ?? [])];
  const next = older ? older.next : list.data?.next;
  return (
    <section>
      <h1>Jobs</h1>
      <p class="lead">
        Your reductions (the UWS job list <a href="/soda/async">/soda/async</a>). Start one from the <Link href={paths.nights()}>archive</Link>.
      </p>
      <div class="filters">
        <label>
          Phase{' '}
          <select value={phase} onChange={(e) => setPhase(e.currentTarget.value)}>
            {phases.map((p) => (
              <option key={p} value={p}>
                {p || 'any'}
              </option>
            ))}
          </select>
        </label>
      </div>
      {list.error && <ErrorNote error={list.error} retry={list.reload} />}
      {list.loading && !list.data && <Loading what="your jobs" />}
      {list.data && !jobs.length && <p>No jobs yet.</p>}
      {jobs.length > 0 && (
        <div class="table-scroll">
        <table class="grid jobs-table">
          <caption class="visually-hidden">Jobs</caption>
          <thead>
            <tr>
              <th scope="col">Job</th>
              <th scope="col">Name</th>
              <th scope="col">Phase</th>
              <th scope="col">Field</th>
              <th scope="col">Night</th>
              <th scope="col">Arms</th>
              <th scope="col" class="num">Duration</th>
              <th scope="col">
                <span class="visually-hidden">Outcome</span>
              </th>
              <th scope="col">Created</th>
              <th scope="col">Owner</th>
            </tr>
          </thead>
          <tbody>
            {jobs.map((j) => (
              <tr key={j.id}>
                <th scope="row">
                  <Link href={paths.job(j.id)}>{j.id}</Link>
                </th>
                <td>{j.runId}</td>
                <td>
                  <PhaseBadge phase={j.phase} />
                </td>
                <JobFactCells job={j} />
                <td>{dateTime(j.creationTime)}</td>
                <td>{j.ownerId ?? <span class="muted">anonymous</span>}</td>
              </tr>
            ))}
          </tbody>
        </table>
        </div>
      )}
      {next && (
        <button type="button" onClick={() => listJobs({ cursorUrl: next }).then((p) => setOlder({ jobs: [...(older?.jobs ?? []), ...p.jobs], next: p.next }))}>
          Older jobs
        </button>
      )}
    </section>
  );
}
