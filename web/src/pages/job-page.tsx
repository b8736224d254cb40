// One job: phase (live, through blocking WAIT), the step DAG, actions, results with downloads, quick-looks of
// the products and the spectrum plot.
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError } from '../api/http';
import { isFinal, jobErrorText, type JobResult } from '../api/uws';
import { AuthImage, DownloadLink } from '../components/authed';
import { JobActions } from '../components/job-actions';
import { JobOutcome, NoDataBadge, noDataOutcome } from '../components/job-outcome';
import { JobProvenance } from '../components/job-provenance';
import { PlanSummary } from '../components/plan-summary';
import { SpectrumViewer } from '../components/spectrum-viewer/spectrum-viewer';
import { ErrorNote, Loading, PhaseBadge } from '../components/status';
import { StepDag } from '../components/step-dag';
import { StepsTable } from '../components/steps-table';
import { bytes, dateTime, duration } from '../format';
import { useLiveJob } from '../live-job';
import { Link, navigate, paths } from '../router';

const plottable = (r: JobResult) => /fits|votable/.test(r.mimeType ?? '');

export function JobPage({ id }: { id: string }) {
  const live = useLiveJob(id);
  const { job, steps } = live;
  const [plot, setPlot] = useState<JobResult | null>(null);
  const [focus, setFocus] = useState<string | null>(null);
  const [focusTick, setFocusTick] = useState(0);
  const [errorText, setErrorText] = useState<string | null>(null);
  const plotRef = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (job?.phase === 'ERROR') jobErrorText(job.id).then(setErrorText, () => setErrorText(null));
  }, [job?.phase]);
  useEffect(() => {
    if (plot) plotRef.current?.querySelector<HTMLElement>('h3')?.focus();
  }, [plot]);
  if (live.error instanceof ApiError && live.error.status === 404) {
    return (
      <section>
        <h1>Job {id}</h1>
        <p>There is no such job (it may have been deleted or destroyed). <Link href={paths.jobs()}>Your jobs</Link></p>
      </section>
    );
  }
  if (!job) return live.error ? <ErrorNote error={live.error} retry={live.restart} /> : <Loading what={`job ${id}`} />;
  // Quick-looks of what the job was asked for: the plan's target products (else the steps nothing depends on).
  const targets = new Set(job.plan?.products.map((p) => `${p.step}/${p.file}`) ?? []);
  const dependants = new Set(steps?.steps.flatMap((s) => s.dependsOn));
  const previews = (steps?.steps ?? []).flatMap((s) =>
    s.products.filter((p) => p.preview && (targets.size ? targets.has(`${s.id}/${p.fileName}`) : !dependants.has(s.id))),
  );
  const counts = steps?.counts ?? {};
  return (
    <section>
      <p class="crumbs">
        <Link href={paths.jobs()}>Jobs</Link> › {job.id}
      </p>
      <h1>
        {job.runId ? `${job.runId} ` : 'Job '}
        <small class="muted">{job.id}</small>{' '}
        {noDataOutcome(job) === 'all' ? <span class="badge phase-nodata">{job.phase}</span> : <PhaseBadge phase={job.phase} />} <NoDataBadge job={job} />
      </h1>
      {live.error && <ErrorNote error={live.error} retry={live.restart} />}
      <dl class="facts">
        <dt>Created</dt>
        <dd>{dateTime(job.creationTime)}</dd>
        {job.startTime && (
          <>
            <dt>Started</dt>
            <dd>{dateTime(job.startTime)}</dd>
          </>
        )}
        {job.endTime && (
          <>
            <dt>Ended</dt>
            <dd>
              {dateTime(job.endTime)} {job.startTime && `(${duration(Date.parse(job.endTime) - Date.parse(job.startTime))})`}
            </dd>
          </>
        )}
        {job.progress && !isFinal(job.phase) && (
          <>
            <dt>Progress</dt>
            <dd>
              <progress max={1} value={job.progress.fraction ?? undefined} aria-label="Job progress" /> {job.progress.message}
            </dd>
          </>
        )}
        <dt>Destruction</dt>
        <dd>{dateTime(job.destruction)}</dd>
        <dt>Parameters</dt>
        <dd>
          <ul class="params">
            {job.parameters.map((p, i) => (
              <li key={i}>
                <code>{p.id}</code> = <code>{p.value}</code>
              </li>
            ))}
          </ul>
        </dd>
      </dl>
      <JobActions
        job={job}
        onChanged={(j) => {
          if (!j) navigate(paths.jobs());
          else {
            live.setJob(j);
            live.restart();
          }
        }}
      />
      {job.phase === 'ERROR' && (
        <div class="error" role="alert">
          <p>
            <strong>The job failed.</strong> {job.error?.message}
          </p>
          {errorText && errorText !== job.error?.message && <pre class="log">{errorText}</pre>}
        </div>
      )}
      <JobOutcome job={job} />
      {job.phase === 'PENDING' && job.plan && <PlanSummary summary={job.plan} />}
      <JobProvenance job={job} steps={steps?.steps ?? null} />

      <h2>Steps</h2>
      {!steps && <Loading what="the steps" />}
      {steps && !steps.steps.length && (
        <p class="muted">{isFinal(job.phase) ? 'No steps: nothing in this job needed reducing.' : `No steps yet${job.phase === 'PENDING' ? ': they are created when the job runs' : ''}.`}</p>
      )}
      {steps && steps.steps.length > 0 && (
        <>
          <p class="muted" role="status" aria-live="polite">
            {Object.entries(counts).map(([k, v]) => `${v} ${k}`).join(', ')}
          </p>
          <StepDag
            steps={steps.steps}
            onPick={(sid) => {
              setFocus(sid);
              setFocusTick((t) => t + 1);
            }}
          />
          <StepsTable steps={steps.steps} focus={focus} focusTick={focusTick} />
        </>
      )}

      <h2>Results</h2>
      {!job.results.length && <p class="muted">{isFinal(job.phase) ? 'This job has no results.' : 'Results appear when the job completes.'}</p>}
      {job.results.length > 0 && (
        <table class="grid compact">
          <caption class="visually-hidden">Results</caption>
          <thead>
            <tr>
              <th scope="col">Result</th>
              <th scope="col">Type</th>
              <th scope="col" class="num">Size</th>
              <th scope="col">
                <span class="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {job.results.map((r) => (
              <tr key={r.id}>
                <td>{r.id}</td>
                <td>{r.mimeType}</td>
                <td class="num">{bytes(r.size)}</td>
                <td class="row-actions">
                  <DownloadLink url={r.href} name={r.id} class="button">
                    Download<span class="visually-hidden"> {r.id}</span>
                  </DownloadLink>
                  {plottable(r) && (
                    <button type="button" onClick={() => setPlot(r)} aria-pressed={plot?.id === r.id}>
                      Plot<span class="visually-hidden"> {r.id}</span>
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <div ref={plotRef}>
        {plot && <SpectrumViewer key={plot.id} job={job} results={job.results.filter(plottable)} first={plot} products={(steps?.steps ?? []).flatMap((s) => s.products)} />}
      </div>

      {previews.length > 0 && (
        <>
          <h2>Quick-look images</h2>
          <div class="previews">
            {previews.map((p) => (
              <figure key={p.url}>
                <a href={p.preview!} target="_blank" rel="noopener">
                  <AuthImage src={p.preview!} alt={`Quick-look of ${p.fileName}: the reduced frame and a few spectra`} />
                </a>
                <figcaption>
                  {p.fileName} ({bytes(p.size)}){' '}
                  <DownloadLink url={p.url} name={p.fileName}>
                    full product
                  </DownloadLink>
                </figcaption>
              </figure>
            ))}
          </div>
        </>
      )}
    </section>
  );
}
