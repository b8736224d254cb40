// The steps of a job with state, attempts and timings; a step's 2dFdr log opens in place (the error of a
// failed step is at its end).
import { useEffect, useState } from 'preact/hooks';
import { getStepLog, type StepJson } from '../api/steps';
import { dateTime, duration } from '../format';
import { Link, paths } from '../router';

/** "reused" (or "shared") with the job whose run made the step; that job's times are labelled as its. */
function MadeBy({ m }: { m: NonNullable<StepJson['madeBy']> }) {
  return (
    <div class="made-by">
      <span class="badge reused">{m.kind}</span> {m.kind === 'reused' ? 'made by ' : 'running for '}
      {m.jobId ? <Link href={paths.job(m.jobId)}>job {m.jobId}</Link> : 'an earlier job'}
    </div>
  );
}

function LogView({ url }: { url: string }) {
  const [text, setText] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    getStepLog(url).then(setText, (e: Error) => setError(e.message));
  }, [url]);
  if (error) return <p class="error">{error}</p>;
  if (text === null) return <p class="muted">Loading the log…</p>;
  return (
    <pre class="log" tabIndex={0} aria-label="Step log">
      {text}
    </pre>
  );
}

export function StepsTable({ steps, focus, focusTick = 0 }: { steps: StepJson[]; focus: string | null; focusTick?: number }) {
  const [open, setOpen] = useState<Set<string>>(new Set());
  // A node picked in the graph opens that step's log here and brings it into view.
  useEffect(() => {
    if (!focus) return;
    setOpen((o) => new Set([...o, focus]));
    document.getElementById(`step-${focus}`)?.scrollIntoView({ block: 'nearest' });
  }, [focus, focusTick]);
  const toggle = (id: string) => setOpen((s) => new Set(s.has(id) ? [...s].filter((x) => x !== id) : [...s, id]));
  return (
    <table class="grid compact steps">
      <caption class="visually-hidden">Steps</caption>
      <thead>
        <tr>
          <th scope="col" class="num">#</th>
          <th scope="col">Step</th>
          <th scope="col">State</th>
          <th scope="col" class="num">Attempts</th>
          <th scope="col">Started</th>
          <th scope="col" class="num">Took</th>
          <th scope="col">
            <span class="visually-hidden">Log</span>
          </th>
        </tr>
      </thead>
      <tbody>
        {steps.flatMap((s, i) => {
          const rows = [
            <tr key={s.id} id={`step-${s.id}`} class={focus === s.id ? 'selected' : ''}>
              <td class="num">{i + 1}</td>
              <td>
                {s.label}
                {s.madeBy && <MadeBy m={s.madeBy} />}
                {s.errorMessage && s.state === 'failed' && <div class="error small">{s.errorMessage}</div>}
              </td>
              <td>
                <span class={`badge state-${s.state}`}>{s.state}</span>
              </td>
              <td class="num">
                {s.attempts}/{s.maxAttempts}
              </td>
              <td>
                {dateTime(s.startedAt)}
                {s.madeBy && s.startedAt && <span class="muted small"> (that job's run)</span>}
              </td>
              <td class="num">
                {s.state === 'running' && s.startedAt ? `${duration(Date.now() - Date.parse(s.startedAt))}…` : duration(s.durationMs)}
                {s.madeBy?.kind === 'reused' && <span class="visually-hidden"> in the earlier job</span>}
              </td>
              <td>
                {s.log && (
                  <button type="button" class="small" aria-expanded={open.has(s.id)} onClick={() => toggle(s.id)}>
                    {open.has(s.id) ? 'Hide log' : 'Log'}
                  </button>
                )}
              </td>
            </tr>,
          ];
          if (open.has(s.id) && s.log) {
            rows.push(
              <tr key={`${s.id}-log`}>
                <td colSpan={7}>
                  <LogView url={s.log} />
                </td>
              </tr>,
            );
          }
          return rows;
        })}
      </tbody>
    </table>
  );
}
